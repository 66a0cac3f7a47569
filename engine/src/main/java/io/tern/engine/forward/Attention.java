package io.tern.engine.forward;

/**
 * Causal grouped-query attention of a run of tokens against one sequence's KV cache.
 * Query head h reads KV head h / (heads / kvHeads).
 */
final class Attention {
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final float scale;

    Attention(int heads, int kvHeads, int headDim) {
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /**
     * For tokens t in [0, count) at positions startPos + t, whose q rows start at row qRow of q
     * (rows of heads·headDim): out row = softmax(q·Kᵀ/√d)·V over cache positions [0, startPos + t].
     * scores must hold at least startPos + count floats.
     */
    void compute(float[] q, int qRow, int count, int startPos, KvCache cache, int layer, float[] out, float[] scores) {
        int dim = heads * headDim;
        int kvDim = kvHeads * headDim;
        int group = heads / kvHeads;
        for (int t = 0; t < count; t++) {
            int pos = startPos + t;
            int rowOff = (qRow + t) * dim;
            for (int h = 0; h < heads; h++) {
                int qOff = rowOff + h * headDim;
                int kvOff = (h / group) * headDim;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j <= pos; j++) {
                    float[] kp = cache.keyPage(layer, j);
                    float s = FloatDot.dot(q, qOff, kp, (j % KvCache.PAGE) * kvDim + kvOff, headDim) * scale;
                    scores[j] = s;
                    if (s > max) max = s;
                }
                float sum = 0f;
                for (int j = 0; j <= pos; j++) {
                    float e = (float) Math.exp(scores[j] - max);
                    scores[j] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                java.util.Arrays.fill(out, qOff, qOff + headDim, 0f);
                for (int j = 0; j <= pos; j++) {
                    float[] vp = cache.valuePage(layer, j);
                    FloatDot.axpy(scores[j] * inv, vp, (j % KvCache.PAGE) * kvDim + kvOff, out, qOff, headDim);
                }
            }
        }
    }
}
