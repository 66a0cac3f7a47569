package io.tern.engine.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Reads a Hugging Face {@code tokenizer.json} (BPE model, LLaMA-3 pre-tokenizer) into a
 * {@link Vocabulary}. The model section is streamed; merges may be "a b" strings or ["a", "b"] pairs.
 */
final class HuggingFaceTokenizerFile {

    static final String LLAMA3_SPLIT_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    // The vocab is one object with 128k distinct keys: canonicalising (interning) them as field
    // names costs more than the rest of the parse.
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build());

    private record Added(int id, String content, boolean special) {}

    private HuggingFaceTokenizerFile() {}

    static Vocabulary read(Path file) throws IOException {
        List<String> vocab = new ArrayList<>();   // id -> token, grown as ids appear
        List<String> merges = new ArrayList<>();
        List<Added> added = new ArrayList<>();
        boolean ignoreMerges = false;
        JsonNode preTokenizer = null;

        try (InputStream in = open(file); JsonParser p = MAPPER.getFactory().createParser(in)) {
            expect(p, p.nextToken(), JsonToken.START_OBJECT, file);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "added_tokens" -> {
                        for (JsonNode t : MAPPER.<JsonNode>readTree(p)) {
                            added.add(new Added(t.path("id").asInt(), t.path("content").asText(),
                                    t.path("special").asBoolean(true)));
                        }
                    }
                    case "pre_tokenizer" -> preTokenizer = MAPPER.<JsonNode>readTree(p);
                    case "model" -> ignoreMerges = readModel(p, vocab, merges, file);
                    default -> p.skipChildren();
                }
            }
        }
        checkPreTokenizer(preTokenizer, file);

        int size = vocab.size();
        for (Added a : added) size = Math.max(size, a.id + 1);
        while (vocab.size() < size) vocab.add(null);
        int[] types = new int[size];
        Arrays.fill(types, Vocabulary.TYPE_NORMAL);
        for (Added a : added) {
            vocab.set(a.id, a.content);
            types[a.id] = a.special ? Vocabulary.TYPE_CONTROL : Vocabulary.TYPE_USER_DEFINED;
        }

        SpecialIds ids = SpecialIds.find(file.resolveSibling("tokenizer_config.json"), vocab);
        return new Vocabulary(vocab, merges, types, ids.bos(), ids.eos(), ids.eot(), ids.addBos(),
                Vocabulary.LLAMA_BPE, ignoreMerges);
    }

    /** Streams the "model" object; returns its ignore_merges flag. */
    private static boolean readModel(JsonParser p, List<String> vocab, List<String> merges, Path file) throws IOException {
        expect(p, p.currentToken(), JsonToken.START_OBJECT, file);
        boolean ignoreMerges = false;
        String type = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "type" -> type = p.getText();
                case "ignore_merges" -> ignoreMerges = value == JsonToken.VALUE_TRUE;
                case "vocab" -> {
                    expect(p, value, JsonToken.START_OBJECT, file);
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String token = p.currentName();
                        p.nextToken();
                        int id = p.getIntValue();
                        while (vocab.size() <= id) vocab.add(null);
                        vocab.set(id, token);
                    }
                }
                case "merges" -> {
                    expect(p, value, JsonToken.START_ARRAY, file);
                    JsonToken t;
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (t == JsonToken.VALUE_STRING) {
                            merges.add(p.getText());
                        } else {
                            expect(p, t, JsonToken.START_ARRAY, file);
                            p.nextToken();
                            String left = p.getText();
                            p.nextToken();
                            String right = p.getText();
                            expect(p, p.nextToken(), JsonToken.END_ARRAY, file);
                            merges.add(left + " " + right);
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (!"BPE".equals(type)) throw new IOException(file + ": model type is '" + type + "', expected 'BPE'");
        return ignoreMerges;
    }

    /** The one pre-tokenizer implemented: Split(LLaMA-3 regex, Isolated) then ByteLevel without its own regex. */
    private static void checkPreTokenizer(JsonNode pre, Path file) throws IOException {
        String regex = null;
        if (pre != null && "Sequence".equals(pre.path("type").asText())) {
            for (JsonNode step : pre.path("pretokenizers")) {
                if ("Split".equals(step.path("type").asText())) regex = step.path("pattern").path("Regex").asText(null);
            }
        }
        if (!LLAMA3_SPLIT_REGEX.equals(regex)) {
            throw new IOException(file + ": pre_tokenizer is not the LLaMA-3 Split/ByteLevel sequence; got " + pre);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
    }

    private static void expect(JsonParser p, JsonToken actual, JsonToken wanted, Path file) throws IOException {
        if (actual != wanted) {
            throw new IOException(file + ": expected " + wanted + " but found " + actual + " at " + p.currentLocation());
        }
    }

    /** BOS/EOS/EOT ids: from tokenizer_config.json when present, else by the LLaMA-3 names. */
    private record SpecialIds(int bos, int eos, int eot, boolean addBos) {

        static SpecialIds find(Path config, List<String> vocab) throws IOException {
            String bosName = "<|begin_of_text|>";
            String eosName = "<|end_of_text|>";
            Boolean addBos = null;
            if (Files.isRegularFile(config)) {
                JsonNode c = MAPPER.readTree(config.toFile());
                bosName = tokenName(c.get("bos_token"), bosName);
                eosName = tokenName(c.get("eos_token"), eosName);
                if (c.has("add_bos_token")) addBos = c.get("add_bos_token").asBoolean();
            }
            int bos = vocab.indexOf(bosName);
            int eos = vocab.indexOf(eosName);
            int eot = vocab.indexOf("<|eot_id|>");
            // LLaMA-3 tokenizer.json never adds BOS itself; the runtime does (llama.cpp's llama-bpe default).
            boolean add = addBos != null ? addBos && bos >= 0 : bos >= 0;
            return new SpecialIds(bos, eos, eot, add);
        }

        private static String tokenName(JsonNode node, String fallback) {
            if (node == null || node.isNull()) return fallback;
            return node.isTextual() ? node.asText() : node.path("content").asText(fallback);
        }
    }
}
