package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * int8 activations of a batch of tokens (tokens × cols, row-major) with per-token absmax scale, BitNet style.
 *
 * <p>Rows are stored with a stride padded to whole weight blocks ({@link BlockLayout#BLOCK_COLS}) and the padding
 * stays zero, so kernels may read whole blocks. Besides q it keeps what kernels want precomputed: the per-token sum
 * of q (for the kernels' offset trick) and, made on first request, an int16 copy in the order the Vector API kernel
 * reads it.
 */
public final class Int8Activations {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, jdk.incubator.vector.VectorShape.forBitSize(F.length() * 8));
    /** int16 lanes for widen: at most 32 (a run of 32 columns), as the Vector API kernel reads them. */
    private static final VectorSpecies<Short> Q16 = ShortVector.SPECIES_PREFERRED.length() > 32 ? ShortVector.SPECIES_512 : ShortVector.SPECIES_PREFERRED;

    private final int maxTokens;
    private final int cols;
    private final int stride;
    private final MemorySegment q; // (maxTokens, stride) off-heap, rows 64-byte aligned: kernels load whole lines, never split ones
    private short[] q16;           // (maxTokens, stride), q widened, in VectorKernel's order (see q16Index); made on first request
    private final int[] sums;      // (maxTokens,) Σ_c q[t][c]
    private final float[] scales;  // (maxTokens,)
    private final MemorySegment sumSegment, scaleSegment;  // heap views for critical downcalls
    private int tokens;
    /** q16 lags q: it is rebuilt on first request after a quantisation. */
    private volatile boolean wideStale = true;

    public Int8Activations(int maxTokens, int cols) {
        if (maxTokens <= 0) throw new IllegalArgumentException("maxTokens must be positive, got " + maxTokens);
        BlockLayout.checkCols(cols);
        this.maxTokens = maxTokens;
        this.cols = cols;
        this.stride = BlockLayout.paddedCols(cols);
        this.q = Arena.ofAuto().allocate(Math.multiplyExact((long) maxTokens, stride), 64);
        this.sums = new int[maxTokens];
        this.scales = new float[maxTokens];
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
        wideStale = true;
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
        wideStale = true;
    }

    private void check(float[] x, int xOff, int tokens) {
        if (tokens < 0 || tokens > maxTokens) {
            throw new IllegalArgumentException("tokens " + tokens + " outside 0.." + maxTokens);
        }
        if (xOff < 0 || (long) xOff + (long) tokens * cols > x.length) {
            throw new IndexOutOfBoundsException("x has " + x.length + " floats, need " + tokens + "×" + cols + " from " + xOff);
        }
    }

    /** One token, F.length() columns at a time (cols is a multiple of 32, so there is no tail). */
    private void quantizeToken(float[] x, int xOff, int t) {
        int from = xOff + t * cols;
        FloatVector vmax = FloatVector.zero(F);
        for (int c = 0; c < cols; c += F.length()) vmax = vmax.max(FloatVector.fromArray(F, x, from + c).abs());
        float max = vmax.reduceLanes(VectorOperators.MAX);  // max is exact in any order; NaN anywhere gives NaN
        float s = max == 0f ? 1f : 127f / max;
        int base = t * stride;
        IntVector sum = IntVector.zero(I);
        for (int c = 0; c < cols; c += F.length()) {
            IntVector q = roundHalfAway(FloatVector.fromArray(F, x, from + c).mul(s));
            ((ByteVector) q.convertShape(VectorOperators.I2B, B, 0)).intoMemorySegment(this.q, base + c, ByteOrder.nativeOrder());
            sum = sum.add(q);
        }
        scales[t] = s;
        sums[t] = sum.reduceLanes(VectorOperators.ADD);
    }

    /** Lane-wise {@link #roundHalfAway(float)} clamped to ±127: truncate |v|, add one where the dropped part ≥ ½. */
    private static IntVector roundHalfAway(FloatVector v) {
        FloatVector a = v.abs().min(127f);                       // NaN stays NaN and truncates to 0, as in the scalar path
        IntVector i = (IntVector) a.convert(VectorOperators.F2I, 0);
        FloatVector frac = a.sub((FloatVector) i.convert(VectorOperators.I2F, 0));  // exact: a < 2^23
        IntVector r = i.add(1, frac.compare(VectorOperators.GE, 0.5f).cast(I));
        VectorMask<Integer> negative = v.compare(VectorOperators.LT, 0f).cast(I);
        return r.lanewise(VectorOperators.NEG, negative);
    }

    /**
     * Builds q16 from q if a quantisation happened since the last build (kernels call this from several threads). Per
     * 64 columns 64k.. of a block, q read as int16 lanes holds column 64k + 2j in the low byte of lane j and 64k + 2j + 1
     * in the high one: sign-extending each byte gives the two runs of 32 that {@link #q16Index} asks for. 512 tokens of
     * 2560 (6912) columns: 0.066 (0.242) ms, against 1.87 (5.02) ms for the scalar loop this replaced — serial time in
     * every matmul of a prompt (the other threads wait for it), 0.6 ms a prompt token on the 2B4T shape.
     */
    private synchronized void widen() {
        if (!wideStale) return;
        if (q16 == null) q16 = new short[(int) q.byteSize()];  // only the Vector API kernel asks: the others never pay for it
        int l = Q16.length();
        for (int t = 0; t < tokens; t++) {
            int base = t * stride;
            for (int c = 0; c < stride; c += 64) {  // stride is whole blocks; the padding is zero either way
                int run = base + q16Index(c);  // where the run of column c (code k, low bytes) starts; the high bytes' follows
                for (int j = 0; j < 32; j += l) {
                    ShortVector pair = ShortVector.fromMemorySegment(Q16, q, base + c + 2L * j, ByteOrder.LITTLE_ENDIAN);
                    pair.lanewise(VectorOperators.LSHL, 8).lanewise(VectorOperators.ASHR, 8).intoArray(q16, run + j);
                    pair.lanewise(VectorOperators.ASHR, 8).intoArray(q16, run + 32 + j);
                }
            }
        }
        wideStale = false;
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

    public byte q(int t, int c) { return q.get(ValueLayout.JAVA_BYTE, (long) t * stride + c); }

    /** Distance between tokens in {@link #qArray()} and {@link #q16Array()}: cols padded to whole blocks. */
    int stride() { return stride; }

    short[] q16Array() {
        if (wideStale) widen();
        return q16;
    }

    MemorySegment qSegment() { return q; }

    MemorySegment sumSegment() { return sumSegment; }

    MemorySegment scaleSegment() { return scaleSegment; }

    int[] sums() { return sums; }

    float[] scales() { return scales; }
}
