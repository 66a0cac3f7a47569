package io.tern.engine.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.engine.gguf.GgufArray;
import io.tern.engine.gguf.GgufWriter;
import io.tern.engine.tokenizer.Tokenizer;
import io.tern.engine.tokenizer.Vocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Hugging Face byte-level BPE tokenizer ({@code tokenizer.json} + {@code tokenizer_config.json}) as llama.cpp's
 * {@code tokenizer.ggml.*} keys: model gpt2, pre llama-bpe, tokens in byte-level form, merges, token types (added
 * special tokens are control tokens), bos/eos/eot ids, add_bos_token, and {@code tokenizer.chat_template}. Ids the
 * tokenizer leaves unused, up to the model's vocab size, become {@code [PAD<id>]} tokens of type unused, as
 * llama.cpp's converter pads them.
 */
final class HfTokenizerKeys {
    static final String TOKENIZER = "tokenizer.json";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private HfTokenizerKeys() {
    }

    static void write(Path dir, int vocabSize, GgufWriter w) throws IOException {
        Path file = dir.resolve(TOKENIZER);
        if (!Files.isRegularFile(file)) {
            throw new ImportException(dir + ": no " + TOKENIZER);
        }
        Vocabulary v;
        try {
            v = Tokenizer.fromHuggingFace(file).vocabulary();
        } catch (IOException | RuntimeException e) {
            throw new ImportException(TOKENIZER + ": " + e.getMessage(), e);
        }
        if (v.size() > vocabSize) {
            throw new ImportException(TOKENIZER + " has " + v.size() + " tokens, more than the model's vocab_size "
                    + vocabSize);
        }
        List<String> tokens = new ArrayList<>(vocabSize);
        int[] types = new int[vocabSize];
        for (int id = 0; id < vocabSize; id++) {
            String t = id < v.size() ? v.tokens().get(id) : null;
            tokens.add(t != null ? t : "[PAD" + id + "]");
            types[id] = t != null ? v.typeOf(id) : Vocabulary.TYPE_UNUSED;
        }
        w.putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", Vocabulary.LLAMA_BPE)
                .putStrings("tokenizer.ggml.tokens", tokens)
                .putArray("tokenizer.ggml.token_type", GgufArray.ofInt32(types))
                .putStrings("tokenizer.ggml.merges", v.merges());
        putId(w, "tokenizer.ggml.bos_token_id", v.bos());
        putId(w, "tokenizer.ggml.eos_token_id", v.eos());
        putId(w, "tokenizer.ggml.eot_token_id", v.eot());
        w.putBool("tokenizer.ggml.add_bos_token", v.addBos());
        String template = chatTemplate(dir.resolve(TOKENIZER_CONFIG));
        if (template != null) {
            w.putString("tokenizer.chat_template", template);
        }
    }

    private static void putId(GgufWriter w, String key, int id) {
        if (id >= 0) {
            w.putUint32(key, id);
        }
    }

    /** chat_template of tokenizer_config.json: a string, or a list of {name, template} (the "default" one). */
    static String chatTemplate(Path config) throws IOException {
        if (!Files.isRegularFile(config)) {
            return null;
        }
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(config.toFile());
        } catch (IOException e) {
            throw new ImportException(TOKENIZER_CONFIG + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode t = c == null ? null : c.get("chat_template");
        if (t == null || t.isNull()) {
            return null;
        }
        if (t.isTextual()) {
            return t.asText();
        }
        if (t.isArray()) {
            for (JsonNode entry : t) {
                if ("default".equals(entry.path("name").asText())) {
                    return entry.path("template").asText();
                }
            }
        }
        throw new ImportException(TOKENIZER_CONFIG + ": chat_template is neither a string nor a list with a "
                + "'default' entry");
    }
}
