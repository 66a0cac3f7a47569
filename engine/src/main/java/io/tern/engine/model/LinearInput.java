package io.tern.engine.model;

import io.tern.engine.kernel.Int8Activations;
import io.tern.engine.kernel.MatmulPool;

/**
 * The input of one or more linear layers: float rows (tokens, cols), quantised to int8 at most
 * once however many ternary layers read it (q, k and v share one quantisation, as do gate and up).
 */
public final class LinearInput {
    private final int cols;
    private final Int8Activations quantized; // (maxTokens, cols)
    private float[] x;                       // (tokens, cols)
    private int tokens;
    private boolean isQuantized;

    private final MatmulPool pool;            // quantises tokens in parallel; may be null

    public LinearInput(int maxTokens, int cols, MatmulPool pool) {
        this.cols = cols;
        this.pool = pool;
        this.quantized = new Int8Activations(maxTokens, cols);
    }

    /** Points at new activations; the int8 copy is made on first use. */
    public LinearInput set(float[] x, int tokens) {
        this.x = x;
        this.tokens = tokens;
        this.isQuantized = false;
        return this;
    }

    public float[] floats() { return x; }

    public int tokens() { return tokens; }

    public int cols() { return cols; }

    public Int8Activations int8() {
        if (!isQuantized) {
            quantized.quantize(x, 0, tokens, pool);
            isQuantized = true;
        }
        return quantized;
    }
}
