package io.tern.engine.model;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bench's layer-matmul figure runs every layer's jobs on the model's pool and counts their bytes; speed is the bench's business. */
class LayerMatmulBandwidthTest {
    static final BitNetShape SHAPE = new BitNetShape(BitNetShape.LLAMA_CPP_ARCH, 3, 256, 768, 8, 2, 1000, 256, 500000f, 1e-5f);

    @TempDir static Path dir;
    static Path file;

    @BeforeAll
    static void writeModel() throws Exception {
        file = dir.resolve("chain.gguf");
        new TestModelGenerator(SHAPE).weightType(GgmlType.I2_S).seed(4).write(file);
    }

    @Test
    void runsEveryLayersMatmulsOnThePoolAgainstTheRead() throws Exception {
        try (BitNetModel m = ModelLoader.load(file, ModelOptions.defaults().withThreads(2))) {
            long expected = 0;
            for (int l = m.firstLayer(); l < m.endLayer(); l++) {
                Layer w = m.layer(l);
                expected += w.wq().weightBytes() + w.wk().weightBytes() + w.wv().weightBytes() + w.wo().weightBytes()
                        + w.wGate().weightBytes() + w.wUp().weightBytes() + w.wDown().weightBytes();
            }
            MatmulPool.JobCounts before = m.pool().jobCounts();
            LayerMatmulBandwidth.Result r = LayerMatmulBandwidth.measure(m, 20_000, 2);
            long jobs = m.pool().jobCounts().since(before).jobs();

            assertEquals(expected, r.bytes());
            assertEquals(3, r.layers());
            assertEquals(2, r.rounds());
            assertEquals(20_000, r.pauseNanos());
            // Three rounds (one warm-up) of two chains (plain, paused), each CHAIN_PASSES passes of four jobs a layer.
            long matmulJobs = 3L * 2 * LayerMatmulBandwidth.CHAIN_PASSES * 3 * 4;
            assertTrue(jobs >= matmulJobs, jobs + " pool jobs, expected at least " + matmulJobs);
            for (double v : new double[] {r.chainGbs(), r.ratio(), r.pausedGbs(), r.pausedRatio(), r.streamGbs()}) {
                assertTrue(v > 0 && Double.isFinite(v), r.toString());
            }
        }
    }

    @Test
    void rejectsWhatItCannotMeasure() throws Exception {
        try (BitNetModel m = ModelLoader.load(file, ModelOptions.defaults().withThreads(1))) {
            assertThrows(IllegalArgumentException.class, () -> LayerMatmulBandwidth.measure(m, 0, 0));
            assertThrows(IllegalArgumentException.class, () -> LayerMatmulBandwidth.measure(m, -1, 1));
        }
    }
}
