package io.tern.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The conformance model's GGUF vocabulary against llama.cpp's tokenisation in the golden file. */
class TinyGgufTokenizerTest {

    static final Path DIR = Path.of("src/test/resources/conformance/bitnet-tiny");

    static Tokenizer tokenizer;
    static Map<String, Object> meta;

    @BeforeAll
    static void load() throws IOException {
        meta = GgufTestMetadata.read(DIR.resolve("tiny-bitnet-tq2_0.gguf"));
        tokenizer = Tokenizer.fromVocabulary(vocabulary(meta, (String) meta.get("tokenizer.ggml.pre")));
    }

    @SuppressWarnings("unchecked")
    static Vocabulary vocabulary(Map<String, Object> meta, String pre) {
        List<Object> types = (List<Object>) meta.get("tokenizer.ggml.token_type");
        int[] tokenTypes = types.stream().mapToInt(t -> (Integer) t).toArray();
        return Vocabulary.fromGguf((String) meta.get("tokenizer.ggml.model"), pre,
                (List<String>) meta.get("tokenizer.ggml.tokens"), (List<String>) meta.get("tokenizer.ggml.merges"),
                tokenTypes, id(meta, "tokenizer.ggml.bos_token_id"), id(meta, "tokenizer.ggml.eos_token_id"),
                id(meta, "tokenizer.ggml.eot_token_id"), (Boolean) meta.get("tokenizer.ggml.add_bos_token"));
    }

    private static int id(Map<String, Object> meta, String key) {
        Object v = meta.get(key);
        return v == null ? -1 : (Integer) v;
    }

    @Test
    void reproducesLlamaCppTokenisation() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(DIR.resolve("f32.relu2.greedy.json").toFile());
        HexFormat hex = HexFormat.of();
        int cases = 0;
        for (JsonNode c : golden.get("tokenize")) {
            String text = c.get("text").asText();
            int[] expected = new int[c.get("ids").size()];
            for (int i = 0; i < expected.length; i++) expected[i] = c.get("ids").get(i).asInt();
            assertArrayEquals(expected, tokenizer.encode(text, true), "ids of \"" + text + "\"");
            List<String> pieces = new ArrayList<>();
            for (int id : expected) pieces.add(hex.formatHex(tokenizer.tokenBytes(id)));
            List<String> expectedPieces = new ArrayList<>();
            c.get("pieces_hex").forEach(p -> expectedPieces.add(p.asText()));
            assertEquals(expectedPieces, pieces, "pieces of \"" + text + "\"");
            assertEquals(text, tokenizer.decode(expected));
            cases++;
        }
        assertEquals(7, cases);
    }

    @Test
    void promptGetsBosLikeTheGoldenRun() throws IOException {
        JsonNode golden = new ObjectMapper().readTree(DIR.resolve("f32.relu2.greedy.json").toFile());
        int[] expected = new int[golden.get("input_ids").size()];
        for (int i = 0; i < expected.length; i++) expected[i] = golden.get("input_ids").get(i).asInt();
        assertArrayEquals(expected, tokenizer.encodeWithBos("hello world. the bitnet", true));
    }

    @Test
    void specialAndStopTokensFollowTheMetadata() {
        assertEquals(303, tokenizer.vocabSize());
        assertEquals(300, tokenizer.bos());
        assertTrue(tokenizer.isSpecial(302) && tokenizer.isStopToken(302) && tokenizer.isStopToken(301));
        assertTrue(!tokenizer.isStopToken(300) && !tokenizer.isSpecial(104));
        // Without special parsing a control token's text is just bytes.
        assertTrue(tokenizer.encode("<|eot_id|>", false).length > 1);
    }

    @Test
    void otherPreTokenizersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> vocabulary(meta, "qwen2"));
    }
}
