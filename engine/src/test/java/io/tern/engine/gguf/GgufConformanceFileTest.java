package io.tern.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GgufConformanceFileTest {
    static final Path TINY = Path.of("src/test/resources/conformance/bitnet-tiny/tiny-bitnet-tq2_0.gguf");

    @Test
    void readsHeaderMetadataAndTensors() throws Exception {
        try (GgufFile f = GgufFile.open(TINY)) {
            assertEquals(3, f.version());
            assertEquals(32, f.alignment());
            GgufMetadata md = f.metadata();
            assertEquals("bitnet", md.requireString("general.architecture"));
            assertEquals(GgufValueType.UINT32, md.typeOf("bitnet.block_count"));
            assertEquals(3, md.getInt("bitnet.block_count", -1));
            assertEquals(256, md.getInt("bitnet.embedding_length", -1));
            assertEquals(500000f, md.getFloat("bitnet.rope.freq_base", 0));
            assertEquals(1e-5f, md.getFloat("bitnet.attention.layer_norm_rms_epsilon", 0));
            assertTrue(md.getBool("tokenizer.ggml.add_bos_token", false));
            List<String> tokens = md.getStringArray("tokenizer.ggml.tokens");
            assertEquals(303, tokens.size());
            assertEquals("<|begin_of_text|>", tokens.get(300));
            assertEquals("Ġworld", tokens.get(299));
            assertEquals(303, md.getIntArray("tokenizer.ggml.token_type").length);
            assertEquals(44, md.getStringArray("tokenizer.ggml.merges").size());

            assertEquals(35, f.tensors().size());
            GgufTensorInfo embd = f.tensors().get(0);
            assertEquals("token_embd.weight", embd.name());
            assertEquals(GgmlType.F16, embd.type());
            assertEquals(256, embd.rowLength());
            assertEquals(303, embd.rows());
            GgufTensorInfo down = f.requireTensor("blk.2.ffn_down.weight");
            assertEquals(GgmlType.TQ2_0, down.type());
            assertEquals(768, down.dims()[0]);
            assertEquals(256, down.dims()[1]);
            assertEquals(768L * 256 / 256 * 66, down.byteSize());
            assertEquals(down.byteSize(), f.data(down).byteSize());
            assertTrue(f.data(down).isReadOnly());
            assertEquals(0, down.offset() % 32);
            long last = f.dataStart() + down.offset() + down.byteSize();
            assertTrue(last <= f.mapping().byteSize());
        }
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        try (GgufFile f = GgufFile.open(TINY)) {
            assertTrue(f.tensor("output.weight").isEmpty());
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> f.requireTensor("output.weight"));
            assertEquals("missing tensor 'output.weight' in tiny-bitnet-tq2_0.gguf", e.getMessage());
        }
    }

    @Test
    void dataIsUnusableAfterClose() throws Exception {
        GgufFile f = GgufFile.open(TINY);
        var seg = f.data(f.requireTensor("output_norm.weight"));
        f.close();
        assertThrows(IllegalStateException.class, () -> seg.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
        f.close(); // idempotent
    }
}
