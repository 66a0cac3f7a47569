package io.tern.engine.sampler;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The selection against a full sort: short rows (one heap pass) and long ones (block floor first), ties and NaN. */
class TopKTest {
    /** The k highest indices by a stable sort: descending value, ties by lower index, NaN lowest. */
    private static int[] reference(float[] v, int off, int n, int k) {
        return IntStream.range(0, n).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> Float.isNaN(v[off + i]) ? Double.POSITIVE_INFINITY : -v[off + i])
                        .thenComparingInt(i -> i))
                .limit(k).mapToInt(Integer::intValue).sorted().toArray();
    }

    private static int[] selected(TopK top) {
        int[] got = new int[top.size()];
        for (int i = 0; i < got.length; i++) got[i] = top.index(i);
        Arrays.sort(got);
        return got;
    }

    @Test
    void matchesAFullSortOnShortAndLongRows() {
        SplittableRandom rnd = new SplittableRandom(17);
        for (int trial = 0; trial < 60; trial++) {
            int k = 1 + rnd.nextInt(40);
            int n = trial % 2 == 0 ? 1 + rnd.nextInt(3 * TopK.BLOCK) : 2 * k * TopK.BLOCK + rnd.nextInt(5000);
            int off = rnd.nextInt(7);
            float[] v = new float[off + n + 3];
            boolean coarse = trial % 3 == 0;  // few distinct values: many ties across the top
            for (int i = 0; i < v.length; i++) v[i] = coarse ? rnd.nextInt(9) : (float) rnd.nextGaussian() * 4;
            TopK top = new TopK(k);
            top.select(v, off, n);
            assertEquals(Math.min(k, n), top.size());
            assertArrayEquals(reference(v, off, n, k), selected(top), "trial " + trial + ", k " + k + ", n " + n);
        }
    }

    @Test
    void theBestClusteredInOneBlockAreAllFound() {
        int n = 64 * TopK.BLOCK, k = 16;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i % 97) * 0.01f;
        for (int i = 0; i < k; i++) v[5 * TopK.BLOCK + 3 + i] = 100 + i;  // all k in one block
        TopK top = new TopK(k);
        top.select(v, 0, n);
        assertArrayEquals(reference(v, 0, n, k), selected(top));
    }

    @Test
    void nanRanksBelowEveryNumber() {
        int n = 40 * TopK.BLOCK, k = 8;
        float[] v = new float[n];
        Arrays.fill(v, Float.NaN);
        for (int i = 0; i < 5; i++) v[i * 997] = i;   // fewer numbers than k: NaN fills the rest, lowest index first
        TopK top = new TopK(k);
        top.select(v, 0, n);
        assertArrayEquals(reference(v, 0, n, k), selected(top));
        float[] mixed = new float[n];
        SplittableRandom rnd = new SplittableRandom(3);
        for (int i = 0; i < n; i++) mixed[i] = rnd.nextInt(50) == 0 ? Float.NaN : (float) rnd.nextGaussian();
        top.select(mixed, 0, n);
        assertArrayEquals(reference(mixed, 0, n, k), selected(top));
    }

    @Test
    void rejectsAnEmptyPickAndReadsOnlyWhatItSelected() {
        assertThrows(IllegalArgumentException.class, () -> new TopK(0));
        TopK top = new TopK(4);
        top.select(new float[] {3, 1}, 0, 2);
        assertEquals(2, top.size());
        assertThrows(IndexOutOfBoundsException.class, () -> top.index(2));
    }
}
