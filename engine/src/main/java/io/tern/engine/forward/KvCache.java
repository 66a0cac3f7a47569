package io.tern.engine.forward;

/**
 * Keys and values of one sequence for the layers a model (or shard) holds, as F32, F16 or Q8 ({@link KvType}).
 * Storage grows in pages of {@link #PAGE} positions up to the capacity, so a short sequence costs little.
 * Per page and KV head, keys are stored transposed, (head_dim, PAGE), so attention scores many positions per vector
 * op, and values row-major, (PAGE, head_dim): each one contiguous run, heads one after another, so a (head, page) task
 * of attention streams two runs. F16 keeps the halves in order (a native kernel widens them with one instruction).
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

    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int kvDim;
    private final int capacity;
    private final KvType type;
    // (layer, page) -> page; only the arrays of this cache's type are used.
    private final float[][][] keysF, valuesF;
    private final short[][][] keysH, valuesH; // F16
    private final int[][][] keysQ, valuesQ;  // Q8: 4 per int
    private final float[][][] keyScales, valueScales; // Q8: (layer, page) -> (kvHeads, PAGE)
    private final KvPagePool pool;    // where pages come from and go back to
    private int length;               // positions filled

    public KvCache(int layers, int kvHeads, int headDim, int capacity, KvType type) {
        this(layers, kvHeads, headDim, capacity, type, new KvPagePool());
    }

    /** A cache whose pages come from (and, on {@link #recycle}, return to) a pool shared with other caches. */
    public KvCache(int layers, int kvHeads, int headDim, int capacity, KvType type, KvPagePool pool) {
        if (capacity <= 0) throw new IllegalArgumentException("KV cache capacity must be positive");
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.kvDim = kvHeads * headDim;
        this.capacity = capacity;
        this.type = type;
        this.pool = pool;
        int pages = (capacity + PAGE - 1) / PAGE;
        boolean f = type == KvType.F32, h = type == KvType.F16, q = type == KvType.Q8;
        this.keysF = f ? new float[layers][pages][] : null;
        this.valuesF = f ? new float[layers][pages][] : null;
        if (q && headDim % (4 * LANES) != 0) {
            throw new IllegalArgumentException("a Q8 KV cache needs head_dim a multiple of " + 4 * LANES + ", got " + headDim);
        }
        this.keysH = h ? new short[layers][pages][] : null;
        this.valuesH = h ? new short[layers][pages][] : null;
        this.keysQ = q ? new int[layers][pages][] : null;
        this.valuesQ = q ? new int[layers][pages][] : null;
        this.keyScales = q ? new float[layers][pages][] : null;
        this.valueScales = q ? new float[layers][pages][] : null;
    }

    public int capacity() { return capacity; }

    /** Positions whose keys and values are stored. */
    public int length() { return length; }

    public int kvDim() { return kvDim; }

    public KvType type() { return type; }

    /** Bytes currently allocated. */
    public long bytes() {
        long pages = 0;
        for (int l = 0; l < layers; l++) {
            for (int p = 0; p < (capacity + PAGE - 1) / PAGE; p++) if (hasPage(l, p)) pages++;
        }
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

    private boolean hasPage(int layer, int page) {
        return switch (type) {
            case F32 -> keysF[layer][page] != null;
            case F16 -> keysH[layer][page] != null;
            case Q8 -> keysQ[layer][page] != null;
        };
    }

    /** Stores k and v rows (kv_dim floats each) for position pos of a layer (index within this cache's layers). */
    public void put(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        if (pos >= capacity) throw new IllegalStateException("KV cache full: position " + pos + " >= capacity " + capacity);
        int page = pos / PAGE, j = pos % PAGE;
        switch (type) {
            case F32 -> {
                if (keysF[layer][page] == null) {
                    keysF[layer][page] = pool.floats(PAGE * kvDim);
                    valuesF[layer][page] = pool.floats(PAGE * kvDim);
                }
                float[] kp = keysF[layer][page], vp = valuesF[layer][page];
                for (int d = 0; d < kvDim; d++) kp[d * PAGE + j] = k[kOff + d];
                for (int h = 0; h < kvHeads; h++) System.arraycopy(v, vOff + h * headDim, vp, (h * PAGE + j) * headDim, headDim);
            }
            case F16 -> {
                if (keysH[layer][page] == null) {
                    keysH[layer][page] = pool.shorts(PAGE * kvDim);
                    valuesH[layer][page] = pool.shorts(PAGE * kvDim);
                }
                short[] kp = keysH[layer][page], vp = valuesH[layer][page];
                for (int d = 0; d < kvDim; d++) kp[d * PAGE + j] = Float.floatToFloat16(k[kOff + d]);
                for (int h = 0; h < kvHeads; h++) {
                    int src = vOff + h * headDim, dst = (h * PAGE + j) * headDim;
                    for (int c = 0; c < headDim; c++) vp[dst + c] = Float.floatToFloat16(v[src + c]);
                }
            }
            case Q8 -> {
                if (keysQ[layer][page] == null) {
                    keysQ[layer][page] = pool.ints(PAGE * kvDim / 4);
                    valuesQ[layer][page] = pool.ints(PAGE * kvDim / 4);
                    keyScales[layer][page] = pool.floats(kvHeads * PAGE);
                    valueScales[layer][page] = pool.floats(kvHeads * PAGE);
                }
                int[] kp = keysQ[layer][page], vp = valuesQ[layer][page];
                for (int h = 0; h < kvHeads; h++) {
                    int o = h * headDim;
                    float ks = absmaxScale(k, kOff + o), vs = absmaxScale(v, vOff + o);
                    for (int c = 0; c < headDim; c++) {
                        set(kp, (o + c) * (PAGE / 4), j, toInt8(k[kOff + o + c], ks));
                        set(vp, (h * PAGE + j) * (headDim / 4), c, toInt8(v[vOff + o + c], vs));
                    }
                    keyScales[layer][page][h * PAGE + j] = ks;
                    valueScales[layer][page][h * PAGE + j] = vs;
                }
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
    private static void set(int[] a, int base, int e, int bits) {
        int run = 4 * LANES, i = base + (e / run) * LANES + e % LANES, shift = (e % run) / LANES * 8;
        a[i] = (a[i] & ~(0xff << shift)) | (bits << shift);
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
            for (int p = 0; p < (capacity + PAGE - 1) / PAGE; p++) {
                switch (type) {
                    case F32 -> {
                        pool.give(keysF[l][p]);
                        pool.give(valuesF[l][p]);
                        keysF[l][p] = valuesF[l][p] = null;
                    }
                    case F16 -> {
                        pool.give(keysH[l][p]);
                        pool.give(valuesH[l][p]);
                        keysH[l][p] = valuesH[l][p] = null;
                    }
                    case Q8 -> {
                        pool.give(keysQ[l][p]);
                        pool.give(valuesQ[l][p]);
                        pool.give(keyScales[l][p]);
                        pool.give(valueScales[l][p]);
                        keysQ[l][p] = valuesQ[l][p] = null;
                        keyScales[l][p] = valueScales[l][p] = null;
                    }
                }
            }
        }
        length = 0;
    }

    /** Forgets everything from pos on (e.g. to re-run a prompt suffix). */
    public void truncate(int pos) { this.length = Math.min(length, pos); }

    public int layers() { return layers; }

    float[] keysF32(int layer, int page) { return keysF[layer][page]; }

    float[] valuesF32(int layer, int page) { return valuesF[layer][page]; }

    short[] keysF16(int layer, int page) { return keysH[layer][page]; }

    short[] valuesF16(int layer, int page) { return valuesH[layer][page]; }

    int[] keysQ8(int layer, int page) { return keysQ[layer][page]; }

    int[] valuesQ8(int layer, int page) { return valuesQ[layer][page]; }

    float[] keyScalesQ8(int layer, int page) { return keyScales[layer][page]; }

    float[] valueScalesQ8(int layer, int page) { return valueScales[layer][page]; }
}
