package io.tern.engine.tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * Token string -> id, looked up by a region of a string without building a substring: loading
 * 280k merges needs three lookups each ("left", "right" and "leftright" inside "left right").
 * Open addressing with the hashes kept beside the ids, so a probe rarely touches the strings.
 * The lowest id wins when two ids share a string.
 */
final class TokenTable {

    static final int NONE = -1;

    private final List<String> tokens;
    private final int[] ids;      // slot -> id, NONE when free
    private final int[] hashes;   // slot -> hash of the token in it
    private final int mask;

    TokenTable(List<String> tokens) {
        this.tokens = tokens;
        int capacity = Integer.highestOneBit(Math.max(4, tokens.size() * 2 - 1)) << 1;
        ids = new int[capacity];
        hashes = new int[capacity];
        Arrays.fill(ids, NONE);
        mask = capacity - 1;
        for (int id = 0; id < tokens.size(); id++) {
            String token = tokens.get(id);
            if (token == null) continue;
            int hash = mix(hash(token, 0, token.length(), 0));
            int slot = hash & mask;
            boolean present = false;
            while (ids[slot] != NONE) {
                if (hashes[slot] == hash && tokens.get(ids[slot]).equals(token)) {
                    present = true;
                    break;
                }
                slot = (slot + 1) & mask;
            }
            if (!present) {
                ids[slot] = id;
                hashes[slot] = hash;
            }
        }
    }

    int find(String token) {
        return find(token, 0, token.length());
    }

    /** Id of the token s[from, to), or NONE. */
    int find(String s, int from, int to) {
        return findJoined(s, from, to, to, to);
    }

    /** Id of the token s[from1, to1) + s[from2, to2), or NONE. */
    int findJoined(String s, int from1, int to1, int from2, int to2) {
        int hash = mix(hash(s, from2, to2, hash(s, from1, to1, 0)));
        int length = (to1 - from1) + (to2 - from2);
        for (int slot = hash & mask; ids[slot] != NONE; slot = (slot + 1) & mask) {
            if (hashes[slot] != hash) continue;
            String token = tokens.get(ids[slot]);
            if (token.length() == length && token.regionMatches(0, s, from1, to1 - from1)
                    && token.regionMatches(to1 - from1, s, from2, to2 - from2)) {
                return ids[slot];
            }
        }
        return NONE;
    }

    private static int hash(String s, int from, int to, int h) {
        for (int i = from; i < to; i++) h = 31 * h + s.charAt(i);
        return h;
    }

    private static int mix(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
