package io.tern.engine.shard;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.model.LayerRange;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a model's layers into contiguous ranges whose weight bytes are as even as possible: the largest shard is as
 * small as it can be. The token embedding counts with the first shard; the final norm and the lm_head (the
 * embedding again when tied) with the last, since that shard must hold them.
 */
public final class ShardPlanner {
    private ShardPlanner() {
    }

    /** Ranges [0, a), [a, b), ..., [z, layers), one per shard, each non-empty. */
    public static List<LayerRange> plan(GgufFile canonical, int shardCount) throws GgufFormatException {
        return plan(layerBytes(canonical), shardCount);
    }

    /** Bytes each layer's shard needs for it: its blk.N tensors, plus the embedding (first) and head (last). */
    public static long[] layerBytes(GgufFile file) throws GgufFormatException {
        BitNetConfig c = BitNetConfig.from(file.metadata());
        long[] bytes = new long[c.layers()];
        for (GgufTensorInfo t : file.tensors()) {
            int layer = ShardWriter.layerOf(t.name());
            if (layer >= c.layers()) {
                throw new GgufFormatException("tensor '" + t.name() + "' belongs to layer " + layer + " but the model has "
                        + c.layers() + " layers");
            }
            if (layer >= 0) {
                bytes[layer] += t.byteSize();
            }
        }
        GgufTensorInfo embedding = file.requireTensor(ShardWriter.EMBEDDING);
        bytes[0] += embedding.byteSize();
        bytes[c.layers() - 1] += file.requireTensor(ShardWriter.OUTPUT_NORM).byteSize()
                + file.tensor(ShardWriter.OUTPUT).orElse(embedding).byteSize();
        return bytes;
    }

    /** The contiguous split of {@code bytes} into {@code shards} non-empty parts that minimises the largest part. */
    static List<LayerRange> plan(long[] bytes, int shards) {
        int n = bytes.length;
        if (shards < 1) {
            throw new IllegalArgumentException("shard count " + shards + " must be at least 1");
        }
        if (shards > n) {
            throw new IllegalArgumentException("cannot cut " + n + " layers into " + shards
                    + " shards: every shard needs at least one layer");
        }
        long[] prefix = new long[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + bytes[i];
        }
        // cost[k][i]: smallest possible largest part when the first i layers form k parts; cut[k][i]: start of part k.
        long[][] cost = new long[shards + 1][n + 1];
        int[][] cut = new int[shards + 1][n + 1];
        for (long[] row : cost) {
            java.util.Arrays.fill(row, Long.MAX_VALUE);
        }
        cost[0][0] = 0;
        for (int k = 1; k <= shards; k++) {
            for (int i = k; i <= n - (shards - k); i++) {
                for (int s = k - 1; s < i; s++) {
                    if (cost[k - 1][s] == Long.MAX_VALUE) {
                        continue;
                    }
                    long c = Math.max(cost[k - 1][s], prefix[i] - prefix[s]);
                    if (c < cost[k][i]) {
                        cost[k][i] = c;
                        cut[k][i] = s;
                    }
                }
            }
        }
        List<LayerRange> ranges = new ArrayList<>();
        int end = n;
        for (int k = shards; k >= 1; k--) {
            int start = cut[k][end];
            ranges.addFirst(new LayerRange(start, end));
            end = start;
        }
        return List.copyOf(ranges);
    }
}
