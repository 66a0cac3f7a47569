package io.tern.engine.kernel;

import io.tern.engine.memory.WeightArena;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The ternary GEMV alone against a plain read: one token against one packed matrix too large for any cache, one pool
 * job per pass (the kernel's streaming rate without a decode step's many small jobs, attention and norms), in passes
 * that alternate with passes of {@link StreamBandwidth}'s read over a 1 GiB buffer on the pool's own threads. The
 * ratio is the median of each round's pair: this machine's read bandwidth moved by ±20% from one second to the next,
 * so passes measured apart compared noise (a GEMV's best pass came out at 1.17 of a stream read's best taken earlier).
 */
public final class GemvBandwidth {
    private static final long STREAM_BYTES = 1L << 30;

    /** Medians over the rounds: GEMV GB/s of packed weights, the read's GB/s, and the per-round ratio. */
    public record Result(double gemvGbs, double streamGbs, double ratio, int rounds) {}

    private GemvBandwidth() {}

    /**
     * {@code rounds} alternating pairs of passes (after two warm-up pairs): a random matrix of about {@code bytes}
     * packed, {@code cols} columns, on the pool's kernel and threads; and the plain read.
     */
    public static Result measure(MatmulPool pool, int cols, long bytes, int rounds) throws InterruptedException {
        TernaryKernel kernel = pool.kernel();
        if (kernel == null) throw new IllegalArgumentException("the pool has no ternary kernel");
        if (cols % 256 != 0) throw new IllegalArgumentException("cols must be a multiple of 256, got " + cols);
        if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1");
        int rows = (int) Math.min(Integer.MAX_VALUE / 2, bytes / (cols / 4));
        SplittableRandom rnd = new SplittableRandom(5);
        byte[] pattern = new byte[cols * 7];  // seven distinct rows, repeated: packing stays fast
        for (int i = 0; i < pattern.length; i++) pattern[i] = (byte) (rnd.nextInt(3) - 1);
        float[] xf = new float[cols];
        for (int i = 0; i < cols; i++) xf[i] = (float) rnd.nextGaussian();
        Int8Activations x = new Int8Activations(1, cols);
        x.quantize(xf, 0, 1);
        float[] out = new float[rows];
        double[] gemv = new double[rounds], stream = new double[rounds], ratio = new double[rounds];
        try (WeightArena weights = new WeightArena(); StreamBandwidth.Reader read = new StreamBandwidth.Reader(STREAM_BYTES, pool)) {
            TernaryMatrix w = kernel.pack(rows, cols, (r, dst) -> {
                System.arraycopy(pattern, (r % 7) * cols, dst, 0, cols);
                return 0.01f;
            }, weights);
            for (int round = -2; round < rounds; round++) {
                double s = read.pass();
                long t0 = System.nanoTime();
                pool.matmul(w, x, out);
                double g = w.packedBytes() / ((System.nanoTime() - t0) * 1e-9) / 1e9;
                if (round < 0) continue;
                gemv[round] = g;
                stream[round] = s;
                ratio[round] = g / s;
            }
        }
        return new Result(median(gemv), median(stream), median(ratio), rounds);
    }

    /** The median of v (the mean of the middle two for an even count). */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
