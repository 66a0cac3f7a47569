package io.tern.engine.forward;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Float dot products over heap arrays, with the Vector API; results are bit-reproducible. */
public final class FloatDot {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private FloatDot() {}

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0f;
        if (n >= S.length()) {
            FloatVector acc = FloatVector.zero(S);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
            }
            // Lanes summed in a fixed order: reduceLanes may add in a different order once C2
            // compiles it, and the same inputs must give the same bits in every process.
            for (int l = 0; l < S.length(); l++) sum += acc.lane(l);
        }
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }
}
