package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Software prefetch changes how weights arrive, never the results. */
class SoftwarePrefetchTest {

    private static List<NativeKernel> nativeKernels() {
        List<NativeKernel> list = new ArrayList<>();
        for (NativeKernel.Isa isa : NativeKernel.Isa.values()) {
            try {
                list.add(NativeKernel.load(isa.name()));
            } catch (IllegalStateException e) {
                // not on this CPU (or no native library): the others still run
            }
        }
        Assumptions.assumeFalse(list.isEmpty(), "no native kernel loads here");
        return list;
    }

    @Test
    void ternaryResultsAreTheSameWithAndWithoutPrefetch() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (NativeKernel k : nativeKernels()) {
            try (Arena arena = Arena.ofConfined()) {
                for (int cols : new int[]{256, 2560, 6912}) {
                    for (int tokens : new int[]{1, 3, 4, 8, 13}) {
                        int rows = 1 + rnd.nextInt(40);
                        TernaryCase c = new TernaryCase(rnd, rows, cols, tokens);
                        TernaryMatrix m = k.pack(rows, cols, c.source(), arena);
                        int[] off = new int[rows * tokens];
                        float[] foff = new float[rows * tokens];
                        k.prefetch(SoftwarePrefetch.OFF);
                        k.dot(m, c.act, 0, rows, off);
                        k.matmul(m, c.act, 0, rows, foff);
                        for (int t = 0; t < tokens; t++) {
                            for (int r = 0; r < rows; r++) assertEquals(c.expectedDot(t, r), off[t * rows + r], k.name() + " " + c);
                        }
                        for (SoftwarePrefetch p : List.of(SoftwarePrefetch.L1L2, SoftwarePrefetch.NTA)) {
                            int[] on = new int[rows * tokens];
                            float[] fon = new float[rows * tokens];
                            k.prefetch(p);
                            k.dot(m, c.act, 0, rows, on);
                            k.matmul(m, c.act, 0, rows, fon);
                            assertArrayEquals(off, on, k.name() + " " + p + " " + c);
                            assertArrayEquals(foff, fon, k.name() + " " + p + " " + c);
                        }
                    }
                }
            }
        }
    }

    @Test
    void int8ResultsAreTheSameWithAndWithoutPrefetch() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (NativeKernel k : nativeKernels()) {
            try (Arena arena = Arena.ofConfined(); MatmulPool rowsPool = new MatmulPool(null, 1)) {
                int rows = 37, cols = 2560;
                Int8Matrix w = Int8Matrix.quantize(rows, cols, (r, dst) -> {
                    for (int c = 0; c < cols; c++) dst[c] = (float) rnd.nextGaussian();
                }, arena, rowsPool);
                for (int tokens : new int[]{1, 4, 8, 11}) {
                    float[] x = new float[tokens * cols];
                    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                    Int8Activations act = new Int8Activations(tokens, cols);
                    act.quantize(x, 0, tokens);
                    int[] off = new int[rows * tokens];
                    k.prefetch(SoftwarePrefetch.OFF);
                    k.dot(w, act, 0, rows, off);
                    for (SoftwarePrefetch p : List.of(SoftwarePrefetch.L1L2, SoftwarePrefetch.NTA)) {
                        int[] on = new int[rows * tokens];
                        k.prefetch(p);
                        k.dot(w, act, 0, rows, on);
                        assertArrayEquals(off, on, k.name() + " " + p + " int8, " + tokens + " tokens");
                    }
                }
            }
        }
    }

    @Test
    void autoPicksByCpuFamilyAndKernelKind() {
        for (NativeKernel k : nativeKernels()) {
            boolean zen5 = k.amd() && k.family() >= 0x1A;
            assertEquals(zen5 ? SoftwarePrefetch.NTA : SoftwarePrefetch.L1L2, SoftwarePrefetch.AUTO.forTernary(k), k.name());
            assertEquals(!k.amd() ? SoftwarePrefetch.L1L2 : zen5 ? SoftwarePrefetch.NTA : SoftwarePrefetch.OFF, SoftwarePrefetch.AUTO.forDense(k), k.name());
            assertTrue(k.family() > 0, "the probe reads a CPU family: " + k.family());
            assertTrue(SoftwarePrefetch.autoReason(k).contains(String.format("0x%X", k.family())), SoftwarePrefetch.autoReason(k));
            for (SoftwarePrefetch p : List.of(SoftwarePrefetch.OFF, SoftwarePrefetch.L1L2, SoftwarePrefetch.NTA)) {
                assertEquals(p, p.forTernary(k));
                assertEquals(p, p.forDense(k));
                k.prefetch(p);
                assertEquals(p, k.prefetch(), "a forced setting applies to ternary rows");
                assertEquals(p, k.densePrefetch(), "and to dense rows");
            }
            k.prefetch(SoftwarePrefetch.AUTO);
            assertEquals(SoftwarePrefetch.AUTO.forTernary(k), k.prefetch(), "a kernel holds the resolved setting");
            assertEquals(SoftwarePrefetch.AUTO.forDense(k), k.densePrefetch());
        }
    }

    @Test
    void settingParsesAndRejectsNonsense() {
        assertEquals(SoftwarePrefetch.AUTO, SoftwarePrefetch.parse(null));
        assertEquals(SoftwarePrefetch.AUTO, SoftwarePrefetch.parse(" Auto"));
        assertEquals(SoftwarePrefetch.OFF, SoftwarePrefetch.parse("Off"));
        assertEquals(SoftwarePrefetch.NTA, SoftwarePrefetch.parse("nta"));
        assertEquals(SoftwarePrefetch.L1L2, SoftwarePrefetch.parse("L1L2"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SoftwarePrefetch.parse("sometimes"));
        assertTrue(e.getMessage().contains("auto, off, l1l2 or nta"), e.getMessage());
    }
}
