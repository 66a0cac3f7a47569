package io.tern.engine.kernel;

import java.lang.foreign.MemorySegment;

/**
 * int8 activations of a batch of tokens (tokens × cols, row-major) with per-token absmax scale, BitNet style.
 *
 * <p>Rows are stored with a stride padded to whole weight blocks ({@link BlockLayout#BLOCK_COLS}) and the padding
 * stays zero, so kernels may read whole blocks. Besides q it keeps what kernels want precomputed: an int16 copy
 * in the order the Vector API kernel reads it, and the per-token sum of q (for the kernels' offset trick).
 */
public final class Int8Activations {
    private final int maxTokens;
    private final int cols;
    private final int stride;
    private final byte[] q;        // (maxTokens, stride)
    private final short[] q16;     // (maxTokens, stride), q widened, in VectorKernel's order (see q16Index)
    private final int[] sums;      // (maxTokens,) Σ_c q[t][c]
    private final float[] scales;  // (maxTokens,)
    private final MemorySegment qSegment, sumSegment, scaleSegment;  // heap views for critical downcalls
    private int tokens;

    public Int8Activations(int maxTokens, int cols) {
        if (maxTokens <= 0) throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        BlockLayout.checkCols(cols);
        this.maxTokens = maxTokens;
        this.cols = cols;
        this.stride = BlockLayout.paddedCols(cols);
        this.q = new byte[Math.multiplyExact(maxTokens, stride)];
        this.q16 = new short[q.length];
        this.sums = new int[maxTokens];
        this.scales = new float[maxTokens];
        this.qSegment = MemorySegment.ofArray(q);
        this.sumSegment = MemorySegment.ofArray(sums);
        this.scaleSegment = MemorySegment.ofArray(scales);
    }

    /**
     * x is tokens × cols row-major from xOff; per token: s = 127 / max|x| (all-zero token: s = 1, q = 0);
     * q = clamp(round-half-away-from-zero(x·s), −127, 127).
     */
    public void quantize(float[] x, int xOff, int tokens) {
        check(x, xOff, tokens);
        this.tokens = tokens;
        for (int t = 0; t < tokens; t++) quantizeToken(x, xOff, t);
    }

    /** Same as {@link #quantize}, one token per task on the pool (tokens are independent). */
    public void quantize(float[] x, int xOff, int tokens, MatmulPool pool) {
        check(x, xOff, tokens);
        this.tokens = tokens;
        if (tokens <= 1 || pool == null) {
            for (int t = 0; t < tokens; t++) quantizeToken(x, xOff, t);
        } else {
            pool.parallelFor(tokens, t -> quantizeToken(x, xOff, t));
        }
    }

    private void check(float[] x, int xOff, int tokens) {
        if (tokens < 0 || tokens > maxTokens) {
            throw new IllegalArgumentException("tokens " + tokens + " outside 0.." + maxTokens);
        }
        if (xOff < 0 || (long) xOff + (long) tokens * cols > x.length) {
            throw new IndexOutOfBoundsException("x has " + x.length + " floats, need " + tokens + "×" + cols + " from " + xOff);
        }
    }

    private void quantizeToken(float[] x, int xOff, int t) {
        int from = xOff + t * cols;
        float max = 0f;
        for (int c = 0; c < cols; c++) max = Math.max(max, Math.abs(x[from + c]));
        float s = max == 0f ? 1f : 127f / max;
        int base = t * stride;
        int sum = 0;
        for (int c = 0; c < cols; c++) {
            int v = roundHalfAway(x[from + c] * s);
            v = Math.max(-127, Math.min(127, v));
            q[base + c] = (byte) v;
            q16[base + q16Index(c)] = (short) v;
            sum += v;
        }
        scales[t] = s;
        sums[t] = sum;
    }

    /**
     * Where column c sits in a token's int16 copy. Read as int16 lanes, a weight block's byte pair j holds columns
     * 2j (low byte) and 2j+1 (high byte); so within each 256-column block, the 32 columns {@code 64k + 2j + h}
     * (j = 0..31) that code k of half h (0 low, 1 high) multiplies are stored together at {@code (2k + h)·32 + j}.
     */
    static int q16Index(int c) {
        int b = c & ~255, k = (c >> 6) & 3, j = (c >> 1) & 31, h = c & 1;
        return b + (2 * k + h) * 32 + j;
    }

    /** Rounds half away from zero, exactly (no float-add rounding trap at 0.49999997). */
    static int roundHalfAway(float v) {
        float a = Math.abs(v);
        float f = (float) Math.floor(a);
        float r = (a - f >= 0.5f) ? f + 1f : f;  // a - f is exact for |a| < 2^23; larger values are integers
        int i = (int) Math.min(r, 1e9f);
        return v < 0 ? -i : i;
    }

    public int tokens() { return tokens; }

    public int cols() { return cols; }

    public int maxTokens() { return maxTokens; }

    public float scale(int t) { return scales[t]; }

    public byte q(int t, int c) { return q[t * stride + c]; }

    /** Distance between tokens in {@link #qArray()} and {@link #q16Array()}: cols padded to whole blocks. */
    int stride() { return stride; }

    byte[] qArray() { return q; }

    short[] q16Array() { return q16; }

    MemorySegment qSegment() { return qSegment; }

    MemorySegment sumSegment() { return sumSegment; }

    MemorySegment scaleSegment() { return scaleSegment; }

    int[] sums() { return sums; }

    float[] scales() { return scales; }
}
