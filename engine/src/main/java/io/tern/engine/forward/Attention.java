package io.tern.engine.forward;

import io.tern.engine.kernel.MatmulPool;

import java.util.function.IntConsumer;

/**
 * Causal grouped-query attention of a run of tokens against one sequence's KV cache, on the model's compute pool.
 * Query head h reads KV head h / (heads / kvHeads); the group of query heads of one KV head is done together, so
 * each key and value is read once per token. Work is split by KV cache page ({@link PageAttention}): a decode step
 * spreads (KV head, page) pairs over the threads, a prompt spreads (token, KV head) pairs; either way each page
 * yields a partial softmax, merged in page order, so a position gives the same bits in a prompt and in decode.
 * One instance per {@link ForwardPass} (it holds the job and scratch).
 */
final class Attention {
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int group;
    private final int maxPages;
    private final MatmulPool pool;
    private final PageAttention page;
    private final float[] partials;                 // decode: (kvHeads, maxPages, partialSize)
    private final ThreadLocal<float[]> scores;      // PageAttention scratch per thread
    private final ThreadLocal<float[]> tokenPartials; // prompt: (maxPages, partialSize) per thread
    private final IntConsumer decodeTask = this::decodeTask;
    private final IntConsumer promptTask = this::promptTask;

    // The current job, read by the pool's threads.
    private float[] q, out;
    private int qRow, startPos, layer, pages;
    private KvCache cache;

    Attention(int heads, int kvHeads, int headDim, int context, MatmulPool pool) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.group = heads / kvHeads;
        this.maxPages = Math.ceilDiv(context, KvCache.PAGE);
        this.pool = pool;
        this.page = new PageAttention(group, headDim, kvHeads);
        int ps = page.partialSize();
        this.partials = new float[kvHeads * maxPages * ps];
        this.scores = ThreadLocal.withInitial(() -> new float[page.scratchSize()]);
        this.tokenPartials = ThreadLocal.withInitial(() -> new float[maxPages * ps]);
    }

    /**
     * For tokens t in [0, count) at positions startPos + t, whose q rows start at row qRow of q
     * (rows of heads·headDim): out row = softmax(q·Kᵀ/√d)·V over cache positions [0, startPos + t].
     */
    void compute(float[] q, int qRow, int count, int startPos, KvCache cache, int layer, float[] out) {
        if (startPos + count > maxPages * KvCache.PAGE) {
            throw new IllegalArgumentException("position " + (startPos + count) + " exceeds the attention context of " + maxPages * KvCache.PAGE);
        }
        this.q = q;
        this.out = out;
        this.qRow = qRow;
        this.startPos = startPos;
        this.cache = cache;
        this.layer = layer;
        try {
            if (count == 1) {
                this.pages = Math.ceilDiv(startPos + 1, KvCache.PAGE);
                pool.parallelFor(kvHeads * pages, decodeTask);
                int rowOff = qRow * heads * headDim;
                for (int kh = 0; kh < kvHeads; kh++) {
                    merge(partials, kh * maxPages * page.partialSize(), pages, out, rowOff + kh * group * headDim);
                }
            } else {
                pool.parallelFor(count * kvHeads, promptTask);
            }
        } finally {
            this.q = null;
            this.out = null;
            this.cache = null;
        }
    }

    /** Task i of a decode step: KV head i % kvHeads, page i / kvHeads. */
    private void decodeTask(int i) {
        int kh = i % kvHeads, p = i / kvHeads;
        int qOff = qRow * heads * headDim + kh * group * headDim;
        int pOff = (kh * maxPages + p) * page.partialSize();
        page.run(cache, layer, kh, p, startPos + 1, q, qOff, partials, pOff, scores.get());
    }

    /** Task i of a prompt: token i / kvHeads, KV head i % kvHeads, all its pages in turn. */
    private void promptTask(int i) {
        int t = i / kvHeads, kh = i % kvHeads;
        int end = startPos + t + 1, n = Math.ceilDiv(end, KvCache.PAGE);
        int rowOff = (qRow + t) * heads * headDim + kh * group * headDim;
        float[] part = tokenPartials.get(), sc = scores.get();
        for (int p = 0; p < n; p++) page.run(cache, layer, kh, p, end, q, rowOff, part, p * page.partialSize(), sc);
        merge(part, 0, n, out, rowOff);
    }

    /** out_g = Σ_p e^(m_p − M) · acc_p / Σ_p e^(m_p − M) · l_p over pages in order, for each query head g of a group. */
    private void merge(float[] part, int off, int n, float[] out, int outOff) {
        int ps = page.partialSize(), stride = headDim + 2;
        for (int g = 0; g < group; g++) {
            int base = off + g * stride, o = outOff + g * headDim;
            float max = Float.NEGATIVE_INFINITY;
            for (int p = 0; p < n; p++) max = Math.max(max, part[base + p * ps + headDim]);
            float sum = 0f;
            java.util.Arrays.fill(out, o, o + headDim, 0f);
            for (int p = 0; p < n; p++) {
                int po = base + p * ps;
                float w = n == 1 ? 1f : (float) Math.exp(part[po + headDim] - max);
                sum += w * part[po + headDim + 1];
                FloatDot.axpy(w, part, po, out, o, headDim);
            }
            float inv = 1f / sum;
            for (int d = 0; d < headDim; d++) out[o + d] *= inv;
        }
    }
}
