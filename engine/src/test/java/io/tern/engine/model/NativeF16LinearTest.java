package io.tern.engine.model;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.kernel.NativeKernel;
import io.tern.engine.quant.TensorCodec;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The native F16 head against the float reference path: the same sums up to float rounding, on every row and token. */
class NativeF16LinearTest {
    /** Every ISA this CPU runs (AVX2 and AVX-VNNI use the AVX2 F16 kernel, AVX-512 VNNI the AVX-512 one). */
    private static List<NativeKernel> kernels() {
        List<NativeKernel> list = new ArrayList<>();
        for (NativeKernel.Isa isa : NativeKernel.Isa.values()) {
            try {
                NativeKernel k = NativeKernel.load(isa.name());
                if (k.hasF16()) list.add(k);
            } catch (IllegalStateException e) {
                // not on this CPU (or no library): skipped
            }
        }
        assumeTrue(!list.isEmpty(), "no native F16 kernel here");
        return list;
    }

    @Test
    void matchesTheFloatPathOnWholeVectorsAndTails() {
        for (NativeKernel k : kernels()) matchesTheFloatPath(k);
    }

    private void matchesTheFloatPath(NativeKernel k) {
        SplittableRandom rnd = new SplittableRandom(3);
        try (Arena arena = Arena.ofShared(); MatmulPool pool = new MatmulPool(k, 2)) {
            for (int cols : new int[]{2560, 96, 32}) {          // whole 4-vector steps, single vectors after them
                for (int tokens : new int[]{1, 3}) {
                    int rows = 1100;                             // three pool tasks, the last one short
                    MemorySegment w = arena.allocate(2L * rows * cols, 64);
                    for (long i = 0; i < (long) rows * cols; i++) w.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16((float) rnd.nextGaussian()));
                    float[] x = new float[tokens * cols];
                    for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
                    LinearInput in = new LinearInput(tokens, cols, pool).set(x, tokens);
                    float[] want = new float[tokens * rows], got = new float[tokens * rows];
                    new FloatLinear(w, TensorCodec.of(GgmlType.F16), rows, cols, 1f, pool).forward(in, want);
                    new NativeF16Linear(w, rows, cols, k, pool).forward(in, got);
                    for (int i = 0; i < want.length; i++) {
                        double tol = 1e-5 * Math.sqrt(cols) * 4 + 1e-6;  // |w|, |x| ~ 1: sums of cols products
                        assertEquals(want[i], got[i], tol, k.name() + ", cols " + cols + ", tokens " + tokens + ", output " + i);
                    }
                }
            }
        }
    }

    @Test
    void writesOnlyItsRowsAndChecksShapes() {
        for (NativeKernel k : kernels()) writesOnlyItsRows(k);
    }

    private void writesOnlyItsRows(NativeKernel k) {
        try (Arena arena = Arena.ofConfined()) {
            int rows = 40, cols = 37;                            // a tail of single halves after the vectors
            MemorySegment w = arena.allocate(2L * rows * cols, 64);
            for (long i = 0; i < (long) rows * cols; i++) w.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16(1f));
            float[] x = new float[cols];
            Arrays.fill(x, 0.5f);
            float[] y = new float[rows];
            Arrays.fill(y, -7f);
            k.matmulF16(w, rows, cols, 10, 20, x, 1, y);
            for (int r = 0; r < rows; r++) assertEquals(r >= 10 && r < 20 ? 18.5f : -7f, y[r], k.name() + " row " + r);
            assertThrows(IndexOutOfBoundsException.class, () -> k.matmulF16(w, rows, cols, 30, 41, x, 1, y));
            assertThrows(IllegalArgumentException.class, () -> k.matmulF16(w, rows + 1, cols, 0, 1, x, 1, y));
            assertThrows(IllegalArgumentException.class, () -> k.matmulF16(w, rows, cols, 0, 1, x, 2, y));
            assertTrue(new NativeF16Linear(w, rows, cols, k, null).weightBytes() == 2L * rows * cols);
        }
    }
}
