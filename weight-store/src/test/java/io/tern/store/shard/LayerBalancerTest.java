package io.tern.store.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class LayerBalancerTest {

    @Test
    void equalLayersSplitEvenly() {
        assertArrayEquals(new int[] {0, 2, 4, 6}, LayerBalancer.split(new long[] {5, 5, 5, 5, 5, 5}, 0, 0, 3));
        assertArrayEquals(new int[] {0, 6}, LayerBalancer.split(new long[] {5, 5, 5, 5, 5, 5}, 0, 0, 1));
    }

    @Test
    void everyShardGetsALayer() {
        assertArrayEquals(new int[] {0, 1, 2, 3}, LayerBalancer.split(new long[] {1, 1, 1}, 1000, 1000, 3));
        assertThrows(IllegalArgumentException.class, () -> LayerBalancer.split(new long[] {1, 1}, 0, 0, 3));
    }

    @Test
    void aHeavyEmbeddingDoesNotStarveTheMiddleShards() {
        // 2B4T-like: a tied F16 embedding as heavy as ~27 layers rides on the first and the last shard.
        long[] layers = new long[30];
        java.util.Arrays.fill(layers, 24);
        assertArrayEquals(new int[] {0, 1, 15, 29, 30}, LayerBalancer.split(layers, 657, 657, 4));
    }

    @Test
    void largestShardIsAsSmallAsAnySplitAllows() {
        Random r = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int layers = 1 + r.nextInt(9);
            int count = 1 + r.nextInt(layers);
            long[] bytes = r.longs(layers, 1, 100).toArray();
            long first = r.nextInt(300);
            long last = r.nextInt(300);
            int[] b = LayerBalancer.split(bytes, first, last, count);
            assertEquals(0, b[0]);
            assertEquals(layers, b[count]);
            assertEquals(bruteForce(bytes, first, last, count, 0), largest(bytes, first, last, b), "trial " + trial);
        }
    }

    private static long largest(long[] bytes, long first, long last, int[] bounds) {
        long worst = 0;
        for (int k = 0; k + 1 < bounds.length; k++) {
            long s = (bounds[k] == 0 ? first : 0) + (bounds[k + 1] == bytes.length ? last : 0);
            for (int i = bounds[k]; i < bounds[k + 1]; i++) {
                s += bytes[i];
            }
            worst = Math.max(worst, s);
        }
        return worst;
    }

    /** Smallest largest shard over every split of layers [start, L) into count shards. */
    private static long bruteForce(long[] bytes, long first, long last, int count, int start) {
        long best = Long.MAX_VALUE;
        int maxEnd = count == 1 ? bytes.length : bytes.length - count + 1;
        for (int end = count == 1 ? bytes.length : start + 1; end <= maxEnd; end++) {
            long s = (start == 0 ? first : 0) + (end == bytes.length ? last : 0);
            for (int i = start; i < end; i++) {
                s += bytes[i];
            }
            long rest = count == 1 ? 0 : bruteForce(bytes, first, last, count - 1, end);
            best = Math.min(best, Math.max(s, rest));
        }
        return best;
    }
}
