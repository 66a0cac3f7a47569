package io.tern.engine.forward;

/**
 * Keys and values of one sequence for the layers a model (or shard) holds, as F32, F16 or Q8 ({@link KvType}).
 * Storage grows in pages of {@link #PAGE} positions up to the capacity, so a short sequence costs little.
 * Per page, keys are stored transposed, (kv_dim, PAGE), so attention scores many positions per vector op;
 * values row-major, (PAGE, kv_dim). Q8 keeps one float scale per position and KV head, (kv_heads, PAGE).
 */
public final class KvCache {
    public static final int PAGE = 256;

    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int kvDim;
    private final int capacity;
    private final KvType type;
    // (layer, page) -> page; only the arrays of this cache's type are used.
    private final float[][][] keysF, valuesF;
    private final short[][][] keysH, valuesH;
    private final byte[][][] keysQ, valuesQ;
    private final float[][][] keyScales, valueScales; // Q8: (layer, page) -> (kvHeads, PAGE)
    private int length;               // positions filled

    /** An F32 cache. */
    public KvCache(int layers, int kvDim, int capacity) {
        this(layers, 1, kvDim, capacity, KvType.F32);
    }

    public KvCache(int layers, int kvHeads, int headDim, int capacity, KvType type) {
        if (capacity <= 0) throw new IllegalArgumentException("KV cache capacity must be positive");
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.kvDim = kvHeads * headDim;
        this.capacity = capacity;
        this.type = type;
        int pages = (capacity + PAGE - 1) / PAGE;
        boolean f = type == KvType.F32, h = type == KvType.F16, q = type == KvType.Q8;
        this.keysF = f ? new float[layers][pages][] : null;
        this.valuesF = f ? new float[layers][pages][] : null;
        this.keysH = h ? new short[layers][pages][] : null;
        this.valuesH = h ? new short[layers][pages][] : null;
        this.keysQ = q ? new byte[layers][pages][] : null;
        this.valuesQ = q ? new byte[layers][pages][] : null;
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
                    keysF[layer][page] = new float[PAGE * kvDim];
                    valuesF[layer][page] = new float[PAGE * kvDim];
                }
                float[] kp = keysF[layer][page];
                for (int d = 0; d < kvDim; d++) kp[d * PAGE + j] = k[kOff + d];
                System.arraycopy(v, vOff, valuesF[layer][page], j * kvDim, kvDim);
            }
            case F16 -> {
                if (keysH[layer][page] == null) {
                    keysH[layer][page] = new short[PAGE * kvDim];
                    valuesH[layer][page] = new short[PAGE * kvDim];
                }
                short[] kp = keysH[layer][page], vp = valuesH[layer][page];
                for (int d = 0; d < kvDim; d++) {
                    kp[d * PAGE + j] = Float.floatToFloat16(k[kOff + d]);
                    vp[j * kvDim + d] = Float.floatToFloat16(v[vOff + d]);
                }
            }
            case Q8 -> {
                if (keysQ[layer][page] == null) {
                    keysQ[layer][page] = new byte[PAGE * kvDim];
                    valuesQ[layer][page] = new byte[PAGE * kvDim];
                    keyScales[layer][page] = new float[kvHeads * PAGE];
                    valueScales[layer][page] = new float[kvHeads * PAGE];
                }
                byte[] kp = keysQ[layer][page], vp = valuesQ[layer][page];
                for (int h = 0; h < kvHeads; h++) {
                    int o = h * headDim;
                    float ks = quantize(k, kOff + o, kp, o * PAGE + j, PAGE);
                    float vs = quantize(v, vOff + o, vp, j * kvDim + o, 1);
                    keyScales[layer][page][h * PAGE + j] = ks;
                    valueScales[layer][page][h * PAGE + j] = vs;
                }
            }
        }
    }

    /** headDim floats → int8 at dst[dOff + i·dStep] with absmax scale; returns the scale (value ≈ q · scale). */
    private float quantize(float[] x, int xOff, byte[] dst, int dOff, int dStep) {
        float max = 0f;
        for (int i = 0; i < headDim; i++) max = Math.max(max, Math.abs(x[xOff + i]));
        float scale = max == 0f ? 1f : max / 127f, inv = max == 0f ? 0f : 127f / max;
        for (int i = 0; i < headDim; i++) dst[dOff + i * dStep] = (byte) Math.max(-127, Math.min(127, Math.round(x[xOff + i] * inv)));
        return scale;
    }

    /** Marks positions [0, newLength) valid; called after a forward step wrote them for every layer. */
    public void advanceTo(int newLength) {
        if (newLength > capacity) throw new IllegalStateException("KV cache full");
        this.length = Math.max(length, newLength);
    }

    /** Forgets everything from pos on (e.g. to re-run a prompt suffix). */
    public void truncate(int pos) { this.length = Math.min(length, pos); }

    public int layers() { return layers; }

    float[] keysF32(int layer, int page) { return keysF[layer][page]; }

    float[] valuesF32(int layer, int page) { return valuesF[layer][page]; }

    short[] keysF16(int layer, int page) { return keysH[layer][page]; }

    short[] valuesF16(int layer, int page) { return valuesH[layer][page]; }

    byte[] keysQ8(int layer, int page) { return keysQ[layer][page]; }

    byte[] valuesQ8(int layer, int page) { return valuesQ[layer][page]; }

    float[] keyScalesQ8(int layer, int page) { return keyScales[layer][page]; }

    float[] valueScalesQ8(int layer, int page) { return valueScales[layer][page]; }
}
