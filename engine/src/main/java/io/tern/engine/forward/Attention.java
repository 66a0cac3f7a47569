package io.tern.engine.forward;

import io.tern.engine.kernel.MatmulPool;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.List;
import java.util.function.IntConsumer;

/**
 * Causal grouped-query attention of a run of tokens against one sequence's KV cache, on the model's compute pool.
 * Query head h reads KV head h / (heads / kvHeads); the group of query heads of one KV head is done together, so
 * each key and value is read once per token. Work is split by KV cache page ({@link PageAttention}): a decode step
 * spreads (KV head, page) pairs over the threads and then, in a second job, its query heads' merges; a prompt spreads
 * (tile of {@link #QUERY_TILE} tokens, KV head) pairs, each merging its own. Either way each page yields a partial
 * softmax, merged in page order, so a position gives the same bits in a prompt and in decode.
 * One instance per {@link ForwardPass} (it holds the job and scratch).
 */
final class Attention {
    /**
     * Prompt tokens whose queries share each page read: the pages every token of a tile sees in full run once for all
     * of them, as one group of QUERY_TILE · group query heads (a head's row is computed alike in any group: the same
     * bits), so a page streams in once per tile instead of once per token. Each token's last page or two (cut by the
     * causal mask) run per token.
     */
    static final int QUERY_TILE = 8;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int group;
    private final int kvDim;
    private final int maxPages;
    private final MatmulPool pool;
    private final PageAttention page;
    private final PageAttention[] tiles;            // [n]: the page kernel for a group of n prompt tokens' query heads
    private final ThreadLocal<float[]> scores;      // PageAttention scratch per thread
    private final ThreadLocal<TileScratch> tileScratch; // prompt: per thread
    private final ThreadLocal<float[]> mergeWeights;    // merge: a weight per page, whole vectors; per thread
    private final IntConsumer task = this::task;
    private final IntConsumer mergeTask = this::mergeTask;
    private float[] partials = new float[0];        // decode: (decode segments, kvHeads, maxPages, partialSize)

    // The current job, read by the pool's threads: segments of the batch, each decode (one token) or prompt.
    private float[] q, out;
    private float[] k, v;                           // null, or decode tokens' keys and values to store (rows of kv_dim)
    private int layer, segments;
    private int[] row = new int[0], count = new int[0], start = new int[0], pages = new int[0], slot = new int[0];
    private int[] firstTask = new int[1];           // segment s owns tasks [firstTask[s], firstTask[s + 1])
    private int[] decodeSegment = new int[0];       // decode slot -> its segment
    private KvCache[] caches = new KvCache[0];

    /** @param preferNative run pages in C when the library has a kernel for this CPU (else the Vector API kernel) */
    Attention(int heads, int kvHeads, int headDim, int context, MatmulPool pool, boolean preferNative) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.group = heads / kvHeads;
        this.kvDim = kvHeads * headDim;
        this.maxPages = Math.ceilDiv(context, KvCache.PAGE);
        this.pool = pool;
        this.page = PageAttention.create(group, headDim, kvHeads, preferNative);
        this.tiles = new PageAttention[QUERY_TILE + 1];
        for (int n = 2; n <= QUERY_TILE; n++) tiles[n] = PageAttention.create(n * group, headDim, kvHeads, preferNative);
        this.scores = ThreadLocal.withInitial(() -> new float[page.scratchSize()]);
        this.tileScratch = ThreadLocal.withInitial(() -> new TileScratch(tiles[QUERY_TILE], headDim));
        int weights = Math.ceilDiv(maxPages, PageAttention.LANES) * PageAttention.LANES;
        this.mergeWeights = ThreadLocal.withInitial(() -> new float[weights]);
    }

    /**
     * For tokens t in [0, count) at positions startPos + t, whose keys and values are in the cache already and whose q
     * rows start at row qRow of q (rows of heads·headDim): out row = softmax(q·Kᵀ/√d)·V over cache positions
     * [0, startPos + t].
     */
    void compute(float[] q, int qRow, int count, int startPos, KvCache cache, int layer, float[] out) {
        run(q, null, null, List.of(new ForwardPass.Segment(cache, startPos, count)), qRow, layer, out);
    }

    /**
     * Stores the batch's keys and values, then attends, every segment's pages in one pool job: segment i's rows of q,
     * k and v follow segment i − 1's (k and v: one row of kv_dim, rope applied, per row of q). A decode segment (one
     * token) spreads (KV head, page) pairs over the threads, and a second job merges each of its query heads' pages (in
     * page order); a prompt segment spreads (token, KV head) pairs, each merging its own.
     * The merges were once done inside the first job, by whichever thread ran a head's last page, found by an atomic
     * count per head: at 4k positions both threads decremented the same counters ~300 times a layer and the five merges
     * ran one after another at the job's end (its tasks go page by page, heads fastest, so every head ends there).
     * With the second job, attention alone (2 threads, Zen 5 VM, alternating in one process, same bits) took 5.9
     * instead of 6.5 ms a token (Q8) and 7.2 instead of 7.7 (F16) at 4,032 positions, 2.66 instead of 2.92 at 1,600,
     * the same at 576.
     * A prompt segment's rows are stored before the job (its later tokens read its earlier ones); a decode token's by
     * the task that runs its head's last page, right before it reads that page. Those lines stream in for the page
     * anyway: stored by the caller beforehand, a 2B4T token's 640 scattered key writes per layer took ~7 µs of serial
     * time (cache misses), and the worker then read them out of the caller's cache: decode steps alternating the two
     * ways in one process (Zen 5 VM, 512-520 positions) spent 1.85-2.04 ms a token in rope, KV writes and attention
     * before, 1.57-1.79 after.
     */
    void compute(float[] q, float[] k, float[] v, List<ForwardPass.Segment> batch, int layer, float[] out) {
        run(q, k, v, batch, 0, layer, out);
    }

    private void run(float[] q, float[] k, float[] v, List<ForwardPass.Segment> batch, int qRow, int layer, float[] out) {
        reserve(batch.size());
        int r = qRow, tasks = 0, decodes = 0;
        for (int i = 0; i < batch.size(); i++) {
            ForwardPass.Segment s = batch.get(i);
            if (s.start() + s.count() > maxPages * KvCache.PAGE) {
                throw new IllegalArgumentException("position " + (s.start() + s.count()) + " exceeds the attention context of " + maxPages * KvCache.PAGE);
            }
            caches[i] = s.cache();
            if (k != null) {
                if (s.count() == 1) s.cache().ensurePage(layer, s.start());  // the task stores it
                else for (int t = 0; t < s.count(); t++) s.cache().put(layer, s.start() + t, k, (r + t) * kvDim, v, (r + t) * kvDim);
            }
            row[i] = r;
            count[i] = s.count();
            start[i] = s.start();
            pages[i] = Math.ceilDiv(s.start() + 1, KvCache.PAGE);
            slot[i] = -1;
            if (s.count() == 1) {
                decodeSegment[decodes] = i;
                slot[i] = decodes++;
            }
            firstTask[i] = tasks;
            tasks += s.count() == 1 ? kvHeads * pages[i] : Math.ceilDiv(s.count(), QUERY_TILE) * kvHeads;
            r += s.count();
        }
        firstTask[batch.size()] = tasks;
        int need = decodes * kvHeads * maxPages * page.partialSize();
        if (partials.length < need) partials = new float[need];
        this.q = q;
        this.k = k;
        this.v = v;
        this.out = out;
        this.layer = layer;
        this.segments = batch.size();
        try {
            pool.parallelFor(tasks, task);
            pool.parallelFor(decodes * heads, mergeTask);
        } finally {
            this.q = null;
            this.k = null;
            this.v = null;
            this.out = null;
            java.util.Arrays.fill(caches, 0, segments, null);
        }
    }

    private void reserve(int n) {
        if (row.length >= n) return;
        int cap = Math.max(n, 2 * row.length);
        row = new int[cap];
        count = new int[cap];
        start = new int[cap];
        pages = new int[cap];
        slot = new int[cap];
        decodeSegment = new int[cap];
        firstTask = new int[cap + 1];
        caches = new KvCache[cap];
    }

    private int partialOffset(int segment, int kh, int p) {
        return ((slot[segment] * kvHeads + kh) * maxPages + p) * page.partialSize();
    }

    /** Task i of the job: find its segment, then a (KV head, page) of a decode or a (token, KV head) of a prompt. */
    private void task(int i) {
        int s = 0;
        while (i >= firstTask[s + 1]) s++;
        int local = i - firstTask[s];
        if (slot[s] >= 0) {
            int kh = local % kvHeads, p = local / kvHeads;
            int qOff = qOffset(s, 0, kh);
            if (k != null && p == pages[s] - 1) caches[s].putHead(layer, start[s], kh, k, row[s] * kvDim, v, row[s] * kvDim);
            boolean last = i + 1 == firstTask[s + 1];  // else this thread most likely runs task i + 1 next
            int nextKh = last ? 0 : (local + 1) % kvHeads, nextPage = last ? -1 : (local + 1) / kvHeads;
            page.run(caches[s], layer, kh, p, start[s] + 1, q, qOff, partials, partialOffset(s, kh, p), scores.get(), nextKh, nextPage);
        } else {
            promptTile(s, local / kvHeads * QUERY_TILE, local % kvHeads);
        }
    }

    /** Merge task i of a decode step: query head i % heads of decode slot i / heads, over its KV head's pages. */
    private void mergeTask(int i) {
        int s = decodeSegment[i / heads], h = i % heads, kh = h / group, g = h % group;
        mergeHead(partials, partialOffset(s, kh, 0) + g * (headDim + 2), page.partialSize(), pages[s], out, qOffset(s, 0, kh) + g * headDim);
    }

    /**
     * Tokens [t0, t0 + QUERY_TILE) of prompt segment s (fewer at its end) against KV head kh: pages below the first
     * token's position run once for the tile, the rest per token; then each token merges its pages in order.
     */
    private void promptTile(int s, int t0, int kh) {
        int nt = Math.min(QUERY_TILE, count[s] - t0), stride = headDim + 2, tokenPart = group * stride;
        int full = nt > 1 ? (start[s] + t0 + 1) / KvCache.PAGE : 0;  // pages every token of the tile sees whole
        int pageStride = nt * tokenPart;
        TileScratch ts = tileScratch.get();
        float[] part = ts.partials(Math.ceilDiv(start[s] + t0 + nt, KvCache.PAGE) * pageStride);
        if (full > 0) {
            PageAttention tile = tiles[nt];
            for (int t = 0; t < nt; t++) System.arraycopy(q, qOffset(s, t0 + t, kh), ts.q, t * group * headDim, group * headDim);
            for (int p = 0; p < full; p++) {
                tile.run(caches[s], layer, kh, p, (p + 1) * KvCache.PAGE, ts.q, 0, part, p * pageStride, ts.scores, kh, p + 1 < full ? p + 1 : -1);
            }
        }
        float[] sc = scores.get();
        for (int t = 0; t < nt; t++) {
            int end = start[s] + t0 + t + 1, n = Math.ceilDiv(end, KvCache.PAGE), rowOff = qOffset(s, t0 + t, kh);
            for (int p = full; p < n; p++) {
                page.run(caches[s], layer, kh, p, end, q, rowOff, part, p * pageStride + t * tokenPart, sc, kh, p + 1 < n ? p + 1 : -1);
            }
            merge(part, t * tokenPart, pageStride, n, out, rowOff);
        }
    }

    /** Where the query heads of KV head kh for token t of segment s start in q (and their output in out). */
    private int qOffset(int s, int t, int kh) {
        return (row[s] + t) * heads * headDim + kh * group * headDim;
    }

    /** A thread's prompt scratch: a tile's gathered queries, its page scratch, and partials (grown on demand). */
    private static final class TileScratch {
        final float[] q;
        final float[] scores;
        private float[] partials = new float[0];

        TileScratch(PageAttention tile, int headDim) {
            this.q = new float[tile.group * headDim];
            this.scores = new float[tile.scratchSize()];
        }

        float[] partials(int size) {
            if (partials.length < size) partials = new float[Math.max(size, partials.length * 2)];
            return partials;
        }
    }

    /**
     * out_g = Σ_p e^(m_p − M) · acc_p / Σ_p e^(m_p − M) · l_p over pages in order, for each query head g of a group;
     * page p's partial starts at off + p · ps. The page weights e^(m_p − M) come from {@link PageAttention#exp}, a
     * vector at a time (the page with the maximum weighs exactly 1). Merging 63 pages of 4 heads took 4.5 µs with
     * Math.exp per page and an axpy into out per page, 2.2-2.6 µs this way.
     */
    private void merge(float[] part, int off, int ps, int n, float[] out, int outOff) {
        for (int g = 0; g < group; g++) mergeHead(part, off + g * (headDim + 2), ps, n, out, outOff + g * headDim);
    }

    /** One query head of {@link #merge}: its page partials start at base + p · ps, its output at out[o]. */
    private void mergeHead(float[] part, int base, int ps, int n, float[] out, int o) {
        float[] w = mergeWeights.get();
        float max = Float.NEGATIVE_INFINITY;
        for (int p = 0; p < n; p++) max = Math.max(max, part[base + p * ps + headDim]);
        for (int p = 0; p < n; p++) w[p] = part[base + p * ps + headDim] - max;
        for (int p = 0; p < n; p += PageAttention.LANES) PageAttention.exp(FloatVector.fromArray(PageAttention.F, w, p)).intoArray(w, p);
        float sum = 0f;
        for (int p = 0; p < n; p++) sum += w[p] * part[base + p * ps + headDim + 1];
        float inv = 1f / sum;
        weighSum(part, base, ps, n, w, inv, out, o);
    }

    /**
     * out[o + d] = (Σ_p w[p] · part[base + p · ps + d]) · inv for d < headDim: one fma per page and element, in page
     * order from 0, summed in registers four vectors at a time. Adding each page into out instead (load, fma, store
     * per page) made the merge of 63 pages of 4 heads take twice as long.
     */
    private void weighSum(float[] part, int base, int ps, int n, float[] w, float inv, float[] out, int o) {
        VectorSpecies<Float> f = PageAttention.F;
        int l = f.length(), d = 0;
        for (; d + 4 * l <= headDim; d += 4 * l) {
            FloatVector a0 = FloatVector.zero(f), a1 = a0, a2 = a0, a3 = a0;
            for (int p = 0, po = base + d; p < n; p++, po += ps) {
                FloatVector wp = FloatVector.broadcast(f, w[p]);
                a0 = FloatVector.fromArray(f, part, po).fma(wp, a0);
                a1 = FloatVector.fromArray(f, part, po + l).fma(wp, a1);
                a2 = FloatVector.fromArray(f, part, po + 2 * l).fma(wp, a2);
                a3 = FloatVector.fromArray(f, part, po + 3 * l).fma(wp, a3);
            }
            a0.mul(inv).intoArray(out, o + d);
            a1.mul(inv).intoArray(out, o + d + l);
            a2.mul(inv).intoArray(out, o + d + 2 * l);
            a3.mul(inv).intoArray(out, o + d + 3 * l);
        }
        for (; d + l <= headDim; d += l) {
            FloatVector a = FloatVector.zero(f);
            for (int p = 0, po = base + d; p < n; p++, po += ps) a = FloatVector.fromArray(f, part, po).fma(FloatVector.broadcast(f, w[p]), a);
            a.mul(inv).intoArray(out, o + d);
        }
        for (; d < headDim; d++) {
            float a = 0f;
            for (int p = 0, po = base + d; p < n; p++, po += ps) a = Math.fma(part[po], w[p], a);
            out[o + d] = a * inv;
        }
    }
}
