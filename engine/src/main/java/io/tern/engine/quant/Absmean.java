package io.tern.engine.quant;

/**
 * BitNet b1.58 weight ternarisation: s = mean|W| (at least 1e-5), T = clamp(round(W / s), -1, 1), W ≈ s·T.
 * Rounding is half-to-even, as torch.round.
 */
public final class Absmean {
    /** Floor of the scale, as BitNet's clamp(min=1e-5). */
    public static final float MIN_SCALE = 1e-5f;

    private Absmean() {
    }

    /** s = max(mean |w[off..off+n)|, 1e-5), accumulated in double. */
    public static float scale(float[] w, int off, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.abs(w[off + i]);
        }
        return (float) Math.max(n == 0 ? 0 : sum / n, MIN_SCALE);
    }

    /** Codes of w[off..off+n) for a given scale into codes[codeOff..]. */
    public static void ternarise(float[] w, int off, int n, float scale, byte[] codes, int codeOff) {
        for (int i = 0; i < n; i++) {
            double q = Math.rint(w[off + i] / scale);
            codes[codeOff + i] = (byte) Math.max(-1, Math.min(1, q));
        }
    }

    /** Ternarises w[off..off+n) into codes[codeOff..] and returns the absmean scale. */
    public static float ternarise(float[] w, int off, int n, byte[] codes, int codeOff) {
        float s = scale(w, off, n);
        ternarise(w, off, n, s, codes, codeOff);
        return s;
    }
}
