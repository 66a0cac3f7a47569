package io.tern.engine.model;

import io.tern.engine.forward.FloatDot;
import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.quant.TensorCodec;

import java.lang.foreign.MemorySegment;

/**
 * The float reference path: each weight row is dequantised from the mapped file into a small
 * scratch buffer when it is needed and dotted with every token, so no copy of the weights ever
 * lives on the heap. Correct first; the int8 path is the fast one. Each output is computed by one
 * thread in a fixed order, so results do not depend on the thread count.
 */
public final class FloatLinear implements Linear {
    private static final int ROWS_PER_TASK = 64;

    private final MemorySegment data;
    private final TensorCodec codec;
    private final int rows;
    private final int cols;
    private final float scale; // extra per-tensor scale (bitnet.cpp's "<name>.scale"), else 1
    private final MatmulPool pool;
    private final ThreadLocal<float[]> rowBuffer;

    public FloatLinear(MemorySegment data, TensorCodec codec, int rows, int cols, float scale, MatmulPool pool) {
        this.data = data;
        this.codec = codec;
        this.rows = rows;
        this.cols = cols;
        this.scale = scale;
        this.pool = pool;
        this.rowBuffer = ThreadLocal.withInitial(() -> new float[cols]);
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public long weightBytes() { return data.byteSize(); }

    /** Dequantises row r into dst[off..off+cols). */
    public void row(int r, float[] dst, int off) {
        codec.decode(data, (long) rows * cols, (long) r * cols, dst, off, cols);
        if (scale != 1f) for (int c = 0; c < cols; c++) dst[off + c] *= scale;
    }

    @Override
    public void forward(LinearInput in, float[] y) {
        float[] x = in.floats();
        int tokens = in.tokens();
        pool.parallelFor(Math.ceilDiv(rows, ROWS_PER_TASK), task -> {
            float[] w = rowBuffer.get();
            int end = Math.min(rows, (task + 1) * ROWS_PER_TASK);
            for (int r = task * ROWS_PER_TASK; r < end; r++) {
                row(r, w, 0);
                for (int t = 0; t < tokens; t++) y[t * rows + r] = FloatDot.dot(w, 0, x, t * cols, cols);
            }
        });
    }
}
