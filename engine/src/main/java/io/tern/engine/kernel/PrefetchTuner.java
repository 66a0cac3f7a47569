package io.tern.engine.kernel;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Decides at load whether the native kernels prefetch weights in software, by timing decode GEMVs over the model's own
 * matrices both ways. Which wins depends on the CPU: on an Intel VM the hardware prefetchers kept too few lines in
 * flight and prefetching 16 KB ahead took GEMV from 0.79 to 0.89-0.98 of a streaming read; on an AMD Zen 5 VM every
 * prefetch distance and hint tried made it slower (0.87 → 0.78). The two settings alternate pass by pass, so a busy
 * neighbour slows both alike; the faster total wins, a tie keeps prefetching on.
 */
public final class PrefetchTuner {
    /** Below this many bytes the matrices may sit in a last-level cache, and the timing says nothing about memory. */
    public static final long MIN_BYTES = 128L << 20;
    /** Timed passes per setting, after one untimed pass each. */
    private static final int PASSES = 4;

    /** What was measured and chosen: GB/s of weights streamed with and without software prefetch. */
    public record Result(boolean prefetch, double withGbs, double withoutGbs, long bytes) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "software prefetch %s: decode GEMV %.1f GB/s with it, %.1f GB/s without (%d passes each over %d MB of weights)",
                    prefetch ? "on" : "off", withGbs, withoutGbs, PASSES, bytes >> 20);
        }
    }

    private PrefetchTuner() {}

    /**
     * Times one-token matmuls over all of {@code matrices} on {@code pool}, sets the faster setting on {@code kernel}
     * and returns the figures; null (and the kernel left as it was) when they are too small to time.
     */
    public static Result tune(NativeKernel kernel, MatmulPool pool, List<TernaryMatrix> matrices) {
        return tune(kernel, pool, matrices, MIN_BYTES);
    }

    /** As {@link #tune(NativeKernel, MatmulPool, List)}, timing matrices of at least {@code minBytes} in all. */
    static Result tune(NativeKernel kernel, MatmulPool pool, List<TernaryMatrix> matrices, long minBytes) {
        long bytes = 0;
        int cols = 0, rows = 0;
        for (TernaryMatrix m : matrices) {
            bytes += m.packedBytes();
            rows = Math.max(rows, m.rows());
            cols = Math.max(cols, m.cols());
        }
        if (bytes < minBytes || matrices.isEmpty()) return null;
        boolean before = kernel.softwarePrefetch();
        float[] out = new float[rows];
        Map<Integer, Int8Activations> inputs = new HashMap<>();
        for (TernaryMatrix m : matrices) inputs.computeIfAbsent(m.cols(), PrefetchTuner::activations);
        long[] nanos = new long[2];
        try {
            for (int pass = 0; pass <= PASSES; pass++) {
                for (int i = 0; i < 2; i++) {
                    boolean on = ((pass + i) & 1) == 0;   // alternate which goes first
                    kernel.softwarePrefetch(on);
                    long t0 = System.nanoTime();
                    for (TernaryMatrix m : matrices) pool.matmul(m, inputs.get(m.cols()), out);
                    if (pass > 0) nanos[on ? 1 : 0] += System.nanoTime() - t0;
                }
            }
        } catch (RuntimeException e) {
            kernel.softwarePrefetch(before);
            throw e;
        }
        boolean prefetch = nanos[1] <= nanos[0];
        kernel.softwarePrefetch(prefetch);
        double with = PASSES * (double) bytes / nanos[1], without = PASSES * (double) bytes / nanos[0];
        return new Result(prefetch, with, without, bytes);
    }

    /** One token of random activations. */
    private static Int8Activations activations(int cols) {
        float[] f = new float[cols];
        SplittableRandom rnd = new SplittableRandom(cols);
        for (int i = 0; i < cols; i++) f[i] = (float) rnd.nextGaussian();
        Int8Activations x = new Int8Activations(1, cols);
        x.quantize(f, 0, 1);
        return x;
    }
}
