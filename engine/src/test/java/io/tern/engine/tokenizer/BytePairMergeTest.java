package io.tern.engine.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Merge order on a hand-made vocabulary: 256 byte tokens (id = byte) plus a few merged ones. */
class BytePairMergeTest {

    private static Tokenizer tokenizer(List<String> extra, List<String> merges, boolean ignoreMerges) {
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) tokens.add(String.valueOf(ByteLevel.charOf(b)));
        tokens.addAll(extra);
        return Tokenizer.fromVocabulary(new Vocabulary(tokens, merges, null, -1, -1, -1, false,
                Vocabulary.LLAMA_BPE, ignoreMerges));
    }

    @Test
    void lowerRankMergesFirst() {
        Tokenizer t = tokenizer(List.of("bc", "ab"), List.of("b c", "a b"), false);
        assertArrayEquals(new int[] {'a', 256}, t.encode("abc", false));
        Tokenizer swapped = tokenizer(List.of("bc", "ab"), List.of("a b", "b c"), false);
        assertArrayEquals(new int[] {257, 'c'}, swapped.encode("abc", false));
    }

    @Test
    void equalRanksMergeLeftmostFirst() {
        Tokenizer t = tokenizer(List.of("aa", "aaaa"), List.of("a a", "aa aa"), false);
        assertArrayEquals(new int[] {256, 'a'}, t.encode("aaa", false));
        assertArrayEquals(new int[] {257, 256, 'a'}, t.encode("aaaaaaa", false));
    }

    @Test
    void ignoreMergesTakesAWholeWordFromTheVocabulary() {
        // "abc" is a token no merge path reaches.
        List<String> extra = List.of("ab", "abc");
        assertArrayEquals(new int[] {256, 'c'}, tokenizer(extra, List.of("a b"), false).encode("abc", false));
        assertArrayEquals(new int[] {257}, tokenizer(extra, List.of("a b"), true).encode("abc", false));
    }

    @Test
    void spacesBecomeTheirByteLevelCharacter() {
        Tokenizer t = tokenizer(List.of("\u0120w"), List.of("\u0120 w"), false);
        assertArrayEquals(new int[] {'x', 256}, t.encode("x w", false));
        assertEquals("x w", t.decode(new int[] {'x', 256}));
    }

    @Test
    void aVocabularyWithoutAllByteTokensIsRefused() {
        List<String> tokens = new ArrayList<>(List.of("a", "b"));
        assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromVocabulary(
                new Vocabulary(tokens, List.of(), null, -1, -1, -1, false, Vocabulary.LLAMA_BPE, true)));
    }
}
