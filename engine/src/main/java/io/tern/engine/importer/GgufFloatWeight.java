package io.tern.engine.importer;

/**
 * A GGUF linear weight in a float type. The rule is the engine loader's (model/FloatTernarizer): a tensor that is
 * already s·T (every non-zero magnitude equal within 1e-6) keeps s exactly; any other is ternarised with its absmean,
 * codes = round-half-up(w / s) clamped to ±1. Importing it therefore gives the same int8-path model as loading it.
 */
final class GgufFloatWeight implements TernaryWeight {
    private final FloatSource weights;
    private final int rows;
    private final int cols;
    private final float extra;
    private float scale = Float.NaN; // without extra

    GgufFloatWeight(FloatSource weights, int rows, int cols, float extra) {
        this.weights = weights;
        this.rows = rows;
        this.cols = cols;
        this.extra = extra;
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public long sourceBytes() { return weights.data().byteSize(); }

    @Override public String source() { return weights.name(); }

    private synchronized float own() {
        if (Float.isNaN(scale)) {
            float[] row = new float[cols];
            double sumAbs = 0;
            float magnitude = 0;
            boolean ternary = true;
            for (int r = 0; r < rows; r++) {
                weights.read((long) r * cols, row, cols);
                for (float v : row) {
                    float a = Math.abs(v);
                    sumAbs += a;
                    if (a == 0) {
                        continue;
                    }
                    if (magnitude == 0) {
                        magnitude = a;
                    } else if (Math.abs(a - magnitude) > 1e-6f * magnitude) {
                        ternary = false;
                    }
                }
            }
            scale = ternary ? magnitude : (float) (sumAbs / ((long) rows * cols));
        }
        return scale;
    }

    @Override
    public float codes(int first, int n, byte[] dst) {
        float s = own();
        float inv = s == 0 ? 0 : 1f / s;
        float[] w = new float[n * cols];
        weights.read((long) first * cols, w, w.length);
        for (int i = 0; i < w.length; i++) {
            dst[i] = (byte) Math.max(-1, Math.min(1, Math.round(w[i] * inv)));
        }
        return s * extra;
    }
}
