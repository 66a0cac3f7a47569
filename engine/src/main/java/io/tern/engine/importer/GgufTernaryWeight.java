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

    /** The chunk's codes and block scale (blocks within it must agree; the encoder checks across chunks). */
    @Override
    public float codes(int first, int n, byte[] dst) throws ImportException {
        try {
            return codec.decodeTernary(data, (long) rows * cols, (long) first * cols, dst, 0, n * cols) * extra;
        } catch (IllegalStateException e) {
            throw new ImportException("tensor '" + source + "': " + e.getMessage());
        }
    }
}
