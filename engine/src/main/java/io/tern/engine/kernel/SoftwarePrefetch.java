package io.tern.engine.kernel;

import java.util.Locale;

/**
 * How the native kernels prefetch the weights they stream. Which helps depends on the CPU, so AUTO (the default) picks
 * NTA on AMD CPUs and L1L2 elsewhere. Measured: on an Intel 2-core VM, L1L2 took GEMV from 0.79 to 0.89-0.98 of a
 * streaming read; on an AMD Zen 5 VM, decode steps alternating settings in one process ran 9-12% slower with L1L2 than
 * with none, and 6-10% faster with NTA than with none. Timing the settings at load was tried and dropped: right after
 * load the same passes ran at 30 GB/s and a second later at 51, so it chose by noise.
 */
public enum SoftwarePrefetch {
    /** NTA on AMD CPUs, L1L2 elsewhere. */
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

    /** This setting for {@code kernel}'s CPU: AUTO resolved, the others as they are. */
    public SoftwarePrefetch resolve(NativeKernel kernel) {
        return this != AUTO ? this : kernel.amd() ? NTA : L1L2;
    }

    /** Lower-case name, as {@link #parse} takes it. */
    public String label() { return name().toLowerCase(Locale.ROOT); }
}
