package io.tern.engine.kernel;

import java.util.Locale;

/**
 * Whether the native kernels prefetch the weights they stream in software (ON, the default) or leave it to the
 * hardware prefetchers (OFF). On an Intel 2-core VM prefetching 16 KB ahead took GEMV from 0.79 to 0.89-0.98 of a
 * streaming read; on an AMD Zen 5 VM a GEMV alone ran ~10% slower with it, and whole decode steps alternating the two
 * in one process were within 1% of each other. Timing both at load was tried and dropped: right after load the
 * "off" passes ran at 30 GB/s and the same passes a second later at 51, so it chose by noise.
 */
public enum SoftwarePrefetch {
    ON, OFF;

    /** on | off, case-insensitive; null or blank is ON. */
    public static SoftwarePrefetch parse(String s) {
        if (s == null || s.isBlank()) return ON;
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("software prefetch must be on or off, got '" + s + "'");
        }
    }
}
