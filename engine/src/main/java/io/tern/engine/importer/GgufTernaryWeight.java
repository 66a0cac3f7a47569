package io.tern.engine.importer;

import io.tern.engine.quant.TernaryCodec;
import java.lang.foreign.MemorySegment;

/**
 * A GGUF linear weight in a ternary type (TQ1_0, TQ2_0, I2_S): every block must carry the same scale; a separate
 * per-tensor {@code .scale} tensor (bitnet.cpp / llama.cpp) is folded in: s = block scale · extra. That is the
 * product the engine's loader forms, so the imported file computes exactly what the source did.
 */
final class GgufTernaryWeight implements TernaryWeight {
    private final MemorySegment data;
    private final TernaryCodec codec;
    private final int rows;
    private final int cols;
    private final float extra;
    private final String source;
    private float scale = Float.NaN;

    GgufTernaryWeight(MemorySegment data, TernaryCodec codec, int rows, int cols, float extra, String source) {
        this.data = data;
        this.codec = codec;
        this.rows = rows;
        this.cols = cols;
        this.extra = extra;
        this.source = source;
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public long sourceBytes() { return data.byteSize(); }

    @Override public String source() { return source; }

    @Override
    public float scale() throws ImportException {
        if (Float.isNaN(scale)) {
            long total = (long) rows * cols;
            int block = codec.type().blockSize();
            int chunk = Math.max(block, (1 << 20) / block * block);
            byte[] codes = new byte[chunk];
            float found = 0;
            for (long first = 0; first < total; first += chunk) {
                int n = (int) Math.min(chunk, total - first);
                float s = decode(first, n, codes);
                if (s == 0) {
                    continue;
                }
                if (found == 0) {
                    found = s;
                } else if (Float.compare(found, s) != 0) {
                    throw new ImportException("tensor '" + source + "' has scale " + s + " at element " + first
                            + " but " + found + " before; only one scale per tensor can be imported");
                }
            }
            scale = found * extra;
        }
        return scale;
    }

    @Override
    public void codes(int first, int n, byte[] dst) throws ImportException {
        decode((long) first * cols, n * cols, dst);
    }

    private float decode(long first, int n, byte[] dst) throws ImportException {
        try {
            return codec.decodeTernary(data, (long) rows * cols, first, dst, 0, n);
        } catch (IllegalStateException e) {
            throw new ImportException("tensor '" + source + "': " + e.getMessage());
        }
    }
}
