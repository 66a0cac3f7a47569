package io.tern.engine.model;

/** A bias-free linear layer y = W·x with W of shape (rows = out, cols = in). */
public interface Linear {
    int rows();

    int cols();

    /** y[t · rows + r] = Σ_c W[r][c] · x[t][c] for every token t of the input. */
    void forward(LinearInput in, float[] y);

    /** Bytes of weights this layer reads per forward step. */
    long weightBytes();
}
