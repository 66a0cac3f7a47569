package io.tern.store.shard;

import java.util.Arrays;

/**
 * Splits layers 0..L-1 into N contiguous ranges balanced by bytes. A shard weighs its layers, plus the embedding if
 * it is the first and the head if it is the last. First the smallest possible largest shard is found; then, among
 * the splits that achieve it, the one with the smallest sum of squared shard sizes, so that when one shard is big
 * anyway (a 2B4T embedding is as large as 27 layers) the others still share the layers evenly. Both steps are exact
 * dynamic programs over (shards, layers).
 */
final class LayerBalancer {

    private LayerBalancer() {
    }

    /** Range boundaries [0 = b0 < b1 < ... < bN = L]; every shard gets at least one layer. */
    static int[] split(long[] layerBytes, long firstExtra, long lastExtra, int count) {
        int layers = layerBytes.length;
        if (count < 1 || count > layers) {
            throw new IllegalArgumentException("cannot cut " + layers + " layers into " + count + " shards");
        }
        long[] prefix = new long[layers + 1];
        for (int i = 0; i < layers; i++) {
            prefix[i + 1] = prefix[i] + layerBytes[i];
        }
        long largest = (long) solve(prefix, firstExtra, lastExtra, count, Long.MAX_VALUE, false, null);
        return boundaries(prefix, firstExtra, lastExtra, count, largest);
    }

    private static long size(long[] prefix, long firstExtra, long lastExtra, int from, int to) {
        int layers = prefix.length - 1;
        return prefix[to] - prefix[from] + (from == 0 ? firstExtra : 0) + (to == layers ? lastExtra : 0);
    }

    /**
     * best[k][j] over splits of layers [0, j) into k shards, each at most {@code cap}: the largest shard, or (with
     * {@code squares}) the sum of squared sizes in units of the cap. Returns best[count][L]; fills {@code cut}
     * (start layer of shard k when layers [0, j) form k shards) unless null.
     */
    private static double solve(long[] prefix, long firstExtra, long lastExtra, int count, long cap, boolean squares,
                                int[][] cut) {
        int layers = prefix.length - 1;
        double[][] best = new double[count + 1][layers + 1];
        for (double[] row : best) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int k = 1; k <= count; k++) {
            for (int j = k; j <= layers; j++) {
                for (int i = k - 1; i < j; i++) {
                    if (best[k - 1][i] == Double.POSITIVE_INFINITY) {
                        continue;
                    }
                    long size = size(prefix, firstExtra, lastExtra, i, j);
                    if (size > cap) {
                        continue;
                    }
                    double value = squares
                            ? best[k - 1][i] + Math.pow((double) size / cap, 2)
                            : Math.max(best[k - 1][i], size);
                    if (value < best[k][j]) {
                        best[k][j] = value;
                        if (cut != null) {
                            cut[k][j] = i;
                        }
                    }
                }
            }
        }
        return best[count][layers];
    }

    private static int[] boundaries(long[] prefix, long firstExtra, long lastExtra, int count, long cap) {
        int layers = prefix.length - 1;
        int[][] cut = new int[count + 1][layers + 1];
        solve(prefix, firstExtra, lastExtra, count, Math.max(cap, 1), true, cut);
        int[] bounds = new int[count + 1];
        bounds[count] = layers;
        for (int k = count; k > 0; k--) {
            bounds[k - 1] = cut[k][bounds[k]];
        }
        return bounds;
    }
}
