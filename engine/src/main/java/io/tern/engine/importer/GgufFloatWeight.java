package io.tern.engine.importer;

import io.tern.engine.quant.FloatTernary;

/**
 * A GGUF linear weight in a float type, ternarised by {@link FloatTernary}'s rule (the engine loader's too), so
 * importing it gives the same int8-path model as loading it.
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
            scale = FloatTernary.scale(rows, cols, (r, dst) -> weights.read((long) r * cols, dst, cols));
        }
        return scale;
    }

    @Override
    public float codes(int first, int n, byte[] dst) {
        float s = own();
        float[] w = new float[n * cols];
        weights.read((long) first * cols, w, w.length);
        FloatTernary.codes(w, 0, w.length, s, dst, 0);
        return s * extra;
    }
}
