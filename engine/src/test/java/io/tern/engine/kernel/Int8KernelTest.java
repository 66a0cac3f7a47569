package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** int8 rows × int8 activations (the lm_head): every provider gives the plain integer sums exactly, and the same floats. */
class Int8KernelTest {
    private static final int[] COLS = {32, 64, 96, 256, 800, 2560};

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> providers() {
        return TernaryKernelTest.providers();
    }

    /** Integer-valued rows holding ±127 somewhere, so quantisation keeps them exactly (scale 1). */
    private static float[][] integerRows(SplittableRandom rnd, int rows, int cols, boolean extreme) {
        float[][] w = new float[rows][cols];
        for (float[] row : w) {
            for (int c = 0; c < cols; c++) row[c] = extreme ? (rnd.nextBoolean() ? 127 : -127) : rnd.nextInt(255) - 127;
            row[rnd.nextInt(cols)] = rnd.nextBoolean() ? 127 : -127;
        }
        return w;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providers")
    void dotEqualsPlainSumOnEveryShape(String provider, String isa) {
        TernaryKernel k = TernaryKernelTest.kernel(provider, isa);
        SplittableRandom rnd = new SplittableRandom(provider.hashCode() * 17L + 3);
        try (Arena arena = Arena.ofConfined(); MatmulPool one = new MatmulPool(k, 1)) {
            for (int cols : COLS) {
                for (int rep = 0; rep < 5; rep++) {
                    boolean extreme = rep == 4;
                    int rows = 1 + rnd.nextInt(37), tokens = rep == 0 ? 1 : 1 + rnd.nextInt(10);
                    float[][] w = integerRows(rnd, rows, cols, extreme);
                    Int8Matrix m = Int8Matrix.quantize(rows, cols, (r, dst) -> System.arraycopy(w[r], 0, dst, 0, cols), arena, one);
                    float[] xs = new float[tokens * cols];
                    for (int i = 0; i < xs.length; i++) xs[i] = extreme ? (rnd.nextBoolean() ? 1f : -1f) : (float) rnd.nextGaussian();
                    Int8Activations x = new Int8Activations(tokens, cols);
                    x.quantize(xs, 0, tokens);
                    int[] out = new int[rows * tokens];
                    k.dot(m, x, 0, rows, out);
                    float[] fout = new float[rows * tokens];
                    k.matmul(m, x, 0, rows, fout);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < rows; r++) {
                            int expected = 0;
                            for (int c = 0; c < cols; c++) expected += (int) w[r][c] * x.q(t, c);
                            if (out[t * rows + r] != expected) {
                                fail(k.name() + " rows " + rows + " cols " + cols + " tokens " + tokens + ": token " + t + " row " + r
                                        + " gave " + out[t * rows + r] + ", expected " + expected);
                            }
                            assertEquals(1f * expected / x.scale(t), fout[t * rows + r], k.name() + " float t " + t + " r " + r);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providers")
    void partialRowRangesWriteOnlyTheirRows(String provider, String isa) {
        TernaryKernel k = TernaryKernelTest.kernel(provider, isa);
        SplittableRandom rnd = new SplittableRandom(5);
        int rows = 50, cols = 320, tokens = 6;
        try (Arena arena = Arena.ofConfined(); MatmulPool one = new MatmulPool(k, 1)) {
            float[][] w = integerRows(rnd, rows, cols, false);
            Int8Matrix m = Int8Matrix.quantize(rows, cols, (r, dst) -> System.arraycopy(w[r], 0, dst, 0, cols), arena, one);
            float[] xs = new float[tokens * cols];
            for (int i = 0; i < xs.length; i++) xs[i] = (float) rnd.nextGaussian();
            Int8Activations x = new Int8Activations(tokens, cols);
            x.quantize(xs, 0, tokens);
            int[] whole = new int[rows * tokens], parts = new int[rows * tokens];
            k.dot(m, x, 0, rows, whole);
            java.util.Arrays.fill(parts, 0x5eed);
            k.dot(m, x, 7, 30, parts);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    int i = t * rows + r;
                    assertEquals(r >= 7 && r < 30 ? whole[i] : 0x5eed, parts[i], "token " + t + " row " + r);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> k.dot(m, x, 0, rows, new int[rows]));
        }
    }

    @Test
    void quantisationErrorIsAtMostHalfAStep() {
        SplittableRandom rnd = new SplittableRandom(11);
        int rows = 40, cols = 96;
        float[][] w = new float[rows][cols];
        for (float[] row : w) for (int c = 0; c < cols; c++) row[c] = (float) (rnd.nextGaussian() * 0.02);
        java.util.Arrays.fill(w[3], 0f);
        try (Arena arena = Arena.ofShared(); MatmulPool two = new MatmulPool(new ScalarKernel(), 2)) {
            Int8Matrix m = Int8Matrix.quantize(rows, cols, (r, dst) -> System.arraycopy(w[r], 0, dst, 0, cols), arena, two);
            assertEquals(64L * 2 * rows, m.packedBytes(), "rows padded to 64 bytes");
            for (int r = 0; r < rows; r++) {
                float max = 0;
                for (float v : w[r]) max = Math.max(max, Math.abs(v));
                if (max == 0) {
                    assertEquals(1f, m.scale(r));
                    for (int c = 0; c < cols; c++) assertEquals(0, m.q(r, c));
                    continue;
                }
                assertEquals(max / 127f, m.scale(r), 1e-9f);
                boolean hitsMax = false;
                for (int c = 0; c < cols; c++) {
                    assertTrue(Math.abs(m.q(r, c) * m.scale(r) - w[r][c]) <= m.scale(r) * 0.5f + 1e-7f, "row " + r + " col " + c);
                    hitsMax |= Math.abs(m.q(r, c)) == 127;
                }
                assertTrue(hitsMax, "row " + r + " uses the full range");
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providers")
    void poolOfTwoEqualsDirectCall(String provider, String isa) {
        TernaryKernel k = TernaryKernelTest.kernel(provider, isa);
        SplittableRandom rnd = new SplittableRandom(9);
        int rows = 1000, cols = 256, tokens = 3;
        try (Arena arena = Arena.ofShared(); MatmulPool two = new MatmulPool(k, 2)) {
            float[][] w = new float[rows][cols];
            for (float[] row : w) for (int c = 0; c < cols; c++) row[c] = (float) rnd.nextGaussian();
            Int8Matrix m = Int8Matrix.quantize(rows, cols, (r, dst) -> System.arraycopy(w[r], 0, dst, 0, cols), arena, two);
            float[] xs = new float[tokens * cols];
            for (int i = 0; i < xs.length; i++) xs[i] = (float) rnd.nextGaussian();
            Int8Activations x = new Int8Activations(tokens, cols);
            x.quantize(xs, 0, tokens);
            float[] direct = new float[rows * tokens], pooled = new float[rows * tokens];
            k.matmul(m, x, 0, rows, direct);
            two.matmul(m, x, pooled);
            assertArrayEquals(direct, pooled);
        }
    }
}
