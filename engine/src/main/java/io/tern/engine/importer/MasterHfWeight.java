package io.tern.engine.importer;

import io.tern.engine.quant.Absmean;

/**
 * A float master weight (BF16/F16/F32, (out, in)) ternarised by absmean as BitNet does: s = mean|W|, T =
 * clamp(round(W / s), -1, 1), the same as bitnet.cpp's preprocess-huggingface-bitnet.py before it quantises to I2_S.
 */
final class MasterHfWeight implements TernaryWeight {
    private final FloatSource weights;
    private final int rows;
    private final int cols;
    private float scale = Float.NaN;

    MasterHfWeight(FloatSource weights, int rows, int cols) {
        this.weights = weights;
        this.rows = rows;
        this.cols = cols;
    }

    @Override public int rows() { return rows; }

    @Override public int cols() { return cols; }

    @Override public long sourceBytes() { return weights.data().byteSize(); }

    @Override public String source() { return weights.name(); }

    /**
     * {@link Absmean#scale} over the whole tensor, streamed: the same sequential double sum and the same floor, so it
     * equals Absmean.scale(W) without holding W in memory.
     */
    synchronized float scale() {
        if (Float.isNaN(scale)) {
            long total = (long) rows * cols;
            float[] row = new float[cols];
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                weights.read((long) r * cols, row, cols);
                for (float v : row) {
                    sum += Math.abs(v);
                }
            }
            scale = (float) Math.max(sum / total, Absmean.MIN_SCALE);
        }
        return scale;
    }

    @Override
    public float codes(int first, int n, byte[] dst) {
        float s = scale();
        float[] w = new float[n * cols];
        weights.read((long) first * cols, w, w.length);
        Absmean.ternarise(w, 0, w.length, s, dst, 0);
        return s;
    }
}
