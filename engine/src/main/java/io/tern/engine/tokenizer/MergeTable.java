package io.tern.engine.tokenizer;

import java.util.Arrays;

/**
 * BPE merges keyed by the pair of token ids they join: (left, right) -> (rank, merged id).
 * Open addressing over primitive arrays; 280k merges take about 7 MB and no boxing.
 */
final class MergeTable {

    static final int NONE = -1;

    private final long[] keys;   // (left << 32 | right), EMPTY when the slot is free
    private final int[] ranks;
    private final int[] merged;
    private final int mask;
    private int size;

    private static final long EMPTY = -1L;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        merged = new int[capacity];
        mask = capacity - 1;
    }

    /** Adds a merge unless the pair already has one (the first, lowest rank, wins). */
    void put(int left, int right, int rank, int mergedId) {
        if (size * 2 >= keys.length) throw new IllegalStateException("merge table full: expected size too small");
        long key = key(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) return;
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        ranks[slot] = rank;
        merged[slot] = mergedId;
        size++;
    }

    /** Slot index of the pair's merge, or {@link #NONE}. */
    int find(int left, int right) {
        long key = key(left, right);
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) return slot;
            if (k == EMPTY) return NONE;
            slot = (slot + 1) & mask;
        }
    }

    int rankAt(int slot) {
        return ranks[slot];
    }

    int mergedAt(int slot) {
        return merged[slot];
    }

    int size() {
        return size;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }
}
