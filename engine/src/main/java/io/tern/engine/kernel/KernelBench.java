package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Prints figures, asserts nothing. For 2560×6912 and 6912×2560: per provider and thread count, GEMV GB/s of packed
 * weights streamed from memory (cycling through copies totalling ≥ 1 GiB, so no cache holds them), the same with one
 * cache-resident copy ("hot"), best window of several, the ratio to this process's measured streaming-read bandwidth, and 64-token GEMM GOPS.
 *
 * <p>Run: {@code java --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp engine/target/classes
 * io.tern.engine.kernel.KernelBench [providers]} where providers is a comma list of scalar, vector, native,
 * native-avx2, native-avxvnni, native-avx512vnni (default: all that load).
 */
public final class KernelBench {
    private static final long STREAM_BYTES = 1L << 30;
    private static final double SECONDS = 1.5;
    private static final int[][] SHAPES = {{2560, 6912}, {6912, 2560}};
    private static final int GEMM_TOKENS = 64;

    public static void main(String[] args) throws Exception {
        List<String> wanted = List.of((args.length > 0 ? args[0] : "scalar,vector,native-avx2,native").split(","));
        System.out.printf(Locale.ROOT, "cpus %d, vector species %s%n", Runtime.getRuntime().availableProcessors(),
                jdk.incubator.vector.ShortVector.SPECIES_PREFERRED);
        double[] stream = {0, StreamBandwidth.measure(STREAM_BYTES, 1, 5), StreamBandwidth.measure(STREAM_BYTES, 2, 5)};
        System.out.printf(Locale.ROOT, "streaming read (1 GiB on huge pages, best of a Vector API and a native sum): 1 thread %.1f GB/s, 2 threads %.1f GB/s%n", stream[1], stream[2]);
        System.out.printf(Locale.ROOT, "%-22s %-10s %3s %10s %10s %8s %10s  (/stream: to the best read so far, re-measured after each shape)%n", "kernel", "shape", "thr", "GEMV GB/s", "hot GB/s", "/stream", "GEMM GOPS");
        for (String p : wanted) {
            TernaryKernel k;
            try {
                k = create(p.trim());
            } catch (IllegalStateException e) {
                System.out.println(p + ": unavailable: " + e.getMessage());
                continue;
            }
            for (int[] shape : SHAPES) {
                bench(k, shape[0], shape[1], stream);
                // The baseline of later rows is the best read seen so far in this run: a busy neighbour during one
                // measurement must not make the ratios look better than they are.
                for (int t = 1; t <= 2; t++) stream[t] = Math.max(stream[t], StreamBandwidth.measure(STREAM_BYTES, t, 3));
            }
        }
    }

    private static TernaryKernel create(String p) {
        return switch (p) {
            case "scalar" -> new ScalarKernel();
            case "vector" -> new VectorKernel();
            case "native" -> NativeKernel.load(null);
            default -> {
                if (!p.startsWith("native-")) throw new IllegalStateException("unknown provider " + p);
                yield NativeKernel.load(p.substring("native-".length()));
            }
        };
    }

    private static void bench(TernaryKernel k, int rows, int cols, double[] stream) {
        SplittableRandom rnd = new SplittableRandom(1);
        byte[] pattern = new byte[cols * 7];
        for (int i = 0; i < pattern.length; i++) pattern[i] = (byte) (rnd.nextInt(3) - 1);
        TernaryRows src = (r, dst) -> {
            System.arraycopy(pattern, (r % 7) * cols, dst, 0, cols);
            return 0.01f;
        };
        float[] xf = new float[GEMM_TOKENS * cols];
        for (int i = 0; i < xf.length; i++) xf[i] = (float) rnd.nextGaussian();
        Int8Activations one = new Int8Activations(1, cols), many = new Int8Activations(GEMM_TOKENS, cols);
        one.quantize(xf, 0, 1);
        many.quantize(xf, 0, GEMM_TOKENS);
        try (Arena arena = new io.tern.engine.memory.WeightArena()) {
            TernaryMatrix first = k.pack(rows, cols, src, arena);
            List<TernaryMatrix> copies = new ArrayList<>();
            copies.add(first);
            for (long total = first.packedBytes(); total < STREAM_BYTES; total += first.packedBytes()) copies.add(copy(first, arena));
            float[] out = new float[GEMM_TOKENS * rows];
            for (int threads = 1; threads <= 2; threads++) {
                try (MatmulPool pool = new MatmulPool(k, threads)) {
                    boolean slow = k instanceof ScalarKernel;
                    run(pool, List.of(first), one, out, slow ? 0.3 : 2.0);  // C2 warm-up
                    double cold = run(pool, copies, one, out, SECONDS) * first.packedBytes() / 1e9;
                    double hot = run(pool, List.of(first), one, out, SECONDS) * first.packedBytes() / 1e9;
                    if (!slow) run(pool, List.of(first), many, out, 0.5);
                    double gemm = run(pool, List.of(first), many, out, slow ? 0.1 : SECONDS) * 2.0 * rows * cols * GEMM_TOKENS / 1e9;
                    System.out.printf(Locale.ROOT, "%-22s %-10s %3d %10.2f %10.2f %8.2f %10.1f%n", k.name(), rows + "x" + cols,
                            threads, cold, hot, cold / stream[threads], gemm);
                }
            }
        }
    }

    /**
     * Calls per second in the best window over {@code seconds}; a window is one pass over all matrices (at least
     * 50 ms). Best-of, because the machine's cores are shared and a busy neighbour only ever slows a window down.
     */
    private static double run(MatmulPool pool, List<TernaryMatrix> ms, Int8Activations x, float[] out, double seconds) {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        double best = 0;
        do {
            long t0 = System.nanoTime(), calls = 0;
            do {
                for (TernaryMatrix m : ms) {
                    pool.matmul(m, x, out);
                    calls++;
                }
            } while (System.nanoTime() - t0 < 50_000_000L);
            best = Math.max(best, calls / ((System.nanoTime() - t0) * 1e-9));
        } while (System.nanoTime() < deadline);
        return best;
    }

    private static TernaryMatrix copy(TernaryMatrix m, Arena arena) {
        return switch (m) {
            case BlockLayout.Packed p -> p.copy(arena);
            case ScalarKernel.ByteMatrix b -> b.copy(arena);
            default -> throw new IllegalArgumentException("cannot copy " + m);
        };
    }
}
