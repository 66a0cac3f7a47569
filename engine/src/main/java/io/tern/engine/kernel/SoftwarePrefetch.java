package io.tern.engine.kernel;

import java.util.Locale;

/** Whether the native kernels prefetch the weights they stream: timed at load ({@link PrefetchTuner}), or forced. */
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
}
