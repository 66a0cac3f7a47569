package io.tern.engine.kernel;

import java.lang.foreign.Arena;

/**
 * Ternary weights × int8 activations, and int8 rows × int8 activations (the quantised lm_head). Implementations are
 * stateless and safe to call from many threads at once; all give bit-identical integer dot products.
 */
public interface TernaryKernel {
    String name();

    /** Packs rows × cols ternary weights (cols a multiple of 32) off-heap in {@code arena}. */
    TernaryMatrix pack(int rows, int cols, TernaryRows source, Arena arena);

    /** Integer dot products for rows [r0, r1) and all tokens of x: out[t * rows + r] = Σ_c W[r][c] · q[t][c]. */
    void dot(TernaryMatrix w, Int8Activations x, int r0, int r1, int[] out);

    /** Same, scaled: out[t * rows + r] = w.scale(r) · dot / x.scale(t). */
    void matmul(TernaryMatrix w, Int8Activations x, int r0, int r1, float[] out);

    /** int8 rows × int8 activations for rows [r0, r1): out[t * rows + r] = Σ_c W[r][c] · q[t][c]. */
    void dot(Int8Matrix w, Int8Activations x, int r0, int r1, int[] out);

    /** Same, scaled: out[t * rows + r] = w.scale(r) · dot / x.scale(t). */
    void matmul(Int8Matrix w, Int8Activations x, int r0, int r1, float[] out);
}
