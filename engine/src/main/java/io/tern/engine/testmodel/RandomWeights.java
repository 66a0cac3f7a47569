package io.tern.engine.testmodel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Seeded random weights that depend only on (seed, tensor name, chunk), never on the output type or on which
 * thread fills which chunk: the same seed gives the same model in every format.
 */
final class RandomWeights {
    /** Values per independently seeded chunk; a multiple of every block size (256, 128). */
    static final int CHUNK = 1 << 16;

    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final long seed;

    RandomWeights(long seed) {
        this.seed = seed;
    }

    private SplittableRandom random(String tensor, long chunk) {
        long h = seed * 0x9E3779B97F4A7C15L + tensor.hashCode();
        h = h * 0xBF58476D1CE4E5B9L + chunk;
        return new SplittableRandom(h ^ (h >>> 31));
    }

    /** Ternary codes of chunk {@code chunk}: 2 random bits each, 00 → −1, 11 → +1, else 0 (P(0) = 1/2). */
    void codes(String tensor, long chunk, byte[] dst, int n) {
        SplittableRandom r = random(tensor, chunk);
        for (int i = 0; i < n; i += 32) {
            long bits = r.nextLong();
            int m = Math.min(32, n - i);
            for (int k = 0; k < m; k++) {
                int two = (int) (bits >>> (2 * k)) & 3;
                dst[i + k] = (byte) (two == 0 ? -1 : two == 3 ? 1 : 0);
            }
        }
    }

    /** A per-tensor scale near 1/sqrt(fan-in), rounded to f16 so every format stores it exactly. */
    float scale(String tensor, int fanIn) {
        double u = random(tensor, -1).nextDouble(0.8, 1.25);
        return Float.float16ToFloat(Float.floatToFloat16((float) (u / Math.sqrt(fanIn))));
    }

    /**
     * F16 values of chunk {@code chunk} written to dst at byte offset {@code at}: random sign, magnitude
     * 1.m · 2^e with e in [−7, −4] (|x| in [1/128, 1/8)), built straight from bits.
     */
    void f16Chunk(String tensor, long chunk, MemorySegment dst, long at, int n) {
        SplittableRandom r = random(tensor, chunk);
        for (int i = 0; i < n; i += 4) {
            long bits = r.nextLong();
            for (int k = 0; k < Math.min(4, n - i); k++) {
                int b = (int) (bits >>> (16 * k)) & 0xffff;
                int sign = b & 0x8000;
                int exp = 15 - 7 + ((b >>> 10) & 3);
                dst.set(F16, at + 2L * (i + k), (short) (sign | exp << 10 | (b & 0x3ff)));
            }
        }
    }

    /** Norm weights 1 ± 0.1. */
    void norm(String tensor, MemorySegment dst, int n) {
        SplittableRandom r = random(tensor, 0);
        for (int i = 0; i < n; i++) {
            dst.set(F32, 4L * i, (float) r.nextDouble(0.9, 1.1));
        }
    }
}
