package io.tern.engine.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turns generated ids into text as they arrive. Bytes of a character split across tokens are held
 * back until the character is complete, so no piece ever ends in half a character; malformed bytes
 * become U+FFFD exactly as {@link Tokenizer#decode} would. With skipSpecialTokens, tokens that are not text
 * ({@link Tokenizer#isSkippedInText}) give no text. Not thread-safe: one per sequence.
 */
public final class StreamingDecoder {

    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(64); // write mode; at most 3 bytes held between calls

    StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one token and returns the text it completes (possibly empty). */
    public String push(int id) {
        if (skipSpecialTokens && tokenizer.isSkippedInText(id)) return "";
        byte[] bytes = tokenizer.tokenBytes(id);
        if (pending.remaining() < bytes.length) {
            ByteBuffer larger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + bytes.length));
            pending.flip();
            larger.put(pending);
            pending = larger;
        }
        pending.put(bytes);
        return drain(false);
    }

    /** Ends the sequence: returns what is left, with U+FFFD for bytes of an unfinished character. */
    public String finish() {
        String rest = drain(true);
        utf8.reset();
        return rest;
    }

    private String drain(boolean endOfInput) {
        pending.flip();
        CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
        utf8.decode(pending, out, endOfInput);
        if (endOfInput) utf8.flush(out);
        pending.compact();
        return out.flip().toString();
    }
}
