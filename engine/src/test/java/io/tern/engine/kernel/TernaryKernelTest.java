package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every provider must give the scalar oracle's integers exactly and its floats to 1e-6. */
class TernaryKernelTest {
    private static final int[] COLS = {32, 96, 256, 768, 2560, 6912};
    private static final int SENTINEL = 0x5eed;

    static Stream<Arguments> providers() {
        List<Arguments> list = new ArrayList<>();
        list.add(Arguments.of("scalar", (String) null));
        list.add(Arguments.of("vector", (String) null));
        for (NativeKernel.Isa isa : NativeKernel.Isa.values()) list.add(Arguments.of("native", isa.name()));
        return list.stream();
    }

    static TernaryKernel kernel(String provider, String isa) {
        return switch (provider) {
            case "scalar" -> new ScalarKernel();
            case "vector" -> new VectorKernel();
            default -> {
                NativeKernel k;
                try {
                    k = NativeKernel.load(null);
                } catch (IllegalStateException e) {
                    Assumptions.abort("native kernels not loadable here: " + e.getMessage());
                    throw e;
                }
                try {
                    yield NativeKernel.load(isa);
                } catch (IllegalStateException e) {
                    Assumptions.abort("CPU lacks " + isa + " (best is " + k.isa() + "): " + e.getMessage());
                    throw e;
                }
            }
        };
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providers")
    void dotMatchesOracleExactlyOnEveryShape(String provider, String isa) {
        TernaryKernel k = kernel(provider, isa);
        SplittableRandom rnd = new SplittableRandom(provider.hashCode() * 31L + 7);
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : COLS) {
                for (int rep = 0; rep < 4; rep++) {
                    int rows = 1 + rnd.nextInt(cols >= 2560 ? 23 : 41);
                    int tokens = rep == 0 ? 1 : 1 + rnd.nextInt(17);
                    TernaryCase c = new TernaryCase(rnd, rows, cols, tokens);
                    TernaryMatrix m = k.pack(rows, cols, c.source(), arena);
                    assertEquals(rows, m.rows());
                    assertEquals(cols, m.cols());
                    int[] out = new int[rows * tokens];
                    k.dot(m, c.act, 0, rows, out);
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < rows; r++) {
                            if (out[t * rows + r] != c.expectedDot(t, r)) {
                                fail(k.name() + " " + c + ": token " + t + " row " + r + " gave " + out[t * rows + r] + ", expected " + c.expectedDot(t, r));
                            }
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providers")
    void subRangesAndBatchTilesWriteOnlyTheirRows(String provider, String isa) {
        TernaryKernel k = kernel(provider, isa);
        SplittableRandom rnd = new SplittableRandom(99);
        try (Arena arena = Arena.ofConfined()) {
            for (int rep = 0; rep < 12; rep++) {
                int cols = COLS[rnd.nextInt(COLS.length - 1)];
                int rows = 1 + rnd.nextInt(37);
                int tokens = 1 + rnd.nextInt(17);
                TernaryCase c = new TernaryCase(rnd, rows, cols, tokens);
                TernaryMatrix m = k.pack(rows, cols, c.source(), arena);
                int r0 = rnd.nextInt(rows + 1), r1 = r0 + rnd.nextInt(rows - r0 + 1);
                assertRowRange(k, c, m, r0, r1);
            }
            // Batch tiles: 8- and 4-token tiles over pairs of rows from an odd row (pairs (1, 2), (3, 4), ...), an odd
            // row left over, token tails of 1-3, past 64 tokens, past a block of 64 rows; rows of 27 and 40 blocks run
            // in column chunks (2 or 3) where 8 tokens share them.
            for (int cols : new int[]{2560, 6912, 10240}) {
                for (int[] shape : new int[][]{{2, 8}, {3, 12}, {17, 9}, {32, 67}, {5, 4}, {70, 9}}) {
                    TernaryCase c = new TernaryCase(rnd, shape[0], cols, shape[1]);
                    assertRowRange(k, c, k.pack(shape[0], cols, c.source(), arena), shape[0] > 4 ? 1 : 0, shape[0]);
                }
            }
        }
    }

    /** Rows [r0, r1) of every token as the oracle says; the rest of out untouched. */
    private static void assertRowRange(TernaryKernel k, TernaryCase c, TernaryMatrix m, int r0, int r1) {
        int rows = c.rows;
        int[] out = new int[rows * c.tokens];
        Arrays.fill(out, SENTINEL);
        k.dot(m, c.act, r0, r1, out);
        for (int t = 0; t < c.tokens; t++) {
            for (int r = 0; r < rows; r++) {
                int want = r >= r0 && r < r1 ? c.expectedDot(t, r) : SENTINEL;
                assertEquals(want, out[t * rows + r], k.name() + " " + c + " [" + r0 + "," + r1 + ") token " + t + " row " + r);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providers")
    void matmulScalesLikeTheOracle(String provider, String isa) {
        TernaryKernel k = kernel(provider, isa);
        ScalarKernel oracle = new ScalarKernel();
        SplittableRandom rnd = new SplittableRandom(5);
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : COLS) {
                int rows = 1 + rnd.nextInt(19), tokens = 1 + rnd.nextInt(17);
                TernaryCase c = new TernaryCase(rnd, rows, cols, tokens);
                float[] want = new float[rows * tokens], got = new float[rows * tokens];
                oracle.matmul(oracle.pack(rows, cols, c.source(), arena), c.act, 0, rows, want);
                k.matmul(k.pack(rows, cols, c.source(), arena), c.act, 0, rows, got);
                for (int i = 0; i < want.length; i++) {
                    float tol = 1e-6f * Math.abs(want[i]);
                    assertTrue(Math.abs(want[i] - got[i]) <= tol, k.name() + " " + c + " element " + i + ": " + got[i] + " vs " + want[i]);
                    int t = i / rows, r = i % rows;
                    assertEquals(c.scales[r] * c.expectedDot(t, r) / c.act.scale(t), want[i], Math.abs(want[i]) * 1e-6f);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("providers")
    void rejectsBadCalls(String provider, String isa) {
        TernaryKernel k = kernel(provider, isa);
        try (Arena arena = Arena.ofConfined()) {
            TernaryCase c = new TernaryCase(new SplittableRandom(1), 3, 64, 2);
            TernaryMatrix m = k.pack(3, 64, c.source(), arena);
            assertThrows(IndexOutOfBoundsException.class, () -> k.dot(m, c.act, 0, 4, new int[8]));
            assertThrows(IllegalArgumentException.class, () -> k.dot(m, c.act, 0, 3, new int[5]));
            assertThrows(IllegalArgumentException.class, () -> k.dot(m, new Int8Activations(1, 96), 0, 3, new int[6]));
            assertThrows(IllegalArgumentException.class, () -> k.pack(2, 48, c.source(), arena));
            assertThrows(IllegalArgumentException.class, () -> k.pack(1, 32, (r, dst) -> { dst[3] = 2; return 1f; }, arena));
            TernaryKernel other = k instanceof ScalarKernel ? new VectorKernel() : new ScalarKernel();
            TernaryMatrix foreign = other.pack(3, 64, c.source(), arena);
            assertThrows(IllegalArgumentException.class, () -> k.dot(foreign, c.act, 0, 3, new int[6]));
        }
    }

    @Test
    void packedSizeFollowsTheLayout() {
        try (Arena arena = Arena.ofConfined()) {
            TernaryCase c = new TernaryCase(new SplittableRandom(3), 5, 96, 1);
            assertEquals(5 * 64, new VectorKernel().pack(5, 96, c.source(), arena).packedBytes());     // 96 cols pad to one block
            assertEquals(5 * 96, new ScalarKernel().pack(5, 96, c.source(), arena).packedBytes());
            TernaryMatrix m = new VectorKernel().pack(5, 96, c.source(), arena);
            assertArrayEquals(c.scales, new float[] {m.scale(0), m.scale(1), m.scale(2), m.scale(3), m.scale(4)});
        }
    }
}
