package io.tern.engine.sampler;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The k highest of a row of logits, by index, exactly (ties keep the lower index). A long row is cut in blocks of
 * {@link #BLOCK}: the k-th highest block maximum T is a floor for the k-th highest value (the k highest block maxima
 * are k values ≥ T), so only values ≥ T, found with vector compares, reach a min-heap of k entries. A 128,256-token row
 * of 2B4T: two vector passes and a few dozen heap updates instead of a scalar compare per token. Reused across rows;
 * allocates nothing per call once grown.
 */
public final class TopK {
    /** Values per block of the first pass. */
    static final int BLOCK = 1024;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final int k;
    private final float[] value;  // heap: value[0] is the smallest kept
    private final int[] index;
    private float[] blockMax = new float[0];
    private int size;

    public TopK(int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        this.k = k;
        this.value = new float[k];
        this.index = new int[k];
    }

    /** Selects the min(k, n) highest of v[off .. off + n); {@link #index} then gives them, in no particular order. */
    public void select(float[] v, int off, int n) {
        int blocks = Math.ceilDiv(n, BLOCK);
        if (blocks >= 2 * k) {
            float floor = floor(v, off, n, blocks);
            size = 0;
            scanFrom(v, off, n, floor);
            if (size == k) return;  // else NaNs hid values from the floor: scan everything
        }
        size = 0;
        scan(v, off, n);
    }

    /** The k-th highest block maximum, a block holding a NaN counting as −∞ (so the floor stays a lower bound). */
    private float floor(float[] v, int off, int n, int blocks) {
        if (blockMax.length < blocks) blockMax = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            int from = off + b * BLOCK, to = off + Math.min(n, (b + 1) * BLOCK), i = from;
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i <= to - F.length(); i += F.length()) m = m.max(FloatVector.fromArray(F, v, i));
            float max = m.reduceLanes(VectorOperators.MAX);
            for (; i < to; i++) max = Math.max(max, v[i]);
            blockMax[b] = max;
        }
        size = 0;
        scan(blockMax, 0, blocks);
        return value[0];
    }

    /** Every value ≥ floor of v[off .. off + n), in index order, through the heap. */
    private void scanFrom(float[] v, int off, int n, float floor) {
        FloatVector f = FloatVector.broadcast(F, floor);
        int i = 0;
        for (; i <= n - F.length(); i += F.length()) {
            VectorMask<Float> hit = FloatVector.fromArray(F, v, off + i).compare(VectorOperators.GE, f);
            if (!hit.anyTrue()) continue;
            for (int lane = 0; lane < F.length(); lane++) if (hit.laneIsSet(lane)) offer(v[off + i + lane], i + lane);
        }
        for (; i < n; i++) if (v[off + i] >= floor) offer(v[off + i], i);
    }

    /** v[off .. off + n) through the heap, NaN as −∞. */
    private void scan(float[] v, int off, int n) {
        for (int i = 0; i < n; i++) offer(Float.isNaN(v[off + i]) ? Float.NEGATIVE_INFINITY : v[off + i], i);
    }

    /** x at index i (visited in increasing i): kept if the heap has room or x beats its smallest. */
    private void offer(float x, int i) {
        if (size < k) {
            push(x, i);
        } else if (x > value[0]) {  // an equal value at a higher index ranks below
            value[0] = x;
            index[0] = i;
            siftDown(0);
        }
    }

    /** How many were selected: min(k, n) of the last row. */
    public int size() { return size; }

    /** The i-th selected index (relative to the row's offset), i < {@link #size}. */
    public int index(int i) {
        if (i >= size) throw new IndexOutOfBoundsException(i + " of " + size + " selected");
        return index[i];
    }

    private void push(float x, int i) {
        int at = size++;
        value[at] = x;
        index[at] = i;
        while (at > 0) {
            int parent = (at - 1) / 2;
            if (!below(at, parent)) break;
            swap(at, parent);
            at = parent;
        }
    }

    private void siftDown(int at) {
        while (true) {
            int l = 2 * at + 1, r = l + 1, least = at;
            if (l < size && below(l, least)) least = l;
            if (r < size && below(r, least)) least = r;
            if (least == at) return;
            swap(at, least);
            at = least;
        }
    }

    /** Whether entry a ranks below entry b: a smaller value, or an equal one at a higher index. */
    private boolean below(int a, int b) {
        return value[a] < value[b] || (value[a] == value[b] && index[a] > index[b]);
    }

    private void swap(int a, int b) {
        float v = value[a];
        value[a] = value[b];
        value[b] = v;
        int i = index[a];
        index[a] = index[b];
        index[b] = i;
    }
}
