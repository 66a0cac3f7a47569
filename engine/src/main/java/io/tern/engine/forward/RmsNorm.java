package io.tern.engine.forward;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** RMSNorm with an F32 weight vector read straight from the mapped model file. */
public final class RmsNorm {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RmsNorm() {}

    /** out[outOff + i] = x[xOff + i] / rms(x) · w[i] for i < n; out may be x. */
    public static void apply(float[] x, int xOff, int n, MemorySegment w, float eps, float[] out, int outOff) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOff + i];
            ss += (double) v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOff + i] = x[xOff + i] * scale * w.getAtIndex(F32_LE, i);
        }
    }

    /** Same for each of `rows` rows of length n. */
    public static void rows(float[] x, int rows, int n, MemorySegment w, float eps, float[] out) {
        for (int r = 0; r < rows; r++) apply(x, r * n, n, w, eps, out, r * n);
    }
}
