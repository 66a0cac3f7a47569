package io.tern.engine.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * Vector API kernel on the {@link BlockLayout}.
 *
 * <p>Packed bytes are loaded straight as int16 lanes (no widening conversion): lane j holds the byte pair 2j, 2j+1,
 * so one shift and one mask give the codes (w + 1 ∈ {0,1,2}) of 32 columns per (code k, byte half h), and
 * {@link Int8Activations} keeps its int16 copy in exactly that order. Codes × activations accumulate in int16 (vpmullw,
 * vpaddw), flushed to int32 before they can overflow; Σq is subtracted at the end. For several tokens, each
 * decoded code vector is reused for a tile of 4 tokens.
 */
public final class VectorKernel implements TernaryKernel {
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    private static final int L = S.length();
    /** Loads per 64-byte block. */
    private static final int SUB = BlockLayout.BLOCK_BYTES / (2 * L);
    /** Blocks an int16 lane can take before it may overflow: each adds ≤ 8·SUB products of |code·q| ≤ 254. */
    private static final int FLUSH = Short.MAX_VALUE / (254 * 8 * SUB);
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Rows decoded against every token tile while they sit in L1/L2 (GEMM). */
    private static final int ROW_BLOCK = 16;
    /**
     * GEMM: longer rows run in column chunks of at most this many blocks, so a 4-token tile's int16 activations (32 KB
     * at most) stay in L1 while the row block passes over them; only with 512-bit vectors. One thread, 256 rows of 6912
     * columns × 512 tokens on a Zen 5 VM: 62.1 GMAC/s whole, 76.0 in chunks of 13 and 14 blocks (2560 columns: 74.5);
     * with 256-bit vectors 32.9 whole, 30.7 in chunks.
     */
    private static final int CHUNK_BLOCKS = S.vectorBitSize() >= 512 ? 16 : Integer.MAX_VALUE;

    @Override public String name() { return "vector(" + S.vectorBitSize() + "-bit)"; }

    @Override
    public TernaryMatrix pack(int rows, int cols, TernaryRows source, Arena arena) {
        return BlockLayout.pack(rows, cols, source, arena);
    }

    @Override
    public void dot(TernaryMatrix w, Int8Activations x, int r0, int r1, int[] out) {
        run(BlockLayout.Packed.of(w, "vector"), x, r0, r1, out, null);
    }

    @Override
    public void matmul(TernaryMatrix w, Int8Activations x, int r0, int r1, float[] out) {
        run(BlockLayout.Packed.of(w, "vector"), x, r0, r1, null, out);
    }

    @Override
    public void dot(Int8Matrix w, Int8Activations x, int r0, int r1, int[] out) {
        VectorInt8.run(w, x, r0, r1, out, null);
    }

    @Override
    public void matmul(Int8Matrix w, Int8Activations x, int r0, int r1, float[] out) {
        VectorInt8.run(w, x, r0, r1, null, out);
    }

    private static void run(BlockLayout.Packed m, Int8Activations x, int r0, int r1, int[] iout, float[] fout) {
        CallShape.check(m, x, r0, r1, iout != null ? iout.length : fout.length);
        int tokens = x.tokens();
        short[] a = x.q16Array();
        int stride = x.stride();
        if (tokens == 1) {
            for (int r = r0; r < r1; r++) {
                store(m, x, r, 0, dot1(m.data(), r * m.rowBytes(), m.blocks(), a, 0), iout, fout);
            }
            return;
        }
        int blocks = m.blocks(), chunks = Math.ceilDiv(blocks, CHUNK_BLOCKS);
        int[] acc = new int[ROW_BLOCK * 4];  // (row of the block, token of the tile): the row's dots so far
        for (int rb = r0; rb < r1; rb += ROW_BLOCK) {
            int re = Math.min(r1, rb + ROW_BLOCK);
            int t = 0;
            for (; t + 4 <= tokens; t += 4) {
                Arrays.fill(acc, 0);
                for (int c = 0; c < chunks; c++) {
                    int b0 = (int) ((long) blocks * c / chunks), b1 = (int) ((long) blocks * (c + 1) / chunks);
                    for (int r = rb; r < re; r++) dot4(m, r, t, a, stride, b0, b1, acc, (r - rb) * 4);
                }
                for (int r = rb; r < re; r++) {
                    for (int n = 0; n < 4; n++) store(m, x, r, t + n, acc[(r - rb) * 4 + n], iout, fout);
                }
            }
            for (; t < tokens; t++) {
                for (int r = rb; r < re; r++) {
                    store(m, x, r, t, dot1(m.data(), r * m.rowBytes(), m.blocks(), a, t * stride), iout, fout);
                }
            }
        }
    }

    private static void store(BlockLayout.Packed m, Int8Activations x, int r, int t, int codeDot, int[] iout, float[] fout) {
        int i = t * m.rows() + r;
        int d = codeDot - x.sums()[t];
        if (iout != null) iout[i] = d;
        else fout[i] = m.scales()[r] * d / x.scale(t);
    }

    /**
     * One row · one token: Σ code·q. Four accumulators of two products each per block: with one, the eight adds of a
     * block formed one dependency chain, and a row ran 21-28% slower (one thread, 512-bit and 256-bit species, Zen 5
     * VM). Their sum still fits a short: together they take what one accumulator took before a flush. The int16 lanes are
     * summed exactly without int32 vectors: a lane x is (x >> 8) · 256 + (x & 0xFF), and 32 lanes of either part sum
     * within a short. With IntVector widening here, C2 compiled dot1 with boxed vectors in some processes and not in
     * others (JFR of two bench runs: 47 GB vs 0.5 GB of allocation in dot1, decode 12 vs 19 tok/s), as it did with a
     * widening helper before.
     */
    private static int dot1(MemorySegment data, long rowOff, int blocks, short[] a, int aOff) {
        int sum = 0;
        for (int b0 = 0; b0 < blocks; b0 += FLUSH) {
            int b1 = Math.min(blocks, b0 + FLUSH);
            ShortVector c0 = ShortVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
            for (int b = b0; b < b1; b++) {
                long wo = rowOff + (long) b * BlockLayout.BLOCK_BYTES;
                int ao = aOff + b * BlockLayout.BLOCK_COLS;
                for (int j = 0; j < SUB; j++) {
                    ShortVector v = ShortVector.fromMemorySegment(S, data, wo + 2L * j * L, LE);
                    int o = ao + j * L;
                    c0 = c0.add(v.and((short) 3).mul(ShortVector.fromArray(S, a, o)))
                           .add(v.lanewise(LSHR, 8).and((short) 3).mul(ShortVector.fromArray(S, a, o + 32)));
                    c1 = c1.add(v.lanewise(LSHR, 2).and((short) 3).mul(ShortVector.fromArray(S, a, o + 64)))
                           .add(v.lanewise(LSHR, 10).and((short) 3).mul(ShortVector.fromArray(S, a, o + 96)));
                    c2 = c2.add(v.lanewise(LSHR, 4).and((short) 3).mul(ShortVector.fromArray(S, a, o + 128)))
                           .add(v.lanewise(LSHR, 12).and((short) 3).mul(ShortVector.fromArray(S, a, o + 160)));
                    c3 = c3.add(v.lanewise(LSHR, 6).and((short) 3).mul(ShortVector.fromArray(S, a, o + 192)))
                           .add(v.lanewise(LSHR, 14).mul(ShortVector.fromArray(S, a, o + 224)));
                }
            }
            ShortVector acc = c0.add(c1).add(c2.add(c3));
            sum += 256 * acc.lanewise(ASHR, 8).reduceLanes(VectorOperators.ADD) + acc.and((short) 0xFF).reduceLanes(VectorOperators.ADD);
        }
        return sum;
    }

    /** One row · tokens t..t+3 over blocks [from, to), decoding each code vector once: added to acc[off..off+3]. */
    private static void dot4(BlockLayout.Packed m, int r, int t, short[] a, int stride, int from, int to, int[] acc, int off) {
        MemorySegment data = m.data();
        long rowOff = r * m.rowBytes();
        int a0 = t * stride, a1 = a0 + stride, a2 = a1 + stride, a3 = a2 + stride;
        IntVector s0 = IntVector.zero(I), s1 = s0, s2 = s0, s3 = s0;
        for (int b0 = from; b0 < to; b0 += FLUSH) {
            int b1 = Math.min(to, b0 + FLUSH);
            ShortVector c0 = ShortVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
            for (int b = b0; b < b1; b++) {
                long wo = rowOff + (long) b * BlockLayout.BLOCK_BYTES;
                int ao = b * BlockLayout.BLOCK_COLS;
                for (int j = 0; j < SUB; j++) {
                    ShortVector v = ShortVector.fromMemorySegment(S, data, wo + 2L * j * L, LE);
                    for (int p = 0; p < 8; p++) {  // p = 2k + h: code k of the low (h = 0) or high byte
                        ShortVector code = v.lanewise(LSHR, 2 * (p >> 1) + 8 * (p & 1)).and((short) 3);
                        int o = ao + j * L + 32 * p;
                        c0 = c0.add(code.mul(ShortVector.fromArray(S, a, a0 + o)));
                        c1 = c1.add(code.mul(ShortVector.fromArray(S, a, a1 + o)));
                        c2 = c2.add(code.mul(ShortVector.fromArray(S, a, a2 + o)));
                        c3 = c3.add(code.mul(ShortVector.fromArray(S, a, a3 + o)));
                    }
                }
            }
            s0 = s0.add(widenSum(c0));
            s1 = s1.add(widenSum(c1));
            s2 = s2.add(widenSum(c2));
            s3 = s3.add(widenSum(c3));
        }
        acc[off] += s0.reduceLanes(VectorOperators.ADD);
        acc[off + 1] += s1.reduceLanes(VectorOperators.ADD);
        acc[off + 2] += s2.reduceLanes(VectorOperators.ADD);
        acc[off + 3] += s3.reduceLanes(VectorOperators.ADD);
    }

    /**
     * int16 lanes summed pairwise into int32 lanes, for dot4 (prefill tiles). dot1's exact byte-part reductions instead
     * (eight reductions per flush of a 4-token tile) made prefill 10-25% slower (3 alternating processes).
     */
    private static IntVector widenSum(ShortVector acc) {
        IntVector pairs = acc.reinterpretAsInts();  // each int lane = lo16 + hi16 << 16
        return pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(pairs.lanewise(VectorOperators.ASHR, 16));
    }
}
