package io.tern.engine.model;

import io.tern.engine.kernel.Int4Matrix;
import io.tern.engine.kernel.MatmulPool;

/** A float layer quantised to 4 bits per row at load (an lm_head at half the int8 bytes): int8 activations × 4-bit rows. */
public final class Int4Linear implements Linear {
    private final Int4Matrix weights; // (rows, cols) off-heap
    private final MatmulPool pool;    // with the native kernels

    public Int4Linear(Int4Matrix weights, MatmulPool pool) {
        this.weights = weights;
        this.pool = pool;
    }

    @Override public int rows() { return weights.rows(); }

    @Override public int cols() { return weights.cols(); }

    @Override public long weightBytes() { return weights.packedBytes(); }

    @Override
    public void forward(LinearInput in, float[] y) {
        pool.matmul(weights, in.int8(), y);
    }
}
