package io.tern.engine.forward;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of the query heads of one KV head against one page of the KV cache, the unit of work that
 * {@link Attention} spreads over the pool. Produces a partial softmax: per query head g of the group,
 * acc_g = Σ_j e_gj · V_j, the page's max m_g and l_g = Σ_j e_gj, where e_gj = exp(s_gj − m_g) and s_gj = q_g·K_j/√d.
 * Vectorised over positions for Q·Kᵀ (keys are stored transposed) and over dimensions for e·V. Only IEEE
 * adds, multiplies and fmas in a fixed order: the same inputs give the same bits in every process.
 */
final class PageAttention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Short> H = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(L * 8));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final int PAGE = KvCache.PAGE;

    private final int group;
    private final int headDim;
    private final int kvDim;
    private final float scale;

    PageAttention(int group, int headDim, int kvHeads) {
        if (PAGE % L != 0 || headDim % L != 0) throw new IllegalArgumentException("head_dim " + headDim + " must be a multiple of " + L);
        this.group = group;
        this.headDim = headDim;
        this.kvDim = kvHeads * headDim;
        this.scale = (float) (1.0 / Math.sqrt(headDim));
    }

    /** Floats of one partial result: per query head, acc (headDim), then m and l. */
    int partialSize() { return group * (headDim + 2); }

    /**
     * Positions [page·PAGE, min(page·PAGE + PAGE, end)) of KV head kh; the group's queries start at q[qOff] (group·headDim
     * floats); the partial goes to part[pOff..+partialSize); sc is scratch of group·PAGE floats.
     */
    void run(KvCache cache, int layer, int kh, int page, int end, float[] q, int qOff, float[] part, int pOff, float[] sc) {
        int j0 = page * PAGE, n = Math.min(PAGE, end - j0);
        int nv = Math.ceilDiv(n, L) * L;  // whole vectors: the lanes past n score stale but finite values, masked below
        int kOff = kh * headDim;
        switch (cache.type()) {
            case F32 -> scoresF32(cache.keysF32(layer, page), kOff, nv, q, qOff, sc);
            case F16 -> scoresF16(cache.keysF16(layer, page), kOff, nv, q, qOff, sc);
            case Q8 -> scoresQ8(cache.keysQ8(layer, page), kOff, nv, q, qOff, sc);
        }
        float[] ks = cache.type() == KvType.Q8 ? cache.keyScalesQ8(layer, page) : null;
        for (int g = 0; g < group; g++) {
            int so = g * PAGE;
            for (int j = 0; j < nv; j += L) {
                FloatVector s = FloatVector.fromArray(F, sc, so + j).mul(scale);
                if (ks != null) s = s.mul(FloatVector.fromArray(F, ks, kh * PAGE + j));
                s.intoArray(sc, so + j);
            }
            float m = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) m = Math.max(m, sc[so + j]);
            for (int j = 0; j < nv; j += L) {
                VectorMask<Float> valid = F.indexInRange(j, n);
                FloatVector e = exp(FloatVector.fromArray(F, sc, so + j).sub(m));
                FloatVector.zero(F).blend(e, valid).intoArray(sc, so + j);
            }
            float l = 0f;
            for (int j = 0; j < n; j++) l += sc[so + j];
            int po = pOff + g * (headDim + 2);
            part[po + headDim] = m;
            part[po + headDim + 1] = l;
        }
        switch (cache.type()) {
            case F32 -> valuesF32(cache.valuesF32(layer, page), kOff, n, sc, part, pOff);
            case F16 -> valuesF16(cache.valuesF16(layer, page), kOff, n, sc, part, pOff);
            case Q8 -> valuesQ8(cache.valuesQ8(layer, page), cache.valueScalesQ8(layer, page), kh, kOff, n, sc, part, pOff);
        }
    }

    /** sc[g·PAGE + j] = Σ_d q_g[d] · K[kOff + d][j] for j < nv. */
    private void scoresF32(float[] kf, int kOff, int nv, float[] q, int qOff, float[] sc) {
        for (int g0 = 0; g0 < group; g0 += 4) {
            int gs = Math.min(4, group - g0);
            int q0 = qOff + g0 * headDim;
            for (int j = 0; j < nv; j += L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int d = 0; d < headDim; d++) {
                    int ko = (kOff + d) * PAGE + j;
                    FloatVector k = FloatVector.fromArray(F, kf, ko);
                    a0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
                    if (gs > 1) a1 = k.fma(FloatVector.broadcast(F, q[q0 + headDim + d]), a1);
                    if (gs > 2) a2 = k.fma(FloatVector.broadcast(F, q[q0 + 2 * headDim + d]), a2);
                    if (gs > 3) a3 = k.fma(FloatVector.broadcast(F, q[q0 + 3 * headDim + d]), a3);
                }
                int so = g0 * PAGE + j;
                a0.intoArray(sc, so);
                if (gs > 1) a1.intoArray(sc, so + PAGE);
                if (gs > 2) a2.intoArray(sc, so + 2 * PAGE);
                if (gs > 3) a3.intoArray(sc, so + 3 * PAGE);
            }
        }
    }

    /** The same with int8 keys, not yet scaled. */
    private void scoresQ8(byte[] kq, int kOff, int nv, float[] q, int qOff, float[] sc) {
        for (int g0 = 0; g0 < group; g0 += 4) {
            int gs = Math.min(4, group - g0);
            int q0 = qOff + g0 * headDim;
            for (int j = 0; j < nv; j += L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int d = 0; d < headDim; d++) {
                    int ko = (kOff + d) * PAGE + j;
                    FloatVector k = (FloatVector) ByteVector.fromArray(B, kq, ko).convertShape(VectorOperators.B2F, F, 0);
                    a0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
                    if (gs > 1) a1 = k.fma(FloatVector.broadcast(F, q[q0 + headDim + d]), a1);
                    if (gs > 2) a2 = k.fma(FloatVector.broadcast(F, q[q0 + 2 * headDim + d]), a2);
                    if (gs > 3) a3 = k.fma(FloatVector.broadcast(F, q[q0 + 3 * headDim + d]), a3);
                }
                int so = g0 * PAGE + j;
                a0.intoArray(sc, so);
                if (gs > 1) a1.intoArray(sc, so + PAGE);
                if (gs > 2) a2.intoArray(sc, so + 2 * PAGE);
                if (gs > 3) a3.intoArray(sc, so + 3 * PAGE);
            }
        }
    }

    private void scoresF16(short[] kh16, int kOff, int nv, float[] q, int qOff, float[] sc) {
        for (int g0 = 0; g0 < group; g0 += 4) {
            int gs = Math.min(4, group - g0);
            int q0 = qOff + g0 * headDim;
            for (int j = 0; j < nv; j += L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int d = 0; d < headDim; d++) {
                    FloatVector k = half(kh16, (kOff + d) * PAGE + j);
                    a0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
                    if (gs > 1) a1 = k.fma(FloatVector.broadcast(F, q[q0 + headDim + d]), a1);
                    if (gs > 2) a2 = k.fma(FloatVector.broadcast(F, q[q0 + 2 * headDim + d]), a2);
                    if (gs > 3) a3 = k.fma(FloatVector.broadcast(F, q[q0 + 3 * headDim + d]), a3);
                }
                int so = g0 * PAGE + j;
                a0.intoArray(sc, so);
                if (gs > 1) a1.intoArray(sc, so + PAGE);
                if (gs > 2) a2.intoArray(sc, so + 2 * PAGE);
                if (gs > 3) a3.intoArray(sc, so + 3 * PAGE);
            }
        }
    }

    /** part acc_g[i] = Σ_{j<n} sc[g·PAGE + j] · V[j][kOff + i]. */
    private void valuesF32(float[] v, int kOff, int n, float[] sc, float[] part, int pOff) {
        for (int g0 = 0; g0 < group; g0 += 4) {
            int gs = Math.min(4, group - g0);
            for (int i = 0; i < headDim; i += L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int j = 0; j < n; j++) {
                    FloatVector x = FloatVector.fromArray(F, v, j * kvDim + kOff + i);
                    int so = g0 * PAGE + j;
                    a0 = x.fma(FloatVector.broadcast(F, sc[so]), a0);
                    if (gs > 1) a1 = x.fma(FloatVector.broadcast(F, sc[so + PAGE]), a1);
                    if (gs > 2) a2 = x.fma(FloatVector.broadcast(F, sc[so + 2 * PAGE]), a2);
                    if (gs > 3) a3 = x.fma(FloatVector.broadcast(F, sc[so + 3 * PAGE]), a3);
                }
                storeAcc(part, pOff, g0, gs, i, a0, a1, a2, a3);
            }
        }
    }

    private void valuesF16(short[] v, int kOff, int n, float[] sc, float[] part, int pOff) {
        for (int g0 = 0; g0 < group; g0 += 4) {
            int gs = Math.min(4, group - g0);
            for (int i = 0; i < headDim; i += L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int j = 0; j < n; j++) {
                    FloatVector x = half(v, j * kvDim + kOff + i);
                    int so = g0 * PAGE + j;
                    a0 = x.fma(FloatVector.broadcast(F, sc[so]), a0);
                    if (gs > 1) a1 = x.fma(FloatVector.broadcast(F, sc[so + PAGE]), a1);
                    if (gs > 2) a2 = x.fma(FloatVector.broadcast(F, sc[so + 2 * PAGE]), a2);
                    if (gs > 3) a3 = x.fma(FloatVector.broadcast(F, sc[so + 3 * PAGE]), a3);
                }
                storeAcc(part, pOff, g0, gs, i, a0, a1, a2, a3);
            }
        }
    }

    private void valuesQ8(byte[] v, float[] vs, int kh, int kOff, int n, float[] sc, float[] part, int pOff) {
        for (int g0 = 0; g0 < group; g0 += 4) {
            int gs = Math.min(4, group - g0);
            for (int i = 0; i < headDim; i += L) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int j = 0; j < n; j++) {
                    FloatVector x = (FloatVector) ByteVector.fromArray(B, v, j * kvDim + kOff + i).convertShape(VectorOperators.B2F, F, 0);
                    x = x.mul(vs[kh * PAGE + j]);
                    int so = g0 * PAGE + j;
                    a0 = x.fma(FloatVector.broadcast(F, sc[so]), a0);
                    if (gs > 1) a1 = x.fma(FloatVector.broadcast(F, sc[so + PAGE]), a1);
                    if (gs > 2) a2 = x.fma(FloatVector.broadcast(F, sc[so + 2 * PAGE]), a2);
                    if (gs > 3) a3 = x.fma(FloatVector.broadcast(F, sc[so + 3 * PAGE]), a3);
                }
                storeAcc(part, pOff, g0, gs, i, a0, a1, a2, a3);
            }
        }
    }

    private void storeAcc(float[] part, int pOff, int g0, int gs, int i, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        int stride = headDim + 2, po = pOff + g0 * stride + i;
        a0.intoArray(part, po);
        if (gs > 1) a1.intoArray(part, po + stride);
        if (gs > 2) a2.intoArray(part, po + 2 * stride);
        if (gs > 3) a3.intoArray(part, po + 3 * stride);
    }

    /** L half floats from a[off..] as floats (finite values; F16 inf/NaN are not expected in a KV cache). */
    private static FloatVector half(short[] a, int off) {
        IntVector h = (IntVector) ShortVector.fromArray(H, a, off).convertShape(VectorOperators.S2I, I, 0);
        FloatVector mag = h.and(0x7fff).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f);
        return mag.reinterpretAsInts().or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
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
