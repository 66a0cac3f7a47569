package io.tern.engine.sampler;

import java.util.Arrays;

/**
 * Picks tokens from logits: greedy, or temperature → top-k → top-p → a draw from a seeded
 * SplitMix64 stream (so a seed reproduces the same tokens in any process). One per sequence.
 */
public final class Sampler {
    private final SamplingParams params;
    private long state;
    private long[] order = new long[0]; // scratch: (logit bits, id) packed for sorting
    private float[] probs = new float[0];

    public Sampler(SamplingParams params) {
        this.params = params;
        this.state = params.seed();
    }

    public SamplingParams params() { return params; }

    /** Samples from logits[off .. off + vocab). */
    public int sample(float[] logits, int off, int vocab) {
        if (params.greedy()) return argmax(logits, off, vocab);
        int n = candidates(logits, off, vocab);
        // Softmax with temperature over the candidates, which are sorted by descending logit.
        float max = logits[off + id(0)];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float p = (float) Math.exp((logits[off + id(i)] - max) / params.temperature());
            probs[i] = p;
            sum += p;
        }
        // Top-p: the shortest prefix whose mass reaches p.
        if (params.topP() < 1f) {
            double cum = 0;
            int keep = n;
            for (int i = 0; i < n; i++) {
                cum += probs[i] / sum;
                if (cum >= params.topP()) { keep = i + 1; break; }
            }
            n = keep;
            sum = 0;
            for (int i = 0; i < n; i++) sum += probs[i];
        }
        double u = nextDouble() * sum;
        double cum = 0;
        for (int i = 0; i < n; i++) {
            cum += probs[i];
            if (u < cum) return id(i);
        }
        return id(n - 1);
    }

    public static int argmax(float[] logits, int off, int vocab) {
        int best = 0;
        for (int i = 1; i < vocab; i++) if (logits[off + i] > logits[off + best]) best = i;
        return best;
    }

    /** Sorts token ids by descending logit into order[0..n), cut to top-k; returns n. */
    private int candidates(float[] logits, int off, int vocab) {
        if (order.length < vocab) {
            order = new long[vocab];
            probs = new float[vocab];
        }
        for (int i = 0; i < vocab; i++) {
            // Descending logit, then ascending id: sort ascending on (~sortable bits, id).
            int bits = Float.floatToIntBits(logits[off + i]);
            int sortable = bits >= 0 ? bits : bits ^ 0x7fffffff;
            order[i] = ((long) ~sortable << 32) | i;
        }
        Arrays.sort(order, 0, vocab);
        int k = params.topK();
        return k > 0 && k < vocab ? k : vocab;
    }

    private int id(int i) { return (int) order[i]; }

    private double nextDouble() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
