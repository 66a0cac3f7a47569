package io.tern.engine.model;

import io.tern.engine.forward.FloatDot;
import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.sampler.TopK;

/**
 * The quantised lm_head with its best candidates computed again in float: every logit of a row comes from the int8
 * rows (half the bytes of the file's F16 head, read by all threads at the memory's pace) or the 4-bit ones (a quarter),
 * then the k highest are replaced by the float head's own value for that token — the file's row decoded and dotted
 * with the same float input as {@link FloatLinear} does, so bit for bit what the float head gives. Greedy picks and the top of a sampling
 * distribution then follow the float head unless its best token fell outside the quantised head's top k; the rest of
 * the vocabulary keeps its quantised logit.
 *
 * <p>The k rows are read with pread (as the token embedding is), so they never map file pages into the resident set.
 * A tied head shares the embedding's reader. Selection runs per token and the rescoring per (token, candidate) on
 * the model's compute pool; scratch is per thread.
 */
public final class RescoredHead implements Linear, AutoCloseable {
    private final Linear quantised;      // (vocab, dim) off-heap: Int8Linear or Int4Linear
    private final MatmulPool pool;
    private final Embedding floatRows;   // (vocab, dim) the file's float head, read a row at a time
    private final boolean ownsRows;      // false when the rows are the token embedding's reader
    private final int k;
    private final ThreadLocal<Scratch> scratch;

    /**
     * @param k        candidates rescored per row, at most the vocabulary (≥ 1)
     * @param ownsRows whether {@link #close} closes floatRows (false: the token embedding's own reader)
     */
    public RescoredHead(Linear quantised, Embedding floatRows, int k, boolean ownsRows, MatmulPool pool) {
        if (k < 1) throw new IllegalArgumentException("rescored candidates must be >= 1, got " + k);
        if (floatRows.vocab() != quantised.rows()) {
            throw new IllegalArgumentException("float rows hold " + floatRows.vocab() + " tokens, the quantised head " + quantised.rows());
        }
        this.quantised = quantised;
        this.pool = pool;
        this.floatRows = floatRows;
        this.ownsRows = ownsRows;
        this.k = Math.min(k, quantised.rows());
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(this.k, quantised.cols()));
    }

    @Override public int rows() { return quantised.rows(); }

    @Override public int cols() { return quantised.cols(); }

    /** The quantised rows, plus the k float rows one token reads (2B4T, int8, k = 16: 328 MB + 82 KB). */
    @Override public long weightBytes() { return quantised.weightBytes() + (long) k * floatRows.rowBytes(); }

    /** The quantised head alone (what every logit starts from). */
    public Linear quantised() { return quantised; }

    /** Candidates rescored per row. */
    public int candidates() { return k; }

    @Override
    public void forward(LinearInput in, float[] y) {
        quantised.forward(in, y);
        rescore(in, y);
    }

    /** Replaces each row's k highest logits of y (the quantised head's, for input in) with the float head's. */
    public void rescore(LinearInput in, float[] y) {
        float[] x = in.floats();
        int tokens = in.tokens(), vocab = rows(), dim = cols();
        int[] picked = new int[tokens * k];  // (tokens, k) token ids to rescore
        pool.parallelFor(tokens, t -> {
            TopK top = scratch.get().top;
            top.select(y, t * vocab, vocab);
            for (int i = 0; i < k; i++) picked[t * k + i] = top.index(i);
        });
        // Each row read with pread and decoded as FloatLinear decodes it, on every thread of the pool.
        pool.parallelFor(tokens * k, i -> {
            int t = i / k, token = picked[i];
            float[] row = scratch.get().row;
            floatRows.lookup(token, row, 0);
            y[t * vocab + token] = FloatDot.dot(row, 0, x, t * dim, dim);
        });
    }

    @Override
    public void close() {
        if (ownsRows) floatRows.close();
    }

    private static final class Scratch {
        final TopK top;
        final float[] row;

        Scratch(int k, int dim) {
            this.top = new TopK(k);
            this.row = new float[dim];
        }
    }
}
