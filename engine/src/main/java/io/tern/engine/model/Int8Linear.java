package io.tern.engine.model;

import io.tern.engine.kernel.Int8Matrix;
import io.tern.engine.kernel.MatmulPool;

/** A float layer quantised to int8 per row at load (the lm_head): int8 activations × int8 rows, then rescaled. */
public final class Int8Linear implements Linear {
    private final Int8Matrix weights; // (rows, cols) off-heap
    private final MatmulPool pool;

    public Int8Linear(Int8Matrix weights, MatmulPool pool) {
        this.weights = weights;
        this.pool = pool;
    }

    @Override public int rows() { return weights.rows(); }

    @Override public int cols() { return weights.cols(); }

    @Override public long weightBytes() { return weights.packedBytes(); }

    public Int8Matrix weights() { return weights; }

    @Override
    public void forward(LinearInput in, float[] y) {
        pool.matmul(weights, in.int8(), y);
    }
}
