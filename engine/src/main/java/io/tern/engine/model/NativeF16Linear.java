package io.tern.engine.model;

import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.kernel.NativeKernel;

import java.lang.foreign.MemorySegment;

/**
 * An F16 matrix (the lm_head kept in the file's F16, {@code --float-head}) read in C: each row widened and dotted in
 * vector lanes, rows split over the pool. {@link FloatLinear} dequantises a row into a buffer and then dots it, which
 * streamed the 657 MB of the 2B4T head at ~15 GB/s; this streams it like the other native kernels. Sums run in a
 * different order than FloatLinear's, so the logits differ from it in the last bits.
 */
public final class NativeF16Linear implements Linear {
    /** Rows per pool task: 512 rows of 2,560 halves are 2.6 MB. */
    private static final int ROWS_PER_TASK = 512;

    private final MemorySegment data;  // (rows, cols) halves
    private final int rows;
    private final int cols;
    private final NativeKernel kernel;
    private final MatmulPool pool;

    public NativeF16Linear(MemorySegment data, int rows, int cols, NativeKernel kernel, MatmulPool pool) {
        if (!kernel.hasF16()) throw new IllegalArgumentException("no native F16 kernel on this CPU");
        if (data.byteSize() != 2L * rows * cols) throw new IllegalArgumentException("F16 matrix of " + data.byteSize() + " bytes is not " + rows + "x" + cols);
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.kernel = kernel;
        this.pool = pool;
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public long weightBytes() { return data.byteSize(); }

    @Override
    public void forward(LinearInput in, float[] y) {
        float[] x = in.floats();
        int tokens = in.tokens();
        pool.parallelFor(Math.ceilDiv(rows, ROWS_PER_TASK), task ->
                kernel.matmulF16(data, rows, cols, task * ROWS_PER_TASK, Math.min(rows, (task + 1) * ROWS_PER_TASK), x, tokens, y));
    }
}
