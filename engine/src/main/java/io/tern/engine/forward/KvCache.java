package io.tern.engine.forward;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Keys and values of one sequence for the layers a model (or shard) holds, as F32, F16 or Q8 ({@link KvType}).
 * Storage grows in pages of {@link #PAGE} positions up to the capacity, so a short sequence costs little; pages are
 * off-heap, from the forward pass's {@link KvPagePool}.
 * Per page and KV head, keys are stored transposed, (head_dim, PAGE), so attention scores many positions per vector
 * op, and values row-major, (PAGE, head_dim), right after them: a page is (kv_heads, keys then values), so a (head,
 * page) task of attention streams one contiguous run and the next head's task the run after it (with keys and values
 * in separate runs a thread streamed two at once: at 4,096 positions a decode step's attention took 0-10% longer,
 * 3 alternating runs on a Zen 5 VM).
 * {@link #keys} and {@link #values} give a page at its first head's keys and values; heads are {@link #headStride}
 * elements apart in both. F16 keeps the halves in order (a native kernel widens them with one instruction).
 * Q8 keeps one float scale per position and KV head, (kv_heads, PAGE), and packs 4 elements per int, interleaved so
 * that one int vector of the Vector API widens into consecutive float vectors with lane-wise shifts only: within each
 * run of 4·L elements of a key row or of a head's value row, element L·k + j sits in int j, byte k (L = float lanes).
 */
public final class KvCache {
    /**
     * Positions per page: small, so a short chat holds 64 positions of KV rather than 256 (a 2B4T page set is 9.8 MB
     * in F32) and a page of one head's keys is one contiguous 32 KB run (2B4T) the prefetcher streams. Must be a multiple
     * of the attention tile ({@link PageAttention#TILE}).
     */
    public static final int PAGE = 64;
    /** Float lanes of the attention kernels: the interleave width of Q8. */
    static final int LANES = PageAttention.LANES;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int kvDim;
    private final int capacity;
    private final KvType type;
    private final MemorySegment[][] keys, values;             // (layer, page) -> the page from its keys, from its values (a slice)
    private final MemorySegment[][] keyScales, valueScales;   // Q8 only: (layer, page) -> (kv_heads, PAGE) floats
    private final KvPagePool pool;    // where pages come from and go back to
    private int length;               // positions filled

    public KvCache(int layers, int kvHeads, int headDim, int capacity, KvType type) {
        this(layers, kvHeads, headDim, capacity, type, new KvPagePool());
    }

    /** A cache whose pages come from (and, on {@link #recycle}, return to) a pool shared with other caches. */
    public KvCache(int layers, int kvHeads, int headDim, int capacity, KvType type, KvPagePool pool) {
        if (capacity <= 0) throw new IllegalArgumentException("KV cache capacity must be positive");
        if (type == KvType.Q8 && headDim % (4 * LANES) != 0) {
            throw new IllegalArgumentException("a Q8 KV cache needs head_dim a multiple of " + 4 * LANES + ", got " + headDim);
        }
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.kvDim = kvHeads * headDim;
        this.capacity = capacity;
        this.type = type;
        this.pool = pool;
        int pages = (capacity + PAGE - 1) / PAGE;
        this.keys = new MemorySegment[layers][pages];
        this.values = new MemorySegment[layers][pages];
        this.keyScales = type == KvType.Q8 ? new MemorySegment[layers][pages] : null;
        this.valueScales = type == KvType.Q8 ? new MemorySegment[layers][pages] : null;
    }

    public int capacity() { return capacity; }

    /** Positions whose keys and values are stored. */
    public int length() { return length; }

    public int kvDim() { return kvDim; }

    public KvType type() { return type; }

    /** Bytes currently allocated. */
    public long bytes() {
        long pages = 0;
        for (MemorySegment[] layer : keys) for (MemorySegment page : layer) if (page != null) pages++;
        return pages * pageBytes(kvHeads, headDim, type);
    }

    /** Bytes an F32 cache of this shape needs for n positions (for admission checks). */
    public static long bytesFor(int layers, int kvDim, int positions) {
        return bytesFor(layers, 1, kvDim, positions, KvType.F32);
    }

    /** Bytes a cache of this shape and type needs for n positions (for admission checks). */
    public static long bytesFor(int layers, int kvHeads, int headDim, int positions, KvType type) {
        long pages = (positions + PAGE - 1) / PAGE;
        return pages * layers * pageBytes(kvHeads, headDim, type);
    }

    /** Keys and values of one page of one layer. */
    private static long pageBytes(int kvHeads, int headDim, KvType type) {
        long elements = 2L * PAGE * kvHeads * headDim;
        long scales = type == KvType.Q8 ? 2L * PAGE * kvHeads * Float.BYTES : 0;
        return elements * type.bytes() + scales;
    }

    /** Stores k and v rows (kv_dim floats each) for position pos of a layer (index within this cache's layers). */
    public void put(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        ensurePage(layer, pos);
        for (int h = 0; h < kvHeads; h++) putHead(layer, pos, h, k, kOff, v, vOff);
    }

    /** Makes sure the page holding position pos of a layer exists, so that {@link #putHead} may run on any thread. */
    void ensurePage(int layer, int pos) {
        if (pos >= capacity) throw new IllegalStateException("KV cache full: position " + pos + " >= capacity " + capacity);
        int page = pos / PAGE;
        if (keys[layer][page] != null) return;
        long half = (long) PAGE * headDim * type.bytes();      // one head's keys, or its values
        MemorySegment both = pool.take(2 * half * kvHeads);
        keys[layer][page] = both;
        values[layer][page] = both.asSlice(half);
        if (type == KvType.Q8) {
            keyScales[layer][page] = pool.take((long) kvHeads * PAGE * Float.BYTES);
            valueScales[layer][page] = pool.take((long) kvHeads * PAGE * Float.BYTES);
        }
    }

    /**
     * Stores KV head h of the k and v rows at kOff and vOff (rows of kv_dim floats) for position pos, whose page
     * {@link #ensurePage} made. Heads of one position may be stored by different threads at once: each writes only its own.
     */
    void putHead(int layer, int pos, int h, float[] k, int kOff, float[] v, int vOff) {
        int page = pos / PAGE, j = pos % PAGE;
        MemorySegment kp = keys[layer][page], vp = values[layer][page];
        long keyBase = h * headStride() + j, valueBase = h * headStride() + (long) j * headDim;
        int ko = kOff + h * headDim, vo = vOff + h * headDim;
        switch (type) {
            case F32 -> {
                for (int c = 0; c < headDim; c++) kp.setAtIndex(FLOAT, keyBase + (long) c * PAGE, k[ko + c]);
                MemorySegment.copy(v, vo, vp, FLOAT, valueBase * Float.BYTES, headDim);
            }
            case F16 -> {
                for (int c = 0; c < headDim; c++) kp.setAtIndex(HALF, keyBase + (long) c * PAGE, Float.floatToFloat16(k[ko + c]));
                for (int c = 0; c < headDim; c++) vp.setAtIndex(HALF, valueBase + c, Float.floatToFloat16(v[vo + c]));
            }
            case Q8 -> {
                float ks = absmaxScale(k, ko), vs = absmaxScale(v, vo);
                for (int c = 0; c < headDim; c++) {
                    set(kp, (h * headStride() + (long) c * PAGE) / 4, j, toInt8(k[ko + c], ks));
                    set(vp, valueBase / 4, c, toInt8(v[vo + c], vs));
                }
                keyScales[layer][page].setAtIndex(FLOAT, (long) h * PAGE + j, ks);
                valueScales[layer][page].setAtIndex(FLOAT, (long) h * PAGE + j, vs);
            }
        }
    }

    /** Scale of one head's row for int8: max|x| / 127 (1 if all zero), so x ≈ q · scale. */
    private float absmaxScale(float[] x, int xOff) {
        float max = 0f;
        for (int i = 0; i < headDim; i++) max = Math.max(max, Math.abs(x[xOff + i]));
        return max == 0f ? 1f : max / 127f;
    }

    private static int toInt8(float x, float scale) {
        return Math.max(-127, Math.min(127, Math.round(x / scale))) & 0xff;
    }

    /** Element e of a run-interleaved int8 row starting at int base: element L·k + j of each run of 4·L sits in int j, byte k. */
    private static void set(MemorySegment a, long base, int e, int bits) {
        int run = 4 * LANES, shift = (e % run) / LANES * 8;
        long i = base + (long) (e / run) * LANES + e % LANES;
        a.setAtIndex(INT, i, (a.getAtIndex(INT, i) & ~(0xff << shift)) | (bits << shift));
    }

    /** Marks positions [0, newLength) valid; called after a forward step wrote them for every layer. */
    public void advanceTo(int newLength) {
        if (newLength > capacity) throw new IllegalStateException("KV cache full");
        this.length = Math.max(length, newLength);
    }

    /**
     * Hands every page back to the pool and empties the cache. Only once no forward step can still touch it: the
     * pages go to the next sequence that needs one.
     */
    public void recycle() {
        for (int l = 0; l < layers; l++) {
            for (int p = 0; p < keys[l].length; p++) {
                pool.give(keys[l][p]);              // values[l][p] is a slice of it
                keys[l][p] = values[l][p] = null;
                if (keyScales != null) {
                    pool.give(keyScales[l][p]);
                    pool.give(valueScales[l][p]);
                    keyScales[l][p] = valueScales[l][p] = null;
                }
            }
        }
        length = 0;
    }

    /** Forgets everything from pos on (e.g. to re-run a prompt suffix). */
    public void truncate(int pos) { this.length = Math.min(length, pos); }

    public int layers() { return layers; }

    /**
     * A page from its first head's keys: head h's keys, (head_dim, PAGE) elements of the cache's type, start h ·
     * {@link #headStride} elements in; null if no position of the page was stored.
     */
    MemorySegment keys(int layer, int page) { return keys[layer][page]; }

    /** A page from its first head's values: head h's values, (PAGE, head_dim), start h · {@link #headStride} elements in. */
    MemorySegment values(int layer, int page) { return values[layer][page]; }

    /** Elements from one KV head's keys (or values) in a page to the next head's: its keys and its values. */
    long headStride() { return 2L * headDim * PAGE; }

    /** Q8: a page's key scales, (kv_heads, PAGE) floats. */
    MemorySegment keyScales(int layer, int page) { return keyScales[layer][page]; }

    /** Q8: a page's value scales, (kv_heads, PAGE) floats. */
    MemorySegment valueScales(int layer, int page) { return valueScales[layer][page]; }
}
