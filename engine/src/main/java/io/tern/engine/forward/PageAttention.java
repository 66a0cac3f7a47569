package io.tern.engine.forward;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/**
 * Attention of the query heads of one KV head against one page of the KV cache, the unit of work that
 * {@link Attention} spreads over the pool. Produces a partial softmax: per query head g of the group,
 * acc_g = Σ_j e_gj · V_j, the page's max m_g and l_g = Σ_j e_gj, where e_gj = exp(s_gj − m_g) and s_gj = q_g·K_j/√d.
 *
 * <p>Q·Kᵀ is vectorised over positions (keys are stored transposed) in tiles of {@link #TILE} positions × up to 4
 * query heads, e·V over dimensions in tiles of 4 vectors × up to 4 heads, so each load feeds many fmas. Tiles are
 * first read from the off-heap page into a small float scratch (F16 and Q8 widened on the way). Only IEEE adds,
 * multiplies and fmas, in a fixed order: the same inputs give the same bits in every process, and in
 * {@link NativePageAttention}, its native twin.
 */
class PageAttention {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    static final int LANES = L;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** L halves (F16 bits), widened to L ints and then floats. */
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * L));
    private static final int PAGE = KvCache.PAGE;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Positions per Q·Kᵀ tile: 4 vectors. */
    static final int TILE = 4 * L;

    final int group;
    final int headDim;
    final int kvHeads;
    final float scale;

    PageAttention(int group, int headDim, int kvHeads) {
        if (PAGE % TILE != 0 || headDim % L != 0) {
            throw new IllegalArgumentException("head_dim " + headDim + " must be a multiple of " + L);
        }
        this.group = group;
        this.headDim = headDim;
        this.kvHeads = kvHeads;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /** Floats of one partial result: per query head, acc (headDim), then m and l. */
    int partialSize() { return group * (headDim + 2); }

    /** Floats of scratch {@link #run} needs: scores (group, PAGE) and a widened tile (headDim, TILE). */
    int scratchSize() { return group * PAGE + headDim * TILE; }

    /** The kernel for this process: the native twin when native kernels are in use and the library has one, else this. */
    static PageAttention create(int group, int headDim, int kvHeads, boolean preferNative) {
        if (preferNative) {
            PageAttention twin = NativePageAttention.create(group, headDim, kvHeads);
            if (twin != null) return twin;
        }
        return new PageAttention(group, headDim, kvHeads);
    }

    /**
     * Positions [page·PAGE, min(page·PAGE + PAGE, end)) of KV head kh; the group's queries start at q[qOff] (group·headDim
     * floats); the partial goes to part[pOff..+partialSize); sc is scratch of {@link #scratchSize()} floats. The page this
     * thread will most likely run next (KV head nextKh, page nextPage; nextPage < 0 for none) is a prefetch hint.
     */
    void run(KvCache cache, int layer, int kh, int page, int end, float[] q, int qOff, float[] part, int pOff, float[] sc,
             int nextKh, int nextPage) {
        int n = Math.min(PAGE, end - page * PAGE);
        int wide = group * PAGE;
        KvType type = cache.type();
        MemorySegment keys = cache.keys(layer, page), values = cache.values(layer, page);
        long es = type.bytes();
        // Scores, a tile of positions at a time, widened into scratch; lanes past n score stale but finite values and
        // are masked below.
        for (int j = 0; j < n; j += TILE) {
            for (int d = 0; d < headDim; d++) {
                long row = (kh * cache.headStride() + (long) d * PAGE + j) * es;  // key row d of head kh, from position j
                load(type, keys, row, TILE, sc, wide + d * TILE);
            }
            scores(sc, wide, TILE, q, qOff, sc, j);
        }
        MemorySegment ks = type == KvType.Q8 ? cache.keyScales(layer, page) : null;
        MemorySegment vs = type == KvType.Q8 ? cache.valueScales(layer, page) : null;
        int nv = Math.ceilDiv(n, L) * L;
        for (int g = 0; g < group; g++) {
            int so = g * PAGE;
            FloatVector mv = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < nv; j += L) {
                FloatVector s = FloatVector.fromArray(F, sc, so + j).mul(scale);
                if (ks != null) s = s.mul(FloatVector.fromMemorySegment(F, ks, (long) (kh * PAGE + j) * Float.BYTES, ORDER));
                s.intoArray(sc, so + j);
                mv = mv.max(s.blend(Float.NEGATIVE_INFINITY, F.indexInRange(j, n).not()));
            }
            float m = mv.reduceLanes(VectorOperators.MAX);  // max is exact in any order
            FloatVector lv = FloatVector.zero(F);
            for (int j = 0; j < nv; j += L) {
                FloatVector e = FloatVector.zero(F).blend(exp(FloatVector.fromArray(F, sc, so + j).sub(m)), F.indexInRange(j, n));
                lv = lv.add(e);
                if (vs != null) e = e.mul(FloatVector.fromMemorySegment(F, vs, (long) (kh * PAGE + j) * Float.BYTES, ORDER));  // Q8: value scales folded into e
                e.intoArray(sc, so + j);
            }
            float l = 0f;
            for (int i = 0; i < L; i++) l += lv.lane(i);  // lanes in a fixed order
            int po = pOff + g * (headDim + 2);
            part[po + headDim] = m;
            part[po + headDim + 1] = l;
        }
        // Values, a tile of positions at a time, widened into scratch (rows of headDim).
        for (int j = 0; j < n; j += TILE) {
            int m = Math.min(TILE, n - j);
            for (int t = 0; t < m; t++) {
                long row = (kh * cache.headStride() + (long) (j + t) * headDim) * es;  // value row j + t of head kh
                load(type, values, row, headDim, sc, wide + t * headDim);
            }
            values(sc, wide, headDim, j, m, sc, part, pOff);
        }
    }

    /** count (a multiple of L, or of 4·L for Q8) elements of a row at byte offset off, as floats into dst[dOff..]. */
    private static void load(KvType type, MemorySegment page, long off, int count, float[] dst, int dOff) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < count; i += L) FloatVector.fromMemorySegment(F, page, off + (long) i * Float.BYTES, ORDER).intoArray(dst, dOff + i);
            }
            case F16 -> {
                for (int i = 0; i < count; i += L) widenHalves(page, off + 2L * i).intoArray(dst, dOff + i);
            }
            case Q8 -> {
                for (int i = 0; i < count; i += 4 * L) widenBytes(page, off + i, dst, dOff + i);
            }
        }
    }

    /**
     * sc[g·PAGE + j0 + t] = Σ_d q_g[d] · k[kBase + d·kStride + t] for t < TILE and each query head g: 4 position
     * vectors × up to 4 heads per pass, each key load feeding up to 4 fmas and each broadcast 4.
     */
    private void scores(float[] k, int kBase, int kStride, float[] q, int qOff, float[] sc, int j0) {
        for (int g0 = 0; g0 < group; g0 += 4) {
            int gs = Math.min(4, group - g0), q0 = qOff + g0 * headDim;
            FloatVector z = FloatVector.zero(F);
            FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
            FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
            for (int d = 0; d < headDim; d++) {
                int ko = kBase + d * kStride;
                FloatVector k0 = FloatVector.fromArray(F, k, ko), k1 = FloatVector.fromArray(F, k, ko + L);
                FloatVector k2 = FloatVector.fromArray(F, k, ko + 2 * L), k3 = FloatVector.fromArray(F, k, ko + 3 * L);
                FloatVector b = FloatVector.broadcast(F, q[q0 + d]);
                a00 = k0.fma(b, a00); a01 = k1.fma(b, a01); a02 = k2.fma(b, a02); a03 = k3.fma(b, a03);
                if (gs > 1) {
                    b = FloatVector.broadcast(F, q[q0 + headDim + d]);
                    a10 = k0.fma(b, a10); a11 = k1.fma(b, a11); a12 = k2.fma(b, a12); a13 = k3.fma(b, a13);
                }
                if (gs > 2) {
                    b = FloatVector.broadcast(F, q[q0 + 2 * headDim + d]);
                    a20 = k0.fma(b, a20); a21 = k1.fma(b, a21); a22 = k2.fma(b, a22); a23 = k3.fma(b, a23);
                }
                if (gs > 3) {
                    b = FloatVector.broadcast(F, q[q0 + 3 * headDim + d]);
                    a30 = k0.fma(b, a30); a31 = k1.fma(b, a31); a32 = k2.fma(b, a32); a33 = k3.fma(b, a33);
                }
            }
            int so = g0 * PAGE + j0;
            store4(sc, so, a00, a01, a02, a03);
            if (gs > 1) store4(sc, so + PAGE, a10, a11, a12, a13);
            if (gs > 2) store4(sc, so + 2 * PAGE, a20, a21, a22, a23);
            if (gs > 3) store4(sc, so + 3 * PAGE, a30, a31, a32, a33);
        }
    }

    /**
     * acc_g[i] (+)= Σ_{t<n} e[g·PAGE + j0 + t] · v[vBase + t·vStride + i] into the partials (overwritten when j0 = 0):
     * 4 dimension vectors × up to 4 heads per pass.
     */
    private void values(float[] v, int vBase, int vStride, int j0, int n, float[] sc, float[] part, int pOff) {
        int stride = headDim + 2;
        for (int g0 = 0; g0 < group; g0 += 4) {
            int gs = Math.min(4, group - g0), e0 = g0 * PAGE + j0;
            int i = 0;
            for (; i + 4 * L <= headDim; i += 4 * L) {
                int p0 = pOff + g0 * stride + i;
                FloatVector z = FloatVector.zero(F);
                FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
                FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
                if (j0 > 0) {
                    a00 = load(part, p0); a01 = load(part, p0 + L); a02 = load(part, p0 + 2 * L); a03 = load(part, p0 + 3 * L);
                    if (gs > 1) { a10 = load(part, p0 + stride); a11 = load(part, p0 + stride + L); a12 = load(part, p0 + stride + 2 * L); a13 = load(part, p0 + stride + 3 * L); }
                    if (gs > 2) { int o = p0 + 2 * stride; a20 = load(part, o); a21 = load(part, o + L); a22 = load(part, o + 2 * L); a23 = load(part, o + 3 * L); }
                    if (gs > 3) { int o = p0 + 3 * stride; a30 = load(part, o); a31 = load(part, o + L); a32 = load(part, o + 2 * L); a33 = load(part, o + 3 * L); }
                }
                for (int t = 0; t < n; t++) {
                    int vo = vBase + t * vStride + i;
                    FloatVector v0 = FloatVector.fromArray(F, v, vo), v1 = FloatVector.fromArray(F, v, vo + L);
                    FloatVector v2 = FloatVector.fromArray(F, v, vo + 2 * L), v3 = FloatVector.fromArray(F, v, vo + 3 * L);
                    FloatVector b = FloatVector.broadcast(F, sc[e0 + t]);
                    a00 = v0.fma(b, a00); a01 = v1.fma(b, a01); a02 = v2.fma(b, a02); a03 = v3.fma(b, a03);
                    if (gs > 1) {
                        b = FloatVector.broadcast(F, sc[e0 + PAGE + t]);
                        a10 = v0.fma(b, a10); a11 = v1.fma(b, a11); a12 = v2.fma(b, a12); a13 = v3.fma(b, a13);
                    }
                    if (gs > 2) {
                        b = FloatVector.broadcast(F, sc[e0 + 2 * PAGE + t]);
                        a20 = v0.fma(b, a20); a21 = v1.fma(b, a21); a22 = v2.fma(b, a22); a23 = v3.fma(b, a23);
                    }
                    if (gs > 3) {
                        b = FloatVector.broadcast(F, sc[e0 + 3 * PAGE + t]);
                        a30 = v0.fma(b, a30); a31 = v1.fma(b, a31); a32 = v2.fma(b, a32); a33 = v3.fma(b, a33);
                    }
                }
                store4(part, p0, a00, a01, a02, a03);
                if (gs > 1) store4(part, p0 + stride, a10, a11, a12, a13);
                if (gs > 2) store4(part, p0 + 2 * stride, a20, a21, a22, a23);
                if (gs > 3) store4(part, p0 + 3 * stride, a30, a31, a32, a33);
            }
            for (; i < headDim; i += L) {  // small heads: one vector at a time
                for (int g = g0; g < g0 + gs; g++) {
                    int po = pOff + g * stride + i, eo = g * PAGE + j0;
                    FloatVector a = j0 > 0 ? load(part, po) : FloatVector.zero(F);
                    for (int t = 0; t < n; t++) a = load(v, vBase + t * vStride + i).fma(FloatVector.broadcast(F, sc[eo + t]), a);
                    a.intoArray(part, po);
                }
            }
        }
    }

    private static FloatVector load(float[] a, int off) { return FloatVector.fromArray(F, a, off); }

    private static void store4(float[] a, int off, FloatVector x0, FloatVector x1, FloatVector x2, FloatVector x3) {
        x0.intoArray(a, off);
        x1.intoArray(a, off + L);
        x2.intoArray(a, off + 2 * L);
        x3.intoArray(a, off + 3 * L);
    }

    /**
     * L halves (F16 bits) at byte offset off to floats. F16 → F32 exactly for finite values: magnitude bits moved to F32
     * place and scaled by 2^112 (which also normalises subnormals), sign put back. F16 inf/NaN are not expected in a
     * KV cache.
     */
    private static FloatVector widenHalves(MemorySegment page, long off) {
        IntVector x = (IntVector) ShortVector.fromMemorySegment(H, page, off, ORDER).convertShape(VectorOperators.S2I, I, 0);
        FloatVector magnitude = x.and(0x7fff).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
        return magnitude.reinterpretAsInts().or(x.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** L ints at byte offset off, each holding four int8, to 4·L floats at dst[dOff..]: byte 0 of every int, then byte 1, ... */
    private static void widenBytes(MemorySegment page, long off, float[] dst, int dOff) {
        IntVector x = IntVector.fromMemorySegment(I, page, off, ORDER);
        for (int k = 0; k < 4; k++) {
            IntVector b = x.lanewise(VectorOperators.LSHL, 24 - 8 * k).lanewise(VectorOperators.ASHR, 24);
            ((FloatVector) b.convert(VectorOperators.I2F, 0)).intoArray(dst, dOff + k * L);
        }
    }

    /** e^x for x ≤ 0 (x below −87 gives e^−87), to about 2 ulp, from IEEE operations only. */
    static FloatVector exp(FloatVector x) {
        x = x.max(-87f);
        FloatVector t = x.mul(1.44269504f);
        IntVector n = (IntVector) t.sub(0.5f).convert(VectorOperators.F2I, 0);  // truncation: ceil for t ≤ 0.5
        FloatVector nf = (FloatVector) n.convert(VectorOperators.I2F, 0);
        FloatVector r = nf.fma(FloatVector.broadcast(F, -0.693145752f), x).add(nf.mul(-1.42860677e-6f));  // x − n·ln2 (hi + lo)
        FloatVector p = r.fma(FloatVector.broadcast(F, 1f / 720), FloatVector.broadcast(F, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(F, 0.5f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        FloatVector pow2 = n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(pow2);
    }
}
