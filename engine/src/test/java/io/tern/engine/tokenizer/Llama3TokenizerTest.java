package io.tern.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The LLaMA-3 tokenizer.json against the developer cases (expected ids from HF tokenizers / tiktoken). */
class Llama3TokenizerTest {

    static final Path DIR = Path.of("src/test/resources/tokenizer/llama3");
    static final ObjectMapper JSON = new ObjectMapper();

    static Tokenizer tokenizer;

    record Case(String text, int[] ids, boolean special) {}

    @BeforeAll
    static void load() throws IOException {
        tokenizer = Llama3Fixture.tokenizer();
    }

    static List<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve("dev-cases.jsonl"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line);
            int[] ids = new int[n.get("ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = n.get("ids").get(i).asInt();
            cases.add(new Case(n.get("text").asText(), ids, n.path("special").asBoolean(false)));
        }
        return cases;
    }

    private static String label(Case c) {
        String shown = c.text.length() > 40 ? c.text.substring(0, 40) + "..." : c.text;
        StringBuilder escaped = new StringBuilder(c.special ? "[special] \"" : "\"");
        shown.codePoints().forEach(cp -> escaped.append(cp != ' ' && Character.isWhitespace(cp) || Character.isISOControl(cp) || cp == 0x85
                ? String.format("\\u%04x", cp) : Character.toString(cp)));
        return escaped.append('"').toString();
    }

    @TestFactory
    Stream<DynamicTest> encodesEveryDevCase() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(label(c),
                () -> assertArrayEquals(c.ids, tokenizer.encode(c.text, c.special), () -> "encoding of " + label(c))));
    }

    @TestFactory
    Stream<DynamicTest> decodesEveryDevCaseBack() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(label(c), () -> {
            assertEquals(c.text, tokenizer.decode(tokenizer.encode(c.text, c.special)));
            assertEquals(c.text, tokenizer.decode(c.ids));
            StringBuilder streamed = new StringBuilder();
            StreamingDecoder decoder = tokenizer.streamingDecoder();
            for (int id : c.ids) {
                String piece = decoder.push(id);
                assertFalse(!piece.isEmpty() && Character.isHighSurrogate(piece.charAt(piece.length() - 1)),
                        "piece ends in half a surrogate pair");
                assertFalse(piece.contains("\uFFFD") && !c.text.contains("\uFFFD"), "replacement char mid-stream");
                streamed.append(piece);
            }
            streamed.append(decoder.finish());
            assertEquals(c.text, streamed.toString());
        }));
    }

    @Test
    void plainTextDoesNotRecogniseSpecialTokensButSpecialModeDoes() {
        int[] plain = tokenizer.encode("<|eot_id|>", false);
        assertTrue(plain.length > 1);
        assertArrayEquals(new int[] {128009}, tokenizer.encode("<|eot_id|>", true));
        assertArrayEquals(new int[] {128006, 882, 128007}, tokenizer.encode("<|start_header_id|>user<|end_header_id|>", true));
    }

    @Test
    void tokenBytesAreExact() throws IOException {
        HexFormat hex = HexFormat.of();
        int checked = 0;
        for (String line : Files.readAllLines(DIR.resolve("dev-token-bytes.jsonl"), StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n = JSON.readTree(line);
            int id = n.get("id").asInt();
            assertEquals(n.get("hex").asText(), hex.formatHex(tokenizer.tokenBytes(id)), "bytes of id " + id);
            assertEquals(n.path("special").asBoolean(false), tokenizer.isSpecial(id), "isSpecial(" + id + ")");
            checked++;
        }
        assertEquals(11, checked);
    }

    @Test
    void specialIdsComeFromTheConfig() {
        assertEquals(128256, tokenizer.vocabSize());
        assertEquals(128000, tokenizer.bos());
        assertEquals(128001, tokenizer.eos());
        assertEquals(128009, tokenizer.eot());
        assertTrue(tokenizer.isStopToken(128001));
        assertTrue(tokenizer.isStopToken(128009));
        assertFalse(tokenizer.isStopToken(128006));
        assertFalse(tokenizer.isStopToken(13));
        assertEquals(128007, tokenizer.tokenId("<|end_header_id|>").orElseThrow());
        assertEquals(1917, tokenizer.tokenId("Ġworld").orElseThrow());
        assertTrue(tokenizer.tokenId("no such token").isEmpty());
    }

    @Test
    void controlTokensAreLeftOutOfTextOrdinaryOnesAreNot() {
        assertTrue(tokenizer.isSkippedInText(128009));   // <|eot_id|>
        assertTrue(tokenizer.isSkippedInText(128006));   // <|start_header_id|>
        assertTrue(tokenizer.isSkippedInText(128255));   // <|reserved_special_token_247|>
        assertFalse(tokenizer.isSkippedInText(1917));    // Ġworld
        assertFalse(tokenizer.isSkippedInText(13));
        assertFalse(tokenizer.isSkippedInText(-1));      // not a token: the decoder reports it
        assertFalse(tokenizer.isSkippedInText(128256));
    }

    @Test
    void encodeWithBosPrependsBosOnlyOnce() {
        assertArrayEquals(new int[] {128000, 9906, 1917}, tokenizer.encodeWithBos("Hello world", false));
        assertArrayEquals(new int[] {9906, 1917}, tokenizer.encode("Hello world", false));
    }

    @Test
    void printsEncodeSpeed() throws IOException {
        StringBuilder text = new StringBuilder();
        for (Case c : cases()) text.append(c.text).append('\n');
        String all = text.toString();
        for (int i = 0; i < 20; i++) tokenizer.encode(all + i, false);
        long start = System.nanoTime();
        int tokens = 0;
        int rounds = 50;
        for (int i = 0; i < rounds; i++) tokens += tokenizer.encode(all, false).length;
        double ms = (System.nanoTime() - start) / 1e6 / rounds;
        System.out.printf("encode: %d chars -> %d tokens in %.3f ms (cached pieces)%n", all.length(), tokens / rounds, ms);

        // Random words are new pre-tokens each time, so this measures the merge loop itself.
        java.util.Random random = new java.util.Random(1);
        StringBuilder words = new StringBuilder();
        while (words.length() < 4000) {
            words.append(' ');
            for (int k = 3 + random.nextInt(10); k > 0; k--) words.append((char) ('a' + random.nextInt(26)));
        }
        String fresh = words.toString();
        start = System.nanoTime();
        tokens = tokenizer.encode(fresh, false).length;
        System.out.printf("encode: %d chars of random words -> %d tokens in %.3f ms (uncached)%n",
                fresh.length(), tokens, (System.nanoTime() - start) / 1e6);
    }
}
