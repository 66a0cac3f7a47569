package io.tern.engine.model;

import io.tern.engine.kernel.TernaryRows;
import io.tern.engine.quant.TensorCodec;

import java.lang.foreign.MemorySegment;

/**
 * Ternary rows from a float-typed weight (F32/F16/BF16/Q8_0) for the int8 path. A tensor that is
 * already s·T (every non-zero magnitude equal, as in a dequantised BitNet file) keeps s exactly;
 * any other is ternarised by absmean, as BitNet does with its master weights.
 */
final class FloatTernarizer {
    private FloatTernarizer() {}

    static TernaryRows of(MemorySegment data, TensorCodec codec, int rows, int cols, float extraScale) {
        long total = (long) rows * cols;
        float[] buf = new float[cols];
        double sumAbs = 0;
        float magnitude = 0;
        boolean ternary = true;
        for (int r = 0; r < rows; r++) {
            codec.decode(data, total, (long) r * cols, buf, 0, cols);
            for (float v : buf) {
                float a = Math.abs(v);
                sumAbs += a;
                if (a == 0) continue;
                if (magnitude == 0) magnitude = a;
                else if (Math.abs(a - magnitude) > 1e-6f * magnitude) ternary = false;
            }
        }
        float absmean = (float) (sumAbs / total);
        float scale = ternary ? magnitude : absmean;
        float inv = scale == 0 ? 0 : 1f / scale;
        return (r, dst) -> {
            float[] row = new float[cols];
            codec.decode(data, total, (long) r * cols, row, 0, cols);
            for (int c = 0; c < cols; c++) dst[c] = (byte) Math.max(-1, Math.min(1, Math.round(row[c] * inv)));
            return scale * extraScale;
        };
    }
}
