package io.tern.engine.model;

import io.tern.engine.kernel.TernaryRows;
import io.tern.engine.quant.FloatTernary;
import io.tern.engine.quant.TensorCodec;

import java.lang.foreign.MemorySegment;

/** Ternary rows from a float-typed weight (F32/F16/BF16/Q8_0) for the int8 path, by {@link FloatTernary}'s rule. */
final class FloatTernarizer {
    private FloatTernarizer() {}

    static TernaryRows of(MemorySegment data, TensorCodec codec, int rows, int cols, float extraScale) {
        long total = (long) rows * cols;
        FloatTernary.Rows read = (r, dst) -> codec.decode(data, total, (long) r * cols, dst, 0, cols);
        float scale = FloatTernary.scale(rows, cols, read);
        return (r, dst) -> {
            float[] row = new float[cols];
            read.read(r, row);
            FloatTernary.codes(row, 0, cols, scale, dst, 0);
            return scale * extraScale;
        };
    }
}
