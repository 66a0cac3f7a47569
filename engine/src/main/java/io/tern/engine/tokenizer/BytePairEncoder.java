package io.tern.engine.tokenizer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * Byte-level BPE for one pre-token: bytes -> byte tokens -> merges applied lowest rank first
 * (leftmost on ties, as Hugging Face tokenizers and llama.cpp do). With {@code ignoreMerges} a
 * pre-token that is itself a vocabulary entry gets that id directly. Thread-safe; results are
 * cached per pre-token (bounded).
 */
final class BytePairEncoder {

    private static final int CACHE_LIMIT = 65_536;
    private static final int MAX_CACHED_LENGTH = 64;

    private final ToIntFunction<String> vocab;  // byte-level string -> id of an ordinary token, or -1
    private final MergeTable merges;
    private final int[] byteTokens;              // byte value -> id of its single-byte token
    private final boolean ignoreMerges;
    private final ConcurrentHashMap<String, int[]> cache = new ConcurrentHashMap<>();

    BytePairEncoder(ToIntFunction<String> vocab, MergeTable merges, boolean ignoreMerges) {
        this.vocab = vocab;
        this.merges = merges;
        this.ignoreMerges = ignoreMerges;
        this.byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            int id = vocab.applyAsInt(String.valueOf(ByteLevel.charOf(b)));
            if (id < 0) {
                throw new IllegalArgumentException(String.format(
                        "vocabulary has no token for byte 0x%02x ('%s'); byte-level BPE needs all 256",
                        b, ByteLevel.charOf(b)));
            }
            byteTokens[b] = id;
        }
    }

    /** Appends the ids of one pre-token (given as text) to {@code out}. */
    void encode(String piece, IdList out) {
        int[] cached = cache.get(piece);
        if (cached == null) {
            cached = encodeUncached(Utf8.encode(piece));
            if (piece.length() <= MAX_CACHED_LENGTH) {
                if (cache.size() >= CACHE_LIMIT) cache.clear();
                cache.put(piece, cached);
            }
        }
        out.addAll(cached);
    }

    private int[] encodeUncached(byte[] bytes) {
        int n = bytes.length;
        if (ignoreMerges || n == 1) {
            int whole = vocab.applyAsInt(ByteLevel.encode(bytes, 0, n));
            if (whole >= 0) return new int[] {whole};
        }
        // Symbols form a linked list over the original byte positions; a merged symbol keeps the
        // position of its left part.
        int[] ids = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = byteTokens[bytes[i] & 0xFF];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap queue = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) offerPair(queue, ids, i, i + 1);

        int count = n;
        while (!queue.isEmpty()) {
            long entry = queue.poll();
            int rank = (int) (entry >>> 32);
            int left = (int) entry;
            int right = next[left];
            if (ids[left] < 0 || right < 0) continue;                 // left symbol gone or now last
            int slot = merges.find(ids[left], ids[right]);
            if (slot == MergeTable.NONE || merges.rankAt(slot) != rank) continue; // stale entry
            ids[left] = merges.mergedAt(slot);
            ids[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) prev[next[right]] = left;
            count--;
            if (prev[left] >= 0) offerPair(queue, ids, prev[left], left);
            if (next[left] >= 0) offerPair(queue, ids, left, next[left]);
        }
        int[] result = new int[count];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) result[k++] = ids[i];
        return result;
    }

    private void offerPair(LongHeap queue, int[] ids, int left, int right) {
        int slot = merges.find(ids[left], ids[right]);
        if (slot != MergeTable.NONE) queue.add(((long) merges.rankAt(slot) << 32) | left);
    }

    /** A binary min-heap of longs: (rank << 32 | position), so ties go to the leftmost pair. */
    private static final class LongHeap {
        private long[] items;
        private int size;

        LongHeap(int capacity) {
            items = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void add(long value) {
            if (size == items.length) items = java.util.Arrays.copyOf(items, size * 2);
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (items[parent] <= value) break;
                items[i] = items[parent];
                i = parent;
            }
            items[i] = value;
        }

        long poll() {
            long top = items[0];
            long last = items[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && items[child + 1] < items[child]) child++;
                if (items[child] >= last) break;
                items[i] = items[child];
                i = child;
            }
            items[i] = last;
            return top;
        }
    }
}
