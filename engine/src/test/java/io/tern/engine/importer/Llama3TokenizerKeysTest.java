package io.tern.engine.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufWriter;
import io.tern.engine.model.GgufTokenizer;
import io.tern.engine.tokenizer.Tokenizer;
import io.tern.engine.tokenizer.Vocabulary;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The full LLaMA-3 tokenizer (BitNet 2B4T's) survives the trip into tokenizer.ggml.* keys. */
class Llama3TokenizerKeysTest {
    @TempDir Path dir;

    @Test
    void llama3TokenizerEncodesTheSameFromGgufKeys() throws Exception {
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/tokenizer/llama3/tokenizer.json.gz"))) {
            Files.copy(in, dir.resolve("tokenizer.json"));
        }
        try (InputStream in = getClass().getResourceAsStream("/tokenizer/llama3/tokenizer_config.json")) {
            Files.copy(in, dir.resolve("tokenizer_config.json"));
        }
        Path gguf = dir.resolve("tok.gguf");
        GgufWriter w = new GgufWriter(gguf);
        HfTokenizerKeys.write(dir, 128256, w);
        w.write();
        Tokenizer hf = Tokenizer.fromHuggingFace(dir.resolve("tokenizer.json"));
        try (GgufFile g = GgufFile.open(gguf)) {
            Tokenizer fromKeys = GgufTokenizer.load(g.metadata());
            assertEquals(128256, fromKeys.vocabSize());
            assertEquals(128000, fromKeys.bos());
            assertEquals(128009, fromKeys.eot());
            assertEquals(Vocabulary.TYPE_CONTROL, g.metadata().getIntArray("tokenizer.ggml.token_type")[128006]);
            assertEquals(Vocabulary.TYPE_NORMAL, g.metadata().getIntArray("tokenizer.ggml.token_type")[1000]);
            assertTrue(g.metadata().requireString("tokenizer.chat_template").contains("start_header_id"));
            ObjectMapper m = new ObjectMapper();
            List<String> lines = Files.readAllLines(Path.of(getClass().getResource("/tokenizer/llama3/dev-cases.jsonl")
                    .toURI()));
            for (String line : lines) {
                JsonNode c = m.readTree(line);
                String text = c.get("text").asText();
                int[] want = m.convertValue(c.get("ids"), int[].class);
                boolean special = c.path("special").asBoolean(false);
                assertArrayEquals(want, fromKeys.encode(text, special), text);
                assertArrayEquals(hf.encodeWithBos(text, special), fromKeys.encodeWithBos(text, special), text);
            }
        }
    }
}
