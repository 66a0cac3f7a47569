package io.tern.store.shard;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.gguf.GgufWriter;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.model.LayerRange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small shard cutter on the engine's GgufWriter: each shard keeps all metadata plus its layer range, the
 * {@code blk.N.*} tensors of its layers, {@code token_embd.weight} on the first shard (and on the last when the head
 * is tied to it), {@code output_norm.weight} and {@code output.weight} on the last. Tensors outside those groups
 * (none in BitNet today) go to every shard.
 */
public final class GgufShardCutter implements ShardCutter {
    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d{1,6})\\..*");

    @Override
    public List<CutShard> cut(Path canonicalGguf, int count, Path workDir) throws IOException {
        try (GgufFile file = GgufFile.open(canonicalGguf)) {
            int layers = BitNetConfig.from(file.metadata()).layers();
            boolean tied = file.tensor("output.weight").isEmpty();
            long[] layerBytes = new long[layers];
            long embedding = 0;
            long head = 0;
            for (GgufTensorInfo t : file.tensors()) {
                int layer = layerOf(t.name());
                if (layer >= 0) {
                    checkLayer(t, layer, layers);
                    layerBytes[layer] += t.byteSize();
                } else if (t.name().equals("token_embd.weight")) {
                    embedding = t.byteSize();
                } else if (t.name().startsWith("output")) {
                    head += t.byteSize();
                }
            }
            int[] bounds = LayerBalancer.split(layerBytes, embedding, tied ? head + embedding : head, count);
            List<CutShard> out = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                int start = bounds[k];
                int end = bounds[k + 1];
                Path shard = workDir.resolve("shard-" + count + "-" + k + ".gguf");
                write(file, start, end, layers, tied, shard);
                out.add(new CutShard(k, start, end, start == 0, end == layers, shard));
            }
            return out;
        }
    }

    private static void write(GgufFile file, int start, int end, int layers, boolean tied, Path out) throws IOException {
        GgufWriter w = new GgufWriter(out).putAll(file.metadata())
                .putUint32(LayerRange.START_KEY, start)
                .putUint32(LayerRange.END_KEY, end);
        boolean first = start == 0;
        boolean last = end == layers;
        for (GgufTensorInfo t : file.tensors()) {
            int layer = layerOf(t.name());
            boolean keep = switch (t.name()) {
                case "token_embd.weight" -> first || (last && tied);
                case "output_norm.weight", "output.weight" -> last;
                default -> layer < 0 || (layer >= start && layer < end);
            };
            if (keep) {
                w.copyTensor(file, t);
            }
        }
        w.write();
    }

    private static int layerOf(String name) {
        Matcher m = BLOCK.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static void checkLayer(GgufTensorInfo t, int layer, int layers) throws GgufFormatException {
        if (layer >= layers) {
            throw new GgufFormatException("tensor '" + t.name() + "' is for layer " + layer + " but the model has "
                    + layers + " layers");
        }
    }
}
