package io.tern.engine.kernel;

import java.util.Locale;

/**
 * How the native kernels prefetch the weights they stream. Which helps depends on the CPU and on the kernel, so AUTO
 * (the default) picks per CPU generation and per kernel kind ({@link #forTernary}, {@link #forDense}). Measured:
 * <ul>
 *   <li>an Intel 2-core VM: L1L2 took the ternary GEMV from 0.79 to 0.89-0.98 of a streaming read;</li>
 *   <li>an AMD Zen 5 VM (family 0x1A): decode steps ran 9-12% slower with L1L2 than with none, and 6-10% faster with
 *       NTA than with none, ternary and int8 rows alike;</li>
 *   <li>an AMD Zen 4 VM (family 0x19): the ternary jobs of a decode step streamed 28-31 GB/s with L1L2 against 21-23
 *       with NTA or none (GEMV alone 0.91 of a read against 0.34-0.64); the int8 lm_head (2 threads, one 328 MB
 *       matrix, rounds alternating with reads) streamed 0.82 of a 52 GB/s read with none against 0.62 with NTA and
 *       0.67-0.72 with L1L2, and 0.95-1.0 of a 33 GB/s read with none against 0.88-0.91 with NTA.</li>
 * </ul>
 * Timing the settings at load was tried and dropped: right after load the same passes ran at 30 GB/s and a second
 * later at 51, so it chose by noise.
 */
public enum SoftwarePrefetch {
    /** By CPU: see {@link #forTernary} and {@link #forDense}. */
    AUTO(-1),
    /** None: the hardware prefetchers alone. */
    OFF(0),
    /** Each line twice: into L1 2 KB ahead and into L2 16 KB ahead, and a burst where a call starts a new stream. */
    L1L2(1),
    /** Each line once, 16 KB ahead, with the non-temporal hint, and a burst of 16 KB where a call starts a new stream. */
    NTA(2);

    /** The kernels' mode argument. */
    final int mode;

    SoftwarePrefetch(int mode) { this.mode = mode; }

    /** auto | off | l1l2 | nta, case-insensitive; null or blank is AUTO. */
    public static SoftwarePrefetch parse(String s) {
        if (s == null || s.isBlank()) return AUTO;
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("software prefetch must be auto, off, l1l2 or nta, got '" + s + "'");
        }
    }

    /** Family of AMD's Zen 5 (CPUID display family 0x1A). */
    static final int AMD_ZEN5 = 0x1A;

    /** This setting for {@code kernel}'s ternary rows: AUTO is NTA on AMD Zen 5 and later, L1L2 elsewhere. */
    public SoftwarePrefetch forTernary(NativeKernel kernel) {
        return this != AUTO ? this : zen5OrLater(kernel) ? NTA : L1L2;
    }

    /** This setting for {@code kernel}'s int8, 4-bit and F16 rows: AUTO is NTA on AMD Zen 5 and later, none on older AMD CPUs, L1L2 elsewhere. */
    public SoftwarePrefetch forDense(NativeKernel kernel) {
        return this != AUTO ? this : !kernel.amd() ? L1L2 : zen5OrLater(kernel) ? NTA : OFF;
    }

    /** AMD Zen 5 or later: where NTA pays (tern_amd_zen5_or_later in tern_cpu.h is the C side's same test). */
    private static boolean zen5OrLater(NativeKernel kernel) {
        return kernel.amd() && kernel.family() >= AMD_ZEN5;
    }

    /** Why AUTO picks what it picks on {@code kernel}'s CPU, for the load log. */
    public static String autoReason(NativeKernel kernel) {
        return String.format(Locale.ROOT, "auto: %s CPU family 0x%X", kernel.amd() ? "AMD" : "non-AMD", kernel.family());
    }

    /** Lower-case name, as {@link #parse} takes it. */
    public String label() { return name().toLowerCase(Locale.ROOT); }
}
