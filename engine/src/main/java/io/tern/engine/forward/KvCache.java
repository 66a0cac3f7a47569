package io.tern.engine.forward;

/**
 * Keys and values of one sequence for the layers a model (or shard) holds, in float.
 * Storage grows in pages of {@link #PAGE} positions up to the capacity, so a short sequence
 * costs little; a page is (PAGE, kv_heads, head_dim).
 */
public final class KvCache {
    public static final int PAGE = 256;

    private final int layers;
    private final int kvDim;
    private final int capacity;
    private final float[][][] keys;   // (layer, page) -> (PAGE, kvDim)
    private final float[][][] values; // (layer, page) -> (PAGE, kvDim)
    private int length;               // positions filled

    public KvCache(int layers, int kvDim, int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("KV cache capacity must be positive");
        this.layers = layers;
        this.kvDim = kvDim;
        this.capacity = capacity;
        int pages = (capacity + PAGE - 1) / PAGE;
        this.keys = new float[layers][pages][];
        this.values = new float[layers][pages][];
    }

    public int capacity() { return capacity; }

    /** Positions whose keys and values are stored. */
    public int length() { return length; }

    public int kvDim() { return kvDim; }

    /** Bytes currently allocated. */
    public long bytes() {
        long pages = 0;
        for (float[][] l : keys) for (float[] p : l) if (p != null) pages++;
        return pages * 2L * PAGE * kvDim * Float.BYTES;
    }

    /** Bytes a cache of this shape needs for n positions (for admission checks). */
    public static long bytesFor(int layers, int kvDim, int positions) {
        long pages = (positions + PAGE - 1) / PAGE;
        return pages * layers * 2L * PAGE * kvDim * Float.BYTES;
    }

    /** Stores k and v rows for position pos of a layer (index within this cache's layers). */
    public void put(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        if (pos >= capacity) throw new IllegalStateException("KV cache full: position " + pos + " >= capacity " + capacity);
        int page = pos / PAGE;
        if (keys[layer][page] == null) {
            keys[layer][page] = new float[PAGE * kvDim];
            values[layer][page] = new float[PAGE * kvDim];
        }
        int o = (pos % PAGE) * kvDim;
        System.arraycopy(k, kOff, keys[layer][page], o, kvDim);
        System.arraycopy(v, vOff, values[layer][page], o, kvDim);
    }

    /** Marks positions [0, newLength) valid; called after a forward step wrote them for every layer. */
    public void advanceTo(int newLength) {
        if (newLength > capacity) throw new IllegalStateException("KV cache full");
        this.length = Math.max(length, newLength);
    }

    /** Forgets everything from pos on (e.g. to re-run a prompt suffix). */
    public void truncate(int pos) { this.length = Math.min(length, pos); }

    float[] keyPage(int layer, int pos) { return keys[layer][pos / PAGE]; }

    float[] valuePage(int layer, int pos) { return values[layer][pos / PAGE]; }

    public int layers() { return layers; }
}
