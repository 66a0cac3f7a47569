package io.tern.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Splits worked out by hand from the regex with Oniguruma semantics. */
class Llama3PreTokenizerTest {

    private static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        Llama3PreTokenizer.split(text, 0, text.length(), (s, e) -> pieces.add(text.substring(s, e)));
        return pieces;
    }

    @Test
    void contractionsWinOverLetters() {
        assertEquals(List.of("I", "'LL"), split("I'LL"));
        assertEquals(List.of("'s", "up"), split("'sup"));
        assertEquals(List.of("'\u017F"), split("'\u017F"));            // long s folds to s
        assertEquals(List.of("'x"), split("'x"));                      // no contraction: apostrophe leads a word
    }

    @Test
    void whitespaceRunsLeaveOneSpaceForTheNextWord() {
        assertEquals(List.of("a", " ", " b"), split("a  b"));
        assertEquals(List.of("world", "  "), split("world  "));
        assertEquals(List.of("  \n  \n"), split("  \n  \n"));
        assertEquals(List.of("x", "\r\n", "y"), split("x\r\ny"));
        assertEquals(List.of("):\n", "   ", " return"), split("):\n    return"));
        assertEquals(List.of(" ", "123"), split(" 123"));
    }

    @Test
    void unicodeWhiteSpaceIsNotJavaWhitespace() {
        for (int cp : new int[] {0x00A0, 0x2007, 0x202F, 0x0085}) {
            assertTrue(Llama3PreTokenizer.isWhiteSpace(cp), Integer.toHexString(cp));
            String text = "a" + Character.toString(cp) + Character.toString(cp) + "1";
            assertEquals(List.of("a", Character.toString(cp), Character.toString(cp), "1"), split(text), Integer.toHexString(cp));
        }
        assertFalse(Llama3PreTokenizer.isWhiteSpace(0x200B)); // zero width space is Cf, not White_Space
        assertFalse(Llama3PreTokenizer.isWhiteSpace(0x001C)); // Java calls it whitespace; Unicode does not
        assertEquals(List.of("\u001Cx"), split("\u001Cx"));
    }

    @Test
    void numbersGoInThreesAndPunctuationTakesOneLeadingSpace() {
        assertEquals(List.of("314", "159", "26"), split("31415926"));
        assertEquals(List.of("\u0664\u0665\u0666"), split("\u0664\u0665\u0666"));
        assertEquals(List.of("x", " (((\n"), split("x (((\n"));
        assertEquals(List.of("\uD83C\uDF89a"), split("\uD83C\uDF89a"));   // a non-letter may lead a word
    }
}
