package io.tern.engine.shard;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufFormatException;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.gguf.GgufWriter;
import io.tern.engine.model.BitNetConfig;
import io.tern.engine.model.LayerRange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes one shard of a canonical model: all metadata, plus {@code tern.shard.layer_start/_end} (which the
 * engine's ModelLoader honours) and {@code tern.shard.index/count}; the range's {@code blk.N.*} tensors under their
 * original N; {@code token_embd} when the shard holds layer 0, or when it holds the last layer and the head is tied
 * (no {@code output.weight}); {@code output_norm} and {@code output} when it holds the last layer.
 */
public final class ShardWriter {
    public static final String INDEX_KEY = "tern.shard.index";
    public static final String COUNT_KEY = "tern.shard.count";
    static final String EMBEDDING = "token_embd.weight";
    static final String OUTPUT_NORM = "output_norm.weight";
    static final String OUTPUT = "output.weight";

    private ShardWriter() {
    }

    /** Writes shard {@code index} of a plan (contiguous ranges covering every layer, as ShardPlanner makes). */
    public static void write(GgufFile source, List<LayerRange> plan, int index, Path out) throws IOException {
        int expected = 0;
        for (LayerRange r : plan) {
            if (r.start() != expected || r.count() == 0) {
                throw new IllegalArgumentException("plan " + plan + " is not contiguous non-empty ranges from layer 0");
            }
            expected = r.end();
        }
        if (index < 0 || index >= plan.size()) {
            throw new IllegalArgumentException("shard index " + index + " is outside a plan of " + plan.size());
        }
        write(source, plan.get(index), index, plan.size(), out);
    }

    public static void write(GgufFile source, LayerRange range, int index, int count, Path out) throws IOException {
        BitNetConfig c = BitNetConfig.from(source.metadata());
        if (source.metadata().has(LayerRange.START_KEY) || source.metadata().has(LayerRange.END_KEY)) {
            throw new GgufFormatException(source.path().getFileName() + " is already a shard; cut the whole model");
        }
        if (range.count() == 0 || range.end() > c.layers()) {
            throw new IllegalArgumentException("layer range [" + range.start() + ", " + range.end()
                    + ") is empty or outside the model's " + c.layers() + " layers");
        }
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard index " + index + " is outside a count of " + count);
        }
        boolean first = range.holdsFirst();
        boolean last = range.holdsLast(c.layers());
        boolean tied = source.tensor(OUTPUT).isEmpty();
        GgufWriter w = new GgufWriter(out).putAll(source.metadata())
                .putUint32(LayerRange.START_KEY, range.start())
                .putUint32(LayerRange.END_KEY, range.end())
                .putUint32(INDEX_KEY, index)
                .putUint32(COUNT_KEY, count);
        for (GgufTensorInfo t : source.tensors()) {
            int layer = layerOf(t.name());
            boolean keep = layer >= 0
                    ? layer >= range.start() && layer < range.end()
                    : switch (t.name()) {
                        case EMBEDDING -> first || (last && tied);
                        case OUTPUT_NORM, OUTPUT -> last;
                        default -> true;
                    };
            if (keep) {
                w.copyTensor(source, t);
            }
        }
        w.write();
    }

    /** N of a {@code blk.N.*} tensor name, or -1. */
    static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int dot = name.indexOf('.', 4);
        try {
            return dot < 0 ? -1 : Integer.parseInt(name, 4, dot, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
