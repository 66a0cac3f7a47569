package io.tern.engine.tokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamingDecoderTest {

    static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        tokenizer = Llama3Fixture.tokenizer();
    }

    @Test
    void holdsBackCharactersSplitAcrossTokens() {
        String text = "Party 🎉👩🏽‍🔬 早上好 and 🧿!";
        int[] ids = tokenizer.encode(text, false);
        // The emoji and CJK above are split across byte tokens (e.g. 🎉 = 9468, 236, 231).
        int incomplete = 0;
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) {
            if (!isCompleteUtf8(tokenizer.tokenBytes(id))) incomplete++;
            String piece = decoder.push(id);
            assertFalse(piece.contains("\uFFFD"), "replacement character in piece '" + piece + "'");
            assertFalse(!piece.isEmpty() && Character.isHighSurrogate(piece.charAt(piece.length() - 1)));
            assertTrue(text.startsWith(streamed.append(piece).toString()), "streamed text is not a prefix: " + streamed);
        }
        assertTrue(incomplete >= 4, "test text should contain tokens holding partial characters");
        assertEquals("", decoder.finish());
        assertEquals(text, streamed.toString());
    }

    @Test
    void finishReplacesADanglingPartialCharacter() {
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        assertEquals("", decoder.push(9468));    // F0 9F: first half of an emoji
        assertEquals("\uFFFD", decoder.finish());
        assertEquals("ok", decoder.push(564));  // the decoder is usable again after finish
        assertEquals("", decoder.finish());
    }

    @Test
    void streamingMatchesWholeDecodeOnArbitraryTokenSequences() {
        Random random = new Random(7);
        // Byte-level single-byte tokens plus some multi-byte fragments, so sequences are often malformed.
        int[] pool = {9468, 236, 231, 239, 102, 20022, 127000, 55, 13, 220, 1917, 128009, 102470, 177, 188, 255, 256};
        for (int round = 0; round < 2000; round++) {
            int[] ids = new int[1 + random.nextInt(8)];
            for (int i = 0; i < ids.length; i++) ids[i] = pool[random.nextInt(pool.length)];
            StreamingDecoder decoder = tokenizer.streamingDecoder();
            StringBuilder streamed = new StringBuilder();
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                String piece = decoder.push(id);
                pieces.add(piece);
                streamed.append(piece);
            }
            streamed.append(decoder.finish());
            assertEquals(tokenizer.decode(ids), streamed.toString(), "pieces " + pieces);
        }
    }

    private static boolean isCompleteUtf8(byte[] bytes) {
        try {
            java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
