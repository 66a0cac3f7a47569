package io.tern.engine.model;

import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.kernel.TernaryMatrix;

/**
 * Linear layers that read the same input — q, k and v; gate and up. On the int8 path they run as one job of the
 * compute pool (one wake-up, one wait, threads balanced over all their rows); otherwise one after the other.
 * Holds the job's operand arrays: one instance per forward pass.
 */
public final class LinearGroup {
    private final Linear[] members;
    private final MatmulPool pool;            // non-null only if every member is ternary on this pool
    private final TernaryMatrix[] matrices;   // (members)
    private final float[][] outs;             // (members) the current call's outputs

    public LinearGroup(Linear... members) {
        if (members.length < 1 || members.length > MatmulPool.MAX_GROUP) {
            throw new IllegalArgumentException("a group holds 1.." + MatmulPool.MAX_GROUP + " layers, got " + members.length);
        }
        this.members = members.clone();
        this.matrices = new TernaryMatrix[members.length];
        this.outs = new float[members.length][];
        MatmulPool shared = members[0] instanceof TernaryLinear t ? t.pool() : null;
        for (int m = 0; m < members.length; m++) {
            if (!(members[m] instanceof TernaryLinear t) || t.pool() != shared) {
                shared = null;
                break;
            }
            matrices[m] = t.weights();
        }
        this.pool = shared;
    }

    public void forward(LinearInput in, float[] y0, float[] y1) {
        requireSize(2);
        outs[0] = y0;
        outs[1] = y1;
        run(in);
    }

    public void forward(LinearInput in, float[] y0, float[] y1, float[] y2) {
        requireSize(3);
        outs[0] = y0;
        outs[1] = y1;
        outs[2] = y2;
        run(in);
    }

    private void requireSize(int n) {
        if (members.length != n) throw new IllegalArgumentException("group has " + members.length + " layers, got " + n + " outputs");
    }

    private void run(LinearInput in) {
        try {
            if (pool != null) {
                pool.matmul(matrices, members.length, in.int8(), outs);
            } else {
                for (int m = 0; m < members.length; m++) members[m].forward(in, outs[m]);
            }
        } finally {
            java.util.Arrays.fill(outs, null);
        }
    }
}
