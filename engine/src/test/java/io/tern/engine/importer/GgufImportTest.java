package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufTensorInfo;
import io.tern.engine.model.GgufTokenizer;
import io.tern.engine.model.NumericPath;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import io.tern.engine.tokenizer.Tokenizer;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GGUF sources (llama.cpp's bitnet TQ2_0, bitnet.cpp's bitnet-b1.58 I2_S, F32) import to the same model. */
class GgufImportTest {
    @TempDir Path dir;

    static Path conformanceModel() throws URISyntaxException {
        return Path.of(GgufImportTest.class.getResource("/conformance/bitnet-tiny/tiny-bitnet-tq2_0.gguf").toURI());
    }

    private void assertSameLogits(Path source, Path imported) throws Exception {
        for (NumericPath p : NumericPath.values()) {
            assertArrayEquals(Logits.of(source, p), Logits.of(imported, p), p + " path: imported logits differ");
        }
    }

    @Test
    void conformanceModelImportsToCanonicalI2s() throws Exception {
        Path out = dir.resolve("tiny.gguf");
        List<long[]> progress = new ArrayList<>();
        ImportResult r = ModelImporter.importModel(conformanceModel(), out, (d, t) -> progress.add(new long[] {d, t}));
        assertSameLogits(conformanceModel(), out);
        assertEquals(Files.size(out), r.outBytes());
        assertEquals(64, r.sourceSha256().length());
        assertEquals("bitnet", r.config().architecture());
        assertEquals(3 * 11 + 2, r.tensors().size());
        assertFalse(progress.isEmpty());
        long[] last = progress.getLast();
        assertEquals(last[1], last[0], "progress ends at the total");
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "progress never goes back");
        }
        try (GgufFile g = GgufFile.open(out); GgufFile src = GgufFile.open(conformanceModel())) {
            assertEquals("bitnet", g.metadata().requireString("general.architecture"));
            assertEquals(r.sourceSha256(), g.metadata().requireString(CanonicalWriter.SOURCE_SHA256_KEY));
            assertEquals("tiny-bitnet-tq2_0.gguf", g.metadata().requireString(CanonicalWriter.SOURCE_FILE_KEY));
            for (GgufTensorInfo t : g.tensors()) {
                GgmlType want = t.name().endsWith("norm.weight") ? GgmlType.F32
                        : t.name().equals("token_embd.weight") ? GgmlType.F16 : GgmlType.I2_S;
                assertEquals(want, t.type(), t.name());
            }
            Tokenizer a = GgufTokenizer.load(src.metadata());
            Tokenizer b = GgufTokenizer.load(g.metadata());
            assertArrayEquals(a.encodeWithBos("hello world. the bitnet", false),
                    b.encodeWithBos("hello world. the bitnet", false));
        }
        assertFalse(Files.exists(dir.resolve("tiny.gguf.importing")));
    }

    @Test
    void bitnetCppI2sWithScaleTensorsImportsToTheSameModel() throws Exception {
        Path src = dir.resolve("b158.gguf");
        new TestModelGenerator(BitNetShape.tiny().withArch(BitNetShape.BITNET_CPP_ARCH)).weightType(GgmlType.I2_S)
                .scaleTensors(true).separateOutput(true).seed(5).write(src);
        Path out = dir.resolve("canonical.gguf");
        ImportResult r = ModelImporter.importModel(src, out, ImportProgress.NONE);
        assertSameLogits(src, out);
        try (GgufFile g = GgufFile.open(out)) {
            assertTrue(g.tensor("output.weight").isPresent(), "untied output kept");
            assertTrue(g.tensor("blk.0.attn_q.scale").isEmpty(), "scale tensors folded into I2_S");
            assertTrue(g.metadata().has("bitnet.block_count"));
            assertFalse(g.metadata().has("bitnet-b1.58.block_count"));
            assertTrue(g.metadata().has("tern.test_model.seed"), "other keys carried over");
        }
        assertEquals(3 * 11 + 3, r.tensors().size());
    }

    @Test
    void floatWeightsThatAreScaleTimesTernaryKeepTheirScale() throws Exception {
        Path src = dir.resolve("f32.gguf");
        new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.F32).seed(9).write(src);
        Path tq = dir.resolve("tq2.gguf");
        new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.TQ2_0).seed(9).write(tq);
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        ModelImporter.importModel(src, a, ImportProgress.NONE);
        ModelImporter.importModel(tq, b, ImportProgress.NONE);
        assertSameLogits(src, a);
        assertSameTensors(a, b);
    }

    /** Every tensor of the two files has the same name, type, dims and bytes. */
    static void assertSameTensors(Path a, Path b) throws Exception {
        try (GgufFile x = GgufFile.open(a); GgufFile y = GgufFile.open(b)) {
            assertEquals(x.tensors().size(), y.tensors().size());
            for (GgufTensorInfo t : x.tensors()) {
                GgufTensorInfo u = y.requireTensor(t.name());
                assertEquals(t.type(), u.type(), t.name());
                assertArrayEquals(t.dims(), u.dims(), t.name());
                assertArrayEquals(x.data(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        y.data(u).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.name());
            }
        }
    }
}
