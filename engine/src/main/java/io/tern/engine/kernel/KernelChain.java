package io.tern.engine.kernel;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Chooses the kernel at start-up: "auto" tries native, then vector, then scalar; or forces one
 * ("native" | "vector" | "scalar"; a forced one that is unavailable is an error naming why). A candidate must also
 * agree with the scalar oracle on a small sample before it is chosen. System property {@code tern.native.isa}
 * forces the native instruction set (avx2 | avxvnni | avx512vnni).
 */
public final class KernelChain {
    private static final System.Logger LOG = System.getLogger(KernelChain.class.getName());

    private KernelChain() {}

    public static TernaryKernel select(String choice) {
        String c = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        switch (c) {
            case "native", "vector", "scalar" -> {
                TernaryKernel k = create(c);
                LOG.log(Level.INFO, "ternary kernel: {0} (forced)", k.name());
                return k;
            }
            case "auto", "" -> {
                List<String> skipped = new ArrayList<>();
                for (String candidate : List.of("native", "vector")) {
                    try {
                        TernaryKernel k = create(candidate);
                        LOG.log(Level.INFO, "ternary kernel: {0}{1}", k.name(), skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")");
                        return k;
                    } catch (RuntimeException | LinkageError e) {
                        skipped.add(candidate + " unavailable: " + e.getMessage());
                    }
                }
                LOG.log(Level.WARNING, "ternary kernel: scalar, which is slow ({0})", String.join("; ", skipped));
                return new ScalarKernel();
            }
            default -> throw new IllegalArgumentException("unknown kernel '" + choice + "', expected auto, native, vector or scalar");
        }
    }

    /** @throws IllegalStateException naming why the provider cannot run here */
    private static TernaryKernel create(String name) {
        TernaryKernel k = switch (name) {
            case "native" -> NativeKernel.load(System.getProperty("tern.native.isa"));
            case "vector" -> {
                if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                    throw new IllegalStateException("module jdk.incubator.vector is not loaded (start java with --add-modules=jdk.incubator.vector)");
                }
                String slow = LoopStripMining.warning();
                if (slow != null) LOG.log(Level.WARNING, slow);
                yield new VectorKernel();
            }
            default -> new ScalarKernel();
        };
        if (!(k instanceof ScalarKernel)) selfCheck(k);
        return k;
    }

    /** Compares dot products with the scalar oracle on a small random case. */
    private static void selfCheck(TernaryKernel k) {
        int rows = 7, cols = 544, tokens = 5;
        SplittableRandom rnd = new SplittableRandom(42);
        byte[][] w = new byte[rows][cols];
        for (byte[] row : w) for (int i = 0; i < cols; i++) row[i] = (byte) (rnd.nextInt(3) - 1);
        float[] xs = new float[tokens * cols];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) rnd.nextGaussian();
        Int8Activations x = new Int8Activations(tokens, cols);
        x.quantize(xs, 0, tokens);
        TernaryRows src = (r, dst) -> {
            System.arraycopy(w[r], 0, dst, 0, cols);
            return 1f;
        };
        int[] expected = new int[rows * tokens], got = new int[rows * tokens];
        try (Arena arena = Arena.ofConfined()) {
            ScalarKernel oracle = new ScalarKernel();
            oracle.dot(oracle.pack(rows, cols, src, arena), x, 0, rows, expected);
            k.dot(k.pack(rows, cols, src, arena), x, 0, rows, got);
        }
        if (!java.util.Arrays.equals(expected, got)) {
            throw new IllegalStateException(k.name() + " disagrees with the scalar kernel on a self-check");
        }
    }
}
