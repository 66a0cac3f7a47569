package io.tern.engine.model;

import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.kernel.TernaryMatrix;

/** BitNet's int8 path: ternary weights × int8 activations, then × weight scale ÷ activation scale. */
public final class TernaryLinear implements Linear {
    private final TernaryMatrix weights; // (rows, cols) packed off-heap
    private final MatmulPool pool;

    public TernaryLinear(TernaryMatrix weights, MatmulPool pool) {
        this.weights = weights;
        this.pool = pool;
    }

    public TernaryMatrix weights() { return weights; }

    public MatmulPool pool() { return pool; }

    @Override public int rows() { return weights.rows(); }

    @Override public int cols() { return weights.cols(); }

    @Override public long weightBytes() { return weights.packedBytes(); }

    @Override
    public void forward(LinearInput in, float[] y) {
        pool.matmul(weights, in.int8(), y);
    }
}
