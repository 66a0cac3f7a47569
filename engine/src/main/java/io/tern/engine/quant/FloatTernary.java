package io.tern.engine.quant;

/**
 * Ternary codes for a float-typed linear weight. A tensor that is already s·T (every non-zero
 * magnitude equal, as in a dequantised BitNet file) keeps s exactly; any other is ternarised by its
 * absmean, as BitNet does with master weights. The engine's loader and the importer both use this
 * rule, so importing a float file gives the same int8-path model as loading it.
 */
public final class FloatTernary {
    /** Reads row r of the weight into dst[0..cols). */
    @FunctionalInterface
    public interface Rows {
        void read(int r, float[] dst);
    }

    private FloatTernary() {}

    /** The scale of a (rows, cols) weight: its common non-zero magnitude if it has one, else mean|W|. */
    public static float scale(int rows, int cols, Rows weight) {
        float[] row = new float[cols];
        double sumAbs = 0;
        float magnitude = 0;
        boolean ternary = true;
        for (int r = 0; r < rows; r++) {
            weight.read(r, row);
            for (float v : row) {
                float a = Math.abs(v);
                sumAbs += a;
                if (a == 0) continue;
                if (magnitude == 0) magnitude = a;
                else if (Math.abs(a - magnitude) > 1e-6f * magnitude) ternary = false;
            }
        }
        return ternary ? magnitude : (float) (sumAbs / ((long) rows * cols));
    }

    /** dst[dstOff + i] = clamp(round-half-up(w[off + i] / scale), −1, 1) for i < n; a zero scale gives zeros. */
    public static void codes(float[] w, int off, int n, float scale, byte[] dst, int dstOff) {
        float inv = scale == 0 ? 0 : 1f / scale;
        for (int i = 0; i < n; i++) dst[dstOff + i] = (byte) Math.max(-1, Math.min(1, Math.round(w[off + i] * inv)));
    }
}
