package io.tern.engine.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GEMV-alone figure runs on any kernel and rejects what it cannot measure; speed itself is the bench's business. */
class GemvBandwidthTest {
    @Test
    void measuresGemvAndReadInAlternatingPasses() throws Exception {
        try (MatmulPool pool = new MatmulPool(new VectorKernel(), 2)) {
            GemvBandwidth.Result r = GemvBandwidth.measure(pool, 512, 2L << 20, 3);
            assertEquals(3, r.rounds());
            for (double v : new double[] {r.gemvGbs(), r.streamGbs(), r.ratio()}) assertTrue(v > 0 && Double.isFinite(v), r.toString());
        }
    }

    @Test
    void rejectsWhatItCannotMeasure() {
        try (MatmulPool pool = new MatmulPool(new VectorKernel(), 1); MatmulPool floatOnly = new MatmulPool(null, 1)) {
            assertThrows(IllegalArgumentException.class, () -> GemvBandwidth.measure(pool, 300, 1 << 20, 3));
            assertThrows(IllegalArgumentException.class, () -> GemvBandwidth.measure(pool, 512, 1 << 20, 0));
            assertThrows(IllegalArgumentException.class, () -> GemvBandwidth.measure(floatOnly, 512, 1 << 20, 3));
        }
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, GemvBandwidth.median(new double[] {3, 1, 2}));
        assertEquals(2.5, GemvBandwidth.median(new double[] {4, 1, 3, 2}));
    }
}
