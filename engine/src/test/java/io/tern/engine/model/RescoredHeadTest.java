package io.tern.engine.model;

import io.tern.engine.forward.RmsNorm;
import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.quant.TensorCodec;
import io.tern.engine.sampler.Sampler;
import io.tern.engine.sampler.TopK;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quantised head (int8, or 4-bit with native kernels) with its top candidates rescored: those logits are the float
 * head's bit for bit (tied and untied heads, several rows at once), every other logit is the quantised head's, the greedy pick follows the float head, and 0
 * candidates leaves the plain int8 head. The vocabulary is large enough for TopK's block pass.
 */
class RescoredHeadTest {
    static final BitNetShape SHAPE = new BitNetShape(BitNetShape.LLAMA_CPP_ARCH, 2, 256, 768, 8, 2, 40_000, 256, 500000f, 1e-5f);
    static final int K = 16, ROWS = 24;

    @TempDir static Path dir;
    static Path tied, untied;

    @BeforeAll
    static void writeModels() throws Exception {
        tied = dir.resolve("tied.gguf");
        untied = dir.resolve("untied.gguf");
        new TestModelGenerator(SHAPE).weightType(GgmlType.I2_S).seed(5).write(tied);
        new TestModelGenerator(SHAPE).weightType(GgmlType.I2_S).seed(6).separateOutput(true).write(untied);
    }

    private static ModelOptions options(int k) {
        return ModelOptions.defaults().withPath(NumericPath.INT8).withThreads(2).withHeadRescore(k);
    }

    @Test
    void tiedHeadRescoresFromTheEmbeddingRows() throws Exception {
        checkAgainstTheFloatHead(tied, "token_embd.weight", options(K));
    }

    @Test
    void untiedHeadRescoresFromItsOwnRows() throws Exception {
        checkAgainstTheFloatHead(untied, "output.weight", options(K));
    }

    @Test
    void fourBitHeadRescoresAlikeWhereTheNativeKernelsRun() throws Exception {
        ModelOptions native4 = options(K).withHeadBits(4).withKernel("native");
        try {
            io.tern.engine.kernel.NativeKernel.load(null);
        } catch (IllegalStateException e) {
            org.junit.jupiter.api.Assumptions.abort("no native kernels here: " + e.getMessage());
        }
        try (BitNetModel m = ModelLoader.load(tied, native4)) {
            assertInstanceOf(Int4Linear.class, assertInstanceOf(RescoredHead.class, m.lmHead()).quantised());
        }
        checkAgainstTheFloatHead(tied, "token_embd.weight", native4);
        checkAgainstTheFloatHead(untied, "output.weight", native4);
    }

    @Test
    void fourBitHeadFallsBackToInt8WithoutTheNativeKernels() throws Exception {
        try (BitNetModel m = ModelLoader.load(tied, options(K).withHeadBits(4).withKernel("vector"))) {
            assertInstanceOf(Int8Linear.class, assertInstanceOf(RescoredHead.class, m.lmHead()).quantised());
        }
    }

    private static void checkAgainstTheFloatHead(Path file, String tensor, ModelOptions options) throws Exception {
        try (BitNetModel m = ModelLoader.load(file, options)) {
            RescoredHead head = assertInstanceOf(RescoredHead.class, m.lmHead());
            assertEquals(K, head.candidates());
            int d = m.config().dim(), vocab = m.config().vocab();
            GgufTensorInfo t = m.file().tensor(tensor).orElseThrow();
            FloatLinear reference = new FloatLinear(m.file().data(t), TensorCodec.of(t.type()), vocab, d, 1f, m.pool());

            SplittableRandom rnd = new SplittableRandom(9);
            float[] hidden = new float[ROWS * d];
            for (int i = 0; i < hidden.length; i++) hidden[i] = (float) rnd.nextGaussian();
            RmsNorm.rows(hidden, ROWS, d, m.outputNorm(), m.config().rmsEps(), hidden);
            LinearInput in = new LinearInput(ROWS, d, m.pool()).set(hidden, ROWS);
            float[] exact = new float[ROWS * vocab], int8 = new float[ROWS * vocab], rescored = new float[ROWS * vocab];
            reference.forward(in, exact);
            head.quantised().forward(in, int8);
            head.forward(in, rescored);

            TopK top = new TopK(K);
            int int8Misses = 0;
            for (int r = 0; r < ROWS; r++) {
                int base = r * vocab;
                top.select(int8, base, vocab);
                boolean[] picked = new boolean[vocab];
                for (int i = 0; i < top.size(); i++) picked[top.index(i)] = true;
                for (int v = 0; v < vocab; v++) {
                    float want = picked[v] ? exact[base + v] : int8[base + v];
                    assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(rescored[base + v]),
                            "row " + r + ", token " + v + (picked[v] ? " (rescored)" : " (int8)"));
                }
                int best = Sampler.argmax(exact, base, vocab);
                assertEquals(best, Sampler.argmax(rescored, base, vocab), "row " + r + ": greedy pick");
                if (best != Sampler.argmax(int8, base, vocab)) int8Misses++;
            }
            assertTrue(int8Misses < ROWS, "the quantised head alone agreed " + (ROWS - int8Misses) + "/" + ROWS);
            assertEquals(head.quantised().weightBytes() + K * m.embedding().rowBytes(), head.weightBytes());
        }
    }

    @Test
    void zeroCandidatesLeavesThePlainInt8Head() throws Exception {
        try (BitNetModel m = ModelLoader.load(tied, options(0))) {
            assertInstanceOf(Int8Linear.class, m.lmHead());
        }
        try (BitNetModel m = ModelLoader.load(tied, options(K).withInt8Head(false))) {
            assertTrue(!(m.lmHead() instanceof RescoredHead) && !(m.lmHead() instanceof Int8Linear), m.lmHead().getClass().getName());
        }
    }
}
