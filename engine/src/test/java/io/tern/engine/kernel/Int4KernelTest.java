package io.tern.engine.kernel;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * 4-bit rows × int8 activations: each native ISA gives the scalar oracle's integer sums exactly, on every token tile
 * (1-9 tokens) and row range, the floats scale them as the int8 head does, and the pool splits a job without changing a
 * bit. Quantisation keeps integer rows in [−7, 7] holding ±7 exactly.
 */
class Int4KernelTest {
    private static final int[] COLS = {128, 256, 640, 2560};

    static Stream<Arguments> isas() {
        return Arrays.stream(NativeKernel.Isa.values()).map(i -> Arguments.of(i.name()));
    }

    private static NativeKernel kernel(String isa) {
        return (NativeKernel) TernaryKernelTest.kernel("native", isa);
    }

    /** Integer rows in [−7, 7] with ±7 somewhere (scale 1: quantisation keeps them exactly). */
    private static float[][] integerRows(SplittableRandom rnd, int rows, int cols, boolean extreme) {
        float[][] w = new float[rows][cols];
        for (float[] row : w) {
            for (int c = 0; c < cols; c++) row[c] = extreme ? (rnd.nextBoolean() ? 7 : -7) : rnd.nextInt(15) - 7;
            row[rnd.nextInt(cols)] = rnd.nextBoolean() ? 7 : -7;
        }
        return w;
    }

    private static Int8Activations activations(SplittableRandom rnd, int tokens, int cols, boolean extreme) {
        float[] xs = new float[tokens * cols];
        for (int i = 0; i < xs.length; i++) xs[i] = extreme ? (rnd.nextBoolean() ? 1f : -1f) : (float) rnd.nextGaussian();
        Int8Activations x = new Int8Activations(tokens, cols);
        x.quantize(xs, 0, tokens);
        return x;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("isas")
    void dotEqualsTheScalarOracleOnEveryShape(String isa) {
        NativeKernel k = kernel(isa);
        SplittableRandom rnd = new SplittableRandom(isa.hashCode() * 31L + 7);
        try (Arena arena = Arena.ofConfined(); MatmulPool one = new MatmulPool(k, 1)) {
            for (int cols : COLS) {
                for (int rep = 0; rep < 6; rep++) {
                    boolean extreme = rep == 5;
                    int rows = 1 + rnd.nextInt(37), tokens = rep == 0 ? 1 : 1 + rnd.nextInt(9);
                    float[][] w = integerRows(rnd, rows, cols, extreme);
                    Int4Matrix m = Int4Matrix.quantize(rows, cols, (r, dst) -> System.arraycopy(w[r], 0, dst, 0, cols), arena, one);
                    Int8Activations x = activations(rnd, tokens, cols, extreme);
                    int[] out = new int[rows * tokens];
                    k.dot(m, x, 0, rows, out);
                    float[] fout = new float[rows * tokens];
                    k.matmul(m, x, 0, rows, fout);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < rows; r++) {
                            int expected = 0;
                            for (int c = 0; c < cols; c++) expected += (int) w[r][c] * x.q(t, c);
                            assertEquals(expected, m.dotScalar(r, x, t), "oracle");
                            if (out[t * rows + r] != expected) {
                                fail(isa + " rows " + rows + " cols " + cols + " tokens " + tokens + ": token " + t + " row " + r
                                        + " gave " + out[t * rows + r] + ", expected " + expected);
                            }
                            assertEquals(m.scale(r) * (float) expected / x.scale(t), fout[t * rows + r], isa + " float t " + t + " r " + r);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("isas")
    void partialRowRangesWriteOnlyTheirRowsAndThePoolChangesNoBit(String isa) {
        NativeKernel k = kernel(isa);
        SplittableRandom rnd = new SplittableRandom(5);
        int rows = 300, cols = 384, tokens = 6;
        try (Arena arena = Arena.ofShared(); MatmulPool one = new MatmulPool(k, 1); MatmulPool two = new MatmulPool(k, 2)) {
            float[] src = new float[rows * cols];
            for (int i = 0; i < src.length; i++) src[i] = (float) rnd.nextGaussian();
            Int4Matrix m = Int4Matrix.quantize(rows, cols, (r, dst) -> System.arraycopy(src, r * cols, dst, 0, cols), arena, one);
            Int8Activations x = activations(rnd, tokens, cols, false);
            float[] whole = new float[rows * tokens];
            k.matmul(m, x, 0, rows, whole);
            float[] part = new float[rows * tokens];
            Arrays.fill(part, Float.NaN);
            k.matmul(m, x, 100, 217, part);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    float v = part[t * rows + r];
                    if (r >= 100 && r < 217) assertEquals(whole[t * rows + r], v);
                    else assertEquals(Float.NaN, v, "row " + r + " outside the range was written");
                }
            }
            float[] pooled = new float[rows * tokens];
            two.matmul(m, x, pooled);
            assertArrayEquals(whole, pooled);
        }
    }

    @Test
    void quantisesToTheNearestStepAndRejectsWhatItCannotHold() {
        try (Arena arena = Arena.ofConfined(); MatmulPool one = new MatmulPool(null, 1)) {
            float[] row = new float[128];
            for (int c = 0; c < 128; c++) row[c] = (c - 64) / 64f * 3.5f;  // max |w| 3.5: scale 0.5
            Int4Matrix m = Int4Matrix.quantize(1, 128, (r, dst) -> System.arraycopy(row, 0, dst, 0, 128), arena, one);
            assertEquals(0.5f, m.scale(0));
            for (int c = 0; c < 128; c++) assertEquals(Math.max(-7, Math.min(7, Int8Activations.roundHalfAway(row[c] / 0.5f))), m.q(0, c), "col " + c);
            assertEquals(64, m.packedBytes());
            assertFalse(Int4Matrix.fits(2560 + 64));
            assertThrows(IllegalArgumentException.class, () -> Int4Matrix.quantize(1, 192, (r, dst) -> { }, arena, one));
        }
        try (MatmulPool vectorPool = new MatmulPool(new VectorKernel(), 2); Arena arena = Arena.ofShared()) {
            Int4Matrix m = Int4Matrix.quantize(4, 128, (r, dst) -> Arrays.fill(dst, 1f), arena, vectorPool);
            Int8Activations x = new Int8Activations(1, 128);
            x.quantize(new float[128], 0, 1);
            assertThrows(IllegalStateException.class, () -> vectorPool.matmul(m, x, new float[4]));
        }
    }
}
