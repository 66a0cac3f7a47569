package io.tern.engine.forward;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rotary position embedding, NEOX style (rotate halves): pair (i, i + ropeDim/2) of each head
 * turns by pos · theta^(−2i/ropeDim). Angles are precomputed per position in double, once.
 */
public final class Rope {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private final int headDim;
    private final int half;
    private final float[] cos; // (maxPos, half)
    private final float[] sin; // (maxPos, half)
    private final int maxPos;

    private final double theta;
    private final int ropeDim;

    /** Angles for positions below maxPos are tabulated; later ones are computed on use. */
    public Rope(int headDim, int ropeDim, float theta, int maxPos) {
        this.headDim = headDim;
        this.half = ropeDim / 2;
        this.ropeDim = ropeDim;
        this.theta = theta;
        this.maxPos = maxPos;
        this.cos = new float[maxPos * half];
        this.sin = new float[maxPos * half];
        for (int p = 0; p < maxPos; p++) {
            for (int i = 0; i < half; i++) {
                double angle = angle(p, i);
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    /**
     * Rotates `heads` consecutive heads of x starting at off, for position pos. Tabulated positions run in float
     * lanes (x0·c − x1·s and x0·s + x1·c, each product rounded, as the scalar loop does: the same bits).
     */
    public void apply(float[] x, int off, int heads, int pos) {
        if (pos < 0) throw new IllegalArgumentException("negative position " + pos);
        if (pos >= maxPos) {
            applyComputed(x, off, heads, pos);
            return;
        }
        int base = pos * half, bound = F.loopBound(half);
        for (int h = 0; h < heads; h++) {
            int o = off + h * headDim, i = 0;
            for (; i < bound; i += F.length()) {
                FloatVector c = FloatVector.fromArray(F, cos, base + i), s = FloatVector.fromArray(F, sin, base + i);
                FloatVector x0 = FloatVector.fromArray(F, x, o + i), x1 = FloatVector.fromArray(F, x, o + i + half);
                x0.mul(c).sub(x1.mul(s)).intoArray(x, o + i);
                x0.mul(s).add(x1.mul(c)).intoArray(x, o + i + half);
            }
            for (; i < half; i++) rotate(x, o + i, cos[base + i], sin[base + i]);
        }
    }

    /** Positions past the table: angles computed on use, in double, then rotated in float. */
    private void applyComputed(float[] x, int off, int heads, int pos) {
        for (int h = 0; h < heads; h++) {
            int o = off + h * headDim;
            for (int i = 0; i < half; i++) {
                double angle = angle(pos, i);
                rotate(x, o + i, (float) Math.cos(angle), (float) Math.sin(angle));
            }
        }
    }

    /** The angle of pair i at position pos, in double: the table's and the computed path's alike. */
    private double angle(int pos, int i) {
        return pos * Math.pow(theta, -2.0 * i / ropeDim);
    }

    /** Pair (at, at + half) turned by the angle whose cosine and sine are c and s: the lanes' operations, one pair. */
    private void rotate(float[] x, int at, float c, float s) {
        float x0 = x[at], x1 = x[at + half];
        x[at] = x0 * c - x1 * s;
        x[at + half] = x0 * s + x1 * c;
    }
}
