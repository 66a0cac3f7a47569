package io.tern.engine.forward;

import io.tern.engine.kernel.MatmulPool;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Attention against a plain double-precision softmax, per KV cache type, thread count and prompt vs decode. */
class AttentionTest {
    private static final int HEAD_DIM = 64;

    /** Keys and values of every position, as put in the cache: (positions, kvDim). */
    record Case(int heads, int kvHeads, int headDim, int positions, float[] k, float[] v, float[] q) {
        static Case random(int heads, int kvHeads, int positions, long seed) {
            return random(heads, kvHeads, HEAD_DIM, positions, seed);
        }

        static Case random(int heads, int kvHeads, int headDim, int positions, long seed) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int kvDim = kvHeads * headDim, dim = heads * headDim;
            float[] k = new float[positions * kvDim], v = new float[positions * kvDim], q = new float[positions * dim];
            for (int i = 0; i < k.length; i++) k[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < q.length; i++) q[i] = (float) (rnd.nextGaussian() * 0.7);
            return new Case(heads, kvHeads, headDim, positions, k, v, q);
        }

        KvCache cache(KvType type) {
            KvCache c = new KvCache(1, kvHeads, headDim, positions, type);
            int kvDim = kvHeads * headDim;
            for (int p = 0; p < positions; p++) c.put(0, p, k, p * kvDim, v, p * kvDim);
            c.advanceTo(positions);
            return c;
        }

        /** Output row of the token at pos, in double. */
        double[] expected(int pos) {
            int dim = heads * headDim, kvDim = kvHeads * headDim, group = heads / kvHeads;
            double[] out = new double[dim];
            for (int h = 0; h < heads; h++) {
                int kvOff = (h / group) * headDim;
                double[] s = new double[pos + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j <= pos; j++) {
                    double dot = 0;
                    for (int d = 0; d < headDim; d++) dot += (double) q[pos * dim + h * headDim + d] * k[j * kvDim + kvOff + d];
                    s[j] = dot / Math.sqrt(headDim);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j <= pos; j++) sum += s[j] = Math.exp(s[j] - max);
                for (int j = 0; j <= pos; j++) {
                    for (int d = 0; d < headDim; d++) out[h * headDim + d] += s[j] / sum * v[j * kvDim + kvOff + d];
                }
            }
            return out;
        }
    }

    /** Decode steps at the given positions (one token each), against the double reference, on either page kernel. */
    @ParameterizedTest(name = "{0}, {1}/{2} heads, {3} threads, native {5}")
    @CsvSource({"F32, 8, 2, 1, 1e-5, false", "F32, 8, 2, 2, 1e-5, false", "F32, 3, 3, 2, 1e-5, false", "F32, 10, 2, 2, 1e-5, false",
            "F16, 8, 2, 2, 3e-3, false", "Q8, 8, 2, 2, 0.05, false", "Q8, 2, 1, 1, 0.05, false",
            "F32, 8, 2, 2, 1e-5, true", "F32, 10, 2, 1, 1e-5, true", "F16, 8, 2, 2, 3e-3, true", "Q8, 8, 2, 2, 0.05, true"})
    void decodeMatchesDoubleReference(KvType type, int heads, int kvHeads, int threads, double tol, boolean preferNative) {
        Case c = Case.random(heads, kvHeads, 700, heads * 31L + kvHeads);
        KvCache cache = c.cache(type);
        int dim = heads * HEAD_DIM;
        try (MatmulPool pool = new MatmulPool(null, threads)) {
            Attention att = new Attention(heads, kvHeads, HEAD_DIM, 1024, pool, preferNative);
            float[] out = new float[c.positions * dim];
            for (int pos : new int[] {0, 1, 17, 255, 256, 257, 511, 699}) {
                att.compute(c.q, pos, 1, pos, cache, 0, out);  // row pos of q and out: the token at pos
                float[] got = new float[dim];
                System.arraycopy(out, pos * dim, got, 0, dim);
                double[] want = c.expected(pos);
                double worst = 0;
                for (int i = 0; i < dim; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
                assertTrue(worst <= tol, type + " pos " + pos + ": max error " + worst + " > " + tol);
            }
        }
    }

    /** A prompt of many tokens (18 pages) gives the same bits as decoding them one by one, on 1 or 2 threads. */
    @ParameterizedTest(name = "{0}, native {1}")
    @CsvSource({"F32, false", "F16, false", "Q8, false", "F32, true", "F16, true", "Q8, true"})
    void promptEqualsDecodeBitForBit(KvType type, boolean preferNative) {
        int heads = 8, kvHeads = 2, dim = heads * HEAD_DIM, positions = 1100;
        Case c = Case.random(heads, kvHeads, positions, 5);
        KvCache cache = c.cache(type);
        try (MatmulPool one = new MatmulPool(null, 1); MatmulPool two = new MatmulPool(null, 2)) {
            float[] prompt = new float[positions * dim];
            new Attention(heads, kvHeads, HEAD_DIM, positions, two, preferNative).compute(c.q, 0, positions, 0, cache, 0, prompt);
            Attention single = new Attention(heads, kvHeads, HEAD_DIM, positions, one, preferNative);
            float[] out = new float[positions * dim];
            for (int pos = 0; pos < positions; pos++) single.compute(c.q, pos, 1, pos, cache, 0, out);
            assertArrayEquals(out, prompt);
        }
    }

    /**
     * A prompt fed in chunks that start mid-page (so query tiles straddle page boundaries, and the last tile of each
     * chunk is short) gives the same bits as decoding token by token.
     */
    @ParameterizedTest(name = "{0}, native {1}")
    @CsvSource({"F32, false", "F16, false", "Q8, false", "F16, true", "Q8, true"})
    void chunkedPromptEqualsDecodeBitForBit(KvType type, boolean preferNative) {
        int heads = 8, kvHeads = 2, dim = heads * HEAD_DIM, positions = 300;
        Case c = Case.random(heads, kvHeads, positions, 9);
        KvCache cache = c.cache(type);
        try (MatmulPool one = new MatmulPool(null, 1); MatmulPool two = new MatmulPool(null, 2)) {
            Attention chunks = new Attention(heads, kvHeads, HEAD_DIM, positions, two, preferNative);
            float[] prompt = new float[positions * dim];
            int[] cuts = {0, 1, 70, 131, 133, 241, positions};
            for (int i = 0; i + 1 < cuts.length; i++) {
                chunks.compute(c.q, cuts[i], cuts[i + 1] - cuts[i], cuts[i], cache, 0, prompt);
            }
            Attention single = new Attention(heads, kvHeads, HEAD_DIM, positions, one, preferNative);
            float[] out = new float[positions * dim];
            for (int pos = 0; pos < positions; pos++) single.compute(c.q, pos, 1, pos, cache, 0, out);
            assertArrayEquals(out, prompt);
        }
    }

    /**
     * Attention that stores the step's keys and values itself — a prompt chunk's before its job, a decode token's inside
     * it, by the task that runs its head's last page — gives the bits of attention over a cache filled beforehand: alone,
     * and in a batch whose two segments (a prompt chunk of one sequence, a decode token of another) share the job.
     */
    @ParameterizedTest(name = "{0}, {1} threads, native {2}")
    @CsvSource({"F32, 1, false", "F32, 2, false", "F16, 2, false", "Q8, 2, false", "F32, 2, true", "F16, 1, true", "F16, 2, true", "Q8, 2, true"})
    void storingKeysAndValuesInTheJobMatchesAFilledCache(KvType type, int threads, boolean preferNative) {
        int heads = 8, kvHeads = 2, dim = heads * HEAD_DIM, kvDim = kvHeads * HEAD_DIM, positions = 200, prompt = 70;
        Case c = Case.random(heads, kvHeads, positions, 13);
        KvCache filled = c.cache(type);
        KvCache stored = new KvCache(1, kvHeads, HEAD_DIM, positions, type), other = new KvCache(1, kvHeads, HEAD_DIM, positions, type);
        try (MatmulPool pool = new MatmulPool(null, threads)) {
            Attention att = new Attention(heads, kvHeads, HEAD_DIM, positions, pool, preferNative);
            float[] want = new float[positions * dim], got = new float[positions * dim];
            att.compute(c.q, 0, prompt, 0, filled, 0, want);
            att.compute(c.q, c.k, c.v, List.of(new ForwardPass.Segment(stored, 0, prompt)), 0, got);
            stored.advanceTo(prompt);
            assertArrayEquals(Arrays.copyOf(want, prompt * dim), Arrays.copyOf(got, prompt * dim), "prompt");
            for (int pos = prompt; pos < positions; pos++) {  // decode tokens across the pages at 64 and 128
                att.compute(c.q, pos, 1, pos, filled, 0, want);
                float[] out = new float[dim];
                att.compute(rows(c.q, pos, dim), rows(c.k, pos, kvDim), rows(c.v, pos, kvDim), List.of(new ForwardPass.Segment(stored, pos, 1)), 0, out);
                stored.advanceTo(pos + 1);
                assertArrayEquals(Arrays.copyOfRange(want, pos * dim, pos * dim + dim), out, "decode at " + pos);
            }
            // One job: rows 0..prompt-1 are a prompt of a second sequence, row prompt the decode token at 130 of the first.
            float[] q = new float[(prompt + 1) * dim], k = new float[(prompt + 1) * kvDim], v = new float[(prompt + 1) * kvDim];
            System.arraycopy(c.q, 0, q, 0, prompt * dim);
            System.arraycopy(c.k, 0, k, 0, prompt * kvDim);
            System.arraycopy(c.v, 0, v, 0, prompt * kvDim);
            System.arraycopy(c.q, 130 * dim, q, prompt * dim, dim);
            System.arraycopy(c.k, 130 * kvDim, k, prompt * kvDim, kvDim);
            System.arraycopy(c.v, 130 * kvDim, v, prompt * kvDim, kvDim);
            stored.truncate(130);
            float[] batch = new float[(prompt + 1) * dim];
            att.compute(q, k, v, List.of(new ForwardPass.Segment(other, 0, prompt), new ForwardPass.Segment(stored, 130, 1)), 0, batch);
            assertArrayEquals(Arrays.copyOf(want, prompt * dim), Arrays.copyOf(batch, prompt * dim), "batched prompt");
            assertArrayEquals(Arrays.copyOfRange(want, 130 * dim, 131 * dim), Arrays.copyOfRange(batch, prompt * dim, prompt * dim + dim), "batched decode");
        }
    }

    private static float[] rows(float[] a, int row, int width) { return Arrays.copyOfRange(a, row * width, row * width + width); }

    /**
     * The C page kernel gives the Java one's bits: head sizes with and without a remainder of the 4-vector tile, groups
     * of 1 to 5 query heads (register tiles of 4, or 2 on AVX2, with a rest), full and partial pages, prompt and decode.
     */
    @ParameterizedTest(name = "{0}, {1}/{2} heads of {3}")
    @CsvSource({"F32, 8, 2, 64", "F32, 20, 5, 128", "F32, 5, 1, 32", "F32, 3, 3, 96", "F32, 6, 2, 16",
            "F16, 8, 2, 64", "F16, 20, 5, 128", "F16, 5, 1, 32", "F16, 9, 3, 96", "Q8, 8, 2, 64", "Q8, 20, 5, 128", "Q8, 3, 3, 128"})
    void nativeKernelMatchesVectorKernelBitForBit(KvType type, int heads, int kvHeads, int headDim) {
        assumeTrue(NativePageAttention.unavailable() == null, () -> "no native page attention here: " + NativePageAttention.unavailable());
        int positions = 203, dim = heads * headDim;
        Case c = Case.random(heads, kvHeads, headDim, positions, heads * 7L + headDim);
        KvCache cache = c.cache(type);
        try (MatmulPool pool = new MatmulPool(null, 2)) {
            Attention vector = new Attention(heads, kvHeads, headDim, positions, pool, false);
            Attention inC = new Attention(heads, kvHeads, headDim, positions, pool, true);
            float[] want = new float[positions * dim], got = new float[positions * dim];
            vector.compute(c.q, 0, positions, 0, cache, 0, want);
            inC.compute(c.q, 0, positions, 0, cache, 0, got);
            assertArrayEquals(want, got, "prompt");
            for (int pos : new int[] {0, 5, 63, 64, 150, 202}) {
                vector.compute(c.q, pos, 1, pos, cache, 0, want);
                inC.compute(c.q, pos, 1, pos, cache, 0, got);
                assertArrayEquals(Arrays.copyOfRange(want, pos * dim, pos * dim + dim),
                        Arrays.copyOfRange(got, pos * dim, pos * dim + dim), "decode at " + pos);
            }
        }
    }

    @Test
    void vectorExpIsWithinAFewUlp() {
        SplittableRandom rnd = new SplittableRandom(3);
        int n = FloatVector.SPECIES_PREFERRED.length();
        float[] x = new float[n], y = new float[n];
        for (int rep = 0; rep < 20000; rep++) {
            for (int i = 0; i < n; i++) x[i] = rep == 0 ? -i * 0.25f : (float) (-rnd.nextDouble() * 90);
            PageAttention.exp(FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0)).intoArray(y, 0);
            for (int i = 0; i < n; i++) {
                double want = Math.exp(Math.max(x[i], -87f));
                assertTrue(Math.abs(y[i] - want) <= 4 * Math.ulp((float) want), "exp(" + x[i] + ") = " + y[i] + ", want " + want);
            }
        }
        assertEquals(1f, PageAttention.exp(FloatVector.zero(FloatVector.SPECIES_PREFERRED)).lane(0));
    }

    @Test
    void cacheSizesFollowTheType() {
        int page = KvCache.PAGE;
        assertEquals(2L * page * 640 * 4 * 30, KvCache.bytesFor(30, 640, 1));
        assertEquals(KvCache.bytesFor(30, 640, 300), KvCache.bytesFor(30, 5, 128, 300, KvType.F32));
        assertEquals(2L * 2 * page * 640 * 2 * 30, KvCache.bytesFor(30, 5, 128, 2 * page, KvType.F16));
        assertEquals(2L * page * (640 + 5 * 4) * 30, KvCache.bytesFor(30, 5, 128, page, KvType.Q8));
        KvCache c = new KvCache(2, 5, 128, 1000, KvType.Q8);
        assertEquals(0, c.bytes());
        c.put(1, 300, new float[640], 0, new float[640], 0);
        assertEquals(KvCache.bytesFor(1, 5, 128, 1, KvType.Q8), c.bytes());
    }
}
