package io.tern.engine.kernel;

import java.util.Locale;

/**
 * Whether the native kernels prefetch the weights they stream in software (ON) or leave it to the hardware
 * prefetchers (OFF); AUTO, the default, is OFF on AMD CPUs and ON elsewhere. Measured: on an Intel 2-core VM
 * prefetching 16 KB ahead took GEMV from 0.79 to 0.89-0.98 of a streaming read; on an AMD Zen 5 VM decode steps
 * alternating both in one process ran 9-12% faster without (3 runs of 512-640 tokens; a GEMV alone: 0.87 of a read
 * without, 0.78 with, every distance and hint tried). Timing both at load was tried and dropped: right after load the
 * "off" passes ran at 30 GB/s and the same passes a second later at 51, so it chose by noise.
 */
public enum SoftwarePrefetch {
    AUTO, ON, OFF;

    /** auto | on | off, case-insensitive; null or blank is AUTO. */
    public static SoftwarePrefetch parse(String s) {
        if (s == null || s.isBlank()) return AUTO;
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("software prefetch must be auto, on or off, got '" + s + "'");
        }
    }

    /** Whether {@code kernel} should prefetch under this setting. */
    public boolean enabledFor(NativeKernel kernel) {
        return switch (this) {
            case ON -> true;
            case OFF -> false;
            case AUTO -> !kernel.amd();
        };
    }
}
