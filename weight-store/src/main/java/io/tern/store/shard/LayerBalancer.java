package io.tern.store.shard;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits layers 0..L-1 into N contiguous ranges so that the largest shard (its layers, plus the embedding for the
 * first and the head for the last) is as small as possible. Exact, by dynamic programming over (shards, layers).
 */
final class LayerBalancer {

    private LayerBalancer() {
    }

    /** Range boundaries [0 = b0 < b1 < ... < bN = L]; every shard gets at least one layer. */
    static int[] split(long[] layerBytes, long firstExtra, long lastExtra, int count) {
        int layers = layerBytes.length;
        if (count < 1 || count > layers) {
            throw new IllegalArgumentException("cannot cut " + layers + " layers into " + count + " shards");
        }
        long[] prefix = new long[layers + 1];
        for (int i = 0; i < layers; i++) {
            prefix[i + 1] = prefix[i] + layerBytes[i];
        }
        // best[k][j]: smallest possible largest shard when layers [0, j) form k shards; cut[k][j]: start of shard k.
        long[][] best = new long[count + 1][layers + 1];
        int[][] cut = new int[count + 1][layers + 1];
        for (long[] row : best) {
            java.util.Arrays.fill(row, Long.MAX_VALUE);
        }
        best[0][0] = 0;
        for (int k = 1; k <= count; k++) {
            for (int j = k; j <= layers; j++) {
                for (int i = k - 1; i < j; i++) {
                    if (best[k - 1][i] == Long.MAX_VALUE) {
                        continue;
                    }
                    long size = prefix[j] - prefix[i] + (i == 0 ? firstExtra : 0) + (j == layers ? lastExtra : 0);
                    long worst = Math.max(best[k - 1][i], size);
                    if (worst < best[k][j]) {
                        best[k][j] = worst;
                        cut[k][j] = i;
                    }
                }
            }
        }
        int[] bounds = new int[count + 1];
        bounds[count] = layers;
        for (int k = count; k > 0; k--) {
            bounds[k - 1] = cut[k][bounds[k]];
        }
        return bounds;
    }

    static List<int[]> ranges(int[] bounds) {
        List<int[]> out = new ArrayList<>();
        for (int k = 0; k + 1 < bounds.length; k++) {
            out.add(new int[] {bounds[k], bounds[k + 1]});
        }
        return out;
    }
}
