package io.tern.engine.kernel;

import java.util.Locale;

/**
 * How many copies of the weights a benchmark cycles through. "cold": copies totalling at least 1 GiB, so each matmul
 * streams its weights from memory as decode does (this machine's L3 alone can be 260 MiB); "hot": one copy, which
 * stays in cache when it fits.
 */
final class Footprint {
    static final long COLD_BYTES = 1L << 30;

    private Footprint() {}

    static int copies(String weights, long bytesPerCopy) {
        return switch (weights.toLowerCase(Locale.ROOT)) {
            case "cold" -> (int) Math.max(1, Math.ceilDiv(COLD_BYTES, bytesPerCopy));
            case "hot" -> 1;
            default -> throw new IllegalArgumentException("weights must be cold or hot, got '" + weights + "'");
        };
    }

    /** "ROWSxCOLS", e.g. "6912x2560" for gate/up (rows out, cols in). */
    static int[] shape(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        if (p.length != 2) throw new IllegalArgumentException("shape must be ROWSxCOLS, got '" + s + "'");
        return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
    }
}
