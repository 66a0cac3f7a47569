package io.tern.engine.model;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.kernel.NativeKernel;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The bench's head-quality figures: rescoring lifts top-1 agreement to that of the float head, fewer bits move the
 * sampling distribution further, and a model without a quantised head is refused.
 */
class HeadAgreementTest {
    static final BitNetShape SHAPE = new BitNetShape(BitNetShape.LLAMA_CPP_ARCH, 1, 256, 768, 8, 2, 6000, 256, 500000f, 1e-5f);

    @TempDir static Path dir;
    static Path file;

    @BeforeAll
    static void writeModel() throws Exception {
        file = dir.resolve("head.gguf");
        new TestModelGenerator(SHAPE).weightType(GgmlType.I2_S).seed(8).write(file);
    }

    private static HeadAgreement.Result measure(ModelOptions o) throws Exception {
        try (BitNetModel m = ModelLoader.load(file, o.withThreads(2))) {
            return HeadAgreement.measure(m, 48, 3);
        }
    }

    @Test
    void rescoringAgreesAndFewerBitsSampleFurtherFromTheFloatHead() throws Exception {
        HeadAgreement.Result int8 = measure(ModelOptions.defaults());
        assertEquals(8, int8.bits());
        assertEquals(ModelOptions.DEFAULT_HEAD_RESCORE, int8.candidates());
        assertEquals(48, int8.agree(), "rescored int8 head: " + int8);
        assertTrue(int8.quantAgree() <= int8.agree());
        assertTrue(int8.samplingTv() > 0 && int8.samplingTv() < 0.05, int8.toString());

        HeadAgreement.Result plain = measure(ModelOptions.defaults().withHeadRescore(0));
        assertEquals(0, plain.candidates());
        assertEquals(plain.quantAgree(), plain.agree());
        assertTrue(plain.samplingTv() >= int8.samplingTv(), plain + " vs " + int8);

        boolean nativeHere;
        try {
            NativeKernel.load(null);
            nativeHere = true;
        } catch (IllegalStateException e) {
            nativeHere = false;
        }
        assumeTrue(nativeHere, "4-bit head needs the native kernels");
        HeadAgreement.Result int4 = measure(ModelOptions.defaults().withHeadBits(4).withKernel("native"));
        assertEquals(4, int4.bits());
        assertEquals(48, int4.agree(), "rescored 4-bit head: " + int4);
        assertTrue(int4.quantAgree() < int8.quantAgree(), int4 + " vs " + int8);
        assertTrue(int4.samplingTv() > 2 * int8.samplingTv(), int4 + " vs " + int8);
    }

    @Test
    void aFloatHeadHasNothingToCompare() throws Exception {
        try (BitNetModel m = ModelLoader.load(file, ModelOptions.defaults().withInt8Head(false).withThreads(1))) {
            assertThrows(IllegalStateException.class, () -> HeadAgreement.measure(m, 4, 1));
        }
    }

    @Test
    void totalVariationOfEqualRowsIsZeroAndOfDisjointOnesNearOne() {
        float[] p = {0, 1, 2, 3}, far = {100, -100, -100, -100, 0, 0, 0, 0};
        assertEquals(0.0, HeadAgreement.totalVariation(p, p, 0, 4), 1e-12);
        float[] q = {-100, -100, -100, 100};
        assertEquals(1.0, HeadAgreement.totalVariation(far, q, 0, 4), 1e-9);
    }
}
