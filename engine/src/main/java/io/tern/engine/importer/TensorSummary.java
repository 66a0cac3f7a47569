package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import java.util.Arrays;

/**
 * One tensor of the canonical GGUF.
 *
 * @param dims   ggml order (ne0 first)
 * @param scale  the I2_S per-tensor scale, NaN for other types
 * @param source the source tensor(s) it was made from
 */
public record TensorSummary(String name, GgmlType type, long[] dims, float scale, String source) {
    public TensorSummary {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims) + (Float.isNaN(scale) ? "" : " scale " + scale)
                + " <- " + source;
    }
}
