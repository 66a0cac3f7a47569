package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.model.GgufTokenizer;
import io.tern.engine.model.NumericPath;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.HfTestModel;
import io.tern.engine.testmodel.TestModelGenerator;
import io.tern.engine.tokenizer.Tokenizer;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hugging Face directories, packed and bf16 master, import to the model they were made from. */
class HfImportTest {
    @TempDir Path dir;
    Path source;

    @BeforeEach
    void generate() throws Exception {
        source = dir.resolve("source.gguf");
        new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.I2_S).seed(3).write(source);
    }

    private Path hf(String name, HfTestModel model) throws Exception {
        Path d = dir.resolve(name);
        model.write(source, d);
        return d;
    }

    @Test
    void packedCheckpointGivesTheSourceLogits() throws Exception {
        Path out = dir.resolve("packed.gguf");
        ImportResult r = ModelImporter.importModel(hf("packed", new HfTestModel()), out, ImportProgress.NONE);
        for (NumericPath p : NumericPath.values()) {
            assertArrayEquals(Logits.of(source, p), Logits.of(out, p), p + " path");
        }
        assertEquals("packed", r.sourceName());
        try (GgufFile g = GgufFile.open(out); GgufFile s = GgufFile.open(source)) {
            assertEquals("relu2", g.metadata().requireString(CanonicalWriter.FFN_ACTIVATION_KEY));
            assertEquals(HfTestModel.CHAT_TEMPLATE, g.metadata().requireString("tokenizer.chat_template"));
            assertEquals("hf-safetensors", g.metadata().requireString(CanonicalWriter.SOURCE_FORMAT_KEY));
            assertArrayEquals(s.metadata().getIntArray("tokenizer.ggml.token_type"),
                    g.metadata().getIntArray("tokenizer.ggml.token_type"));
            assertEquals(s.metadata().getStringArray("tokenizer.ggml.tokens"),
                    g.metadata().getStringArray("tokenizer.ggml.tokens"));
            Tokenizer a = GgufTokenizer.load(s.metadata());
            Tokenizer b = GgufTokenizer.load(g.metadata());
            String text = "hello world. the bitnet <|eot_id|>";
            assertArrayEquals(a.encodeWithBos(text, true), b.encodeWithBos(text, true));
            assertEquals(a.bos(), b.bos());
            assertEquals(a.eos(), b.eos());
            assertEquals(a.eot(), b.eot());
            assertTrue(b.addsBos());
        }
    }

    @Test
    void shardedCheckpointImportsLikeTheSingleFile() throws Exception {
        Path single = dir.resolve("single.gguf");
        Path sharded = dir.resolve("sharded.gguf");
        ModelImporter.importModel(hf("one", new HfTestModel()), single, ImportProgress.NONE);
        ModelImporter.importModel(hf("two", new HfTestModel().sharded(true)), sharded, ImportProgress.NONE);
        GgufImportTest.assertSameTensors(single, sharded);
    }

    @Test
    void packedAndMasterLayoutsOfTheSameWeightsImportIdentically() throws Exception {
        Path master = dir.resolve("master.gguf");
        Path packed = dir.resolve("packed.gguf");
        ModelImporter.importModel(hf("master", new HfTestModel().layout(HfTestModel.Layout.MASTER)), master,
                ImportProgress.NONE);
        ModelImporter.importModel(hf("packed", new HfTestModel().layout(HfTestModel.Layout.PACKED_FROM_MASTER)),
                packed, ImportProgress.NONE);
        GgufImportTest.assertSameTensors(master, packed);
        // The master weights were made from the source's codes: ternarising them gives those codes back.
        try (GgufFile m = GgufFile.open(master); GgufFile s = GgufFile.open(source)) {
            for (var t : m.tensors()) {
                if (t.type() != GgmlType.I2_S) {
                    continue;
                }
                var u = s.requireTensor(t.name());
                long codeBytes = t.elements() / 4;
                assertArrayEquals(s.data(u).asSlice(0, codeBytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        m.data(t).asSlice(0, codeBytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), t.name());
            }
        }
    }

    @Test
    void weightScaleDirectionFollowsTheLinearClass() throws Exception {
        // autobitlinear stores s, bitlinear (and no linear_class) stores 1/s; all must give I2_S scale s.
        Path auto = dir.resolve("auto.gguf");
        Path bit = dir.resolve("bit.gguf");
        Path none = dir.resolve("none.gguf");
        ImportResult a = ModelImporter.importModel(hf("auto", new HfTestModel()), auto, ImportProgress.NONE);
        ImportResult b = ModelImporter.importModel(hf("bit", new HfTestModel().linearClass("bitlinear")), bit,
                ImportProgress.NONE);
        ImportResult c = ModelImporter.importModel(hf("none", new HfTestModel().linearClass(null)), none,
                ImportProgress.NONE);
        try (GgufFile s = GgufFile.open(source)) {
            for (int i = 0; i < a.tensors().size(); i++) {
                TensorSummary t = a.tensors().get(i);
                if (t.type() != GgmlType.I2_S) {
                    continue;
                }
                var info = s.requireTensor(t.name());
                float want = s.data(info).get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, info.elements() / 4);
                assertEquals(want, t.scale(), t.name());
                float inverted = (float) (1.0 / (1f / want));
                assertEquals(inverted, b.tensors().get(i).scale(), t.name());
                assertEquals(inverted, c.tensors().get(i).scale(), t.name());
            }
        }
        // Forcing the other convention inverts the scale.
        ImportResult forced = ModelImporter.importModel(dir.resolve("auto"), dir.resolve("forced.gguf"),
                WeightScaleConvention.DIVIDE, ImportProgress.NONE);
        TensorSummary q = forced.tensors().stream().filter(t -> t.name().equals("blk.0.attn_q.weight")).findFirst()
                .orElseThrow();
        TensorSummary q0 = a.tensors().stream().filter(t -> t.name().equals("blk.0.attn_q.weight")).findFirst()
                .orElseThrow();
        assertEquals((float) (1.0 / q0.scale()), q.scale());
    }
}
