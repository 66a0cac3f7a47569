package io.tern.engine.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds special tokens in text before BPE runs: exact, case-sensitive matches, scanning left to
 * right and taking the longest token that matches at a position. Control tokens are matched only
 * when special parsing is on; user-defined tokens always (as in llama.cpp and Hugging Face, where
 * non-special added tokens are always recognised).
 */
final class SpecialTokens {

    private record Entry(String text, int id, boolean controlOnly) {}

    /** Receives the text and the special tokens in order. */
    interface Sink {
        void text(int start, int end);

        void special(int id);
    }

    private final Map<Character, List<Entry>> byFirstChar = new HashMap<>();

    SpecialTokens(Vocabulary vocabulary) {
        for (int id = 0; id < vocabulary.size(); id++) {
            String text = vocabulary.tokens().get(id);
            int type = vocabulary.typeOf(id);
            if (text == null || text.isEmpty()) continue;
            if (type == Vocabulary.TYPE_CONTROL || type == Vocabulary.TYPE_USER_DEFINED) {
                byFirstChar.computeIfAbsent(text.charAt(0), c -> new ArrayList<>())
                        .add(new Entry(text, id, type == Vocabulary.TYPE_CONTROL));
            }
        }
        Comparator<Entry> longestFirst = Comparator.comparingInt((Entry e) -> e.text.length()).reversed()
                .thenComparingInt(Entry::id);
        byFirstChar.values().forEach(list -> list.sort(longestFirst));
    }

    void split(String text, boolean parseSpecial, Sink sink) {
        int plainStart = 0;
        int i = 0;
        while (i < text.length()) {
            Entry match = matchAt(text, i, parseSpecial);
            if (match == null) {
                i++;
                continue;
            }
            if (plainStart < i) sink.text(plainStart, i);
            sink.special(match.id);
            i += match.text.length();
            plainStart = i;
        }
        if (plainStart < text.length()) sink.text(plainStart, text.length());
    }

    private Entry matchAt(String text, int i, boolean parseSpecial) {
        List<Entry> candidates = byFirstChar.get(text.charAt(i));
        if (candidates == null) return null;
        for (Entry e : candidates) {
            if ((parseSpecial || !e.controlOnly) && text.startsWith(e.text, i)) return e;
        }
        return null;
    }
}
