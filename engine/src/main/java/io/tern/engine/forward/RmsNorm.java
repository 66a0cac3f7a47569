package io.tern.engine.forward;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** RMSNorm with an F32 weight vector: the mapped model file's (float path) or its off-heap copy (int8 path). */
public final class RmsNorm {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private RmsNorm() {}

    /**
     * out[outOff + i] = x[xOff + i] / rms(x) · w[i] for i < n; out may be x. The sum of squares runs in float lanes,
     * summed in a fixed order at the end (the same bits in every process and JIT state), with a double tail.
     */
    public static void apply(float[] x, int xOff, int n, MemorySegment w, float eps, float[] out, int outOff) {
        int bound = F.loopBound(n), i = 0;
        double ss = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(F);
            for (; i < bound; i += F.length()) {
                FloatVector v = FloatVector.fromArray(F, x, xOff + i);
                acc = v.fma(v, acc);
            }
            for (int l = 0; l < F.length(); l++) ss += acc.lane(l);
        }
        for (; i < n; i++) ss += (double) x[xOff + i] * x[xOff + i];
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector wv = FloatVector.fromMemorySegment(F, w, (long) i * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
            FloatVector.fromArray(F, x, xOff + i).mul(scale).mul(wv).intoArray(out, outOff + i);
        }
        for (; i < n; i++) out[outOff + i] = x[xOff + i] * scale * w.getAtIndex(F32_LE, i);
    }

    /** Same for each of `rows` rows of length n. */
    public static void rows(float[] x, int rows, int n, MemorySegment w, float eps, float[] out) {
        for (int r = 0; r < rows; r++) apply(x, r * n, n, w, eps, out, r * n);
    }
}
