package io.tern.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-unicode table: every byte gets a printable character so a byte string can live
 * in a JSON vocabulary. Bytes 0x21-0x7E, 0xA1-0xAC and 0xAE-0xFF stand for themselves; the other 68
 * bytes map, in increasing order, to U+0100, U+0101, ... (so space 0x20 becomes 'Ġ' U+0120).
 */
final class ByteLevel {

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[324]; // chars used are below U+0144; -1 = none

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    static char charOf(int unsignedByte) {
        return BYTE_TO_CHAR[unsignedByte];
    }

    /** The byte-level string of some bytes (what a vocabulary entry looks like). */
    static String encode(byte[] bytes, int from, int to) {
        char[] chars = new char[to - from];
        for (int i = from; i < to; i++) chars[i - from] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        return new String(chars);
    }

    /**
     * The bytes a byte-level token string stands for. A character outside the table (never the case
     * in a well-formed vocabulary) is kept as its own UTF-8 bytes rather than dropped.
     */
    static byte[] decode(String token) {
        byte[] direct = new byte[token.length()];
        for (int i = 0; i < direct.length; i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) return decodeMixed(token);
            direct[i] = (byte) b;
        }
        return direct;
    }

    private static byte[] decodeMixed(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            int b = cp < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[cp] : -1;
            if (b >= 0) {
                out.write(b);
            } else {
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
            i += Character.charCount(cp);
        }
        return out.toByteArray();
    }
}
