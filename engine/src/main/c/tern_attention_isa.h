/*
 * One ISA's page attention, included by tern_attention.c once per instruction set with these defined:
 *   ISA (name suffix), L (float lanes), GT (query heads per register tile), VF / VI (float / int vector),
 *   vload vstore vset1 vzero vfma(a, b, c) = a·b + c (fused) vmul vadd vsub vmax vreduce_max vkeep(x, fill, valid),
 *   viload vi_set1 vi_add vi_shl vi_sar (arithmetic) as_f vcvtt (F2I, truncating) vcvt (I2F),
 *   vhload(p): L halves (F16) at p to floats, exactly.
 * Every function here is static: only tern_attn_page_ISA is exported.
 */
#define CAT_(a, b) a##_##b
#define CAT(a, b) CAT_(a, b)
#define NAME(x) CAT(x, ISA)

/* e^x for x ≤ 0 in PageAttention.exp's exact sequence of IEEE operations. */
static inline VF NAME(vexp)(VF x) {
    x = vmax(x, vset1(-87.0f));
    VF t = vmul(x, vset1(1.44269504f));
    VI n = vcvtt(vsub(t, vset1(0.5f)));
    VF nf = vcvt(n);
    VF r = vadd(vfma(nf, vset1(-0.693145752f), x), vmul(nf, vset1(-1.42860677e-6f)));
    VF p = vfma(r, vset1(1.0f / 720), vset1(1.0f / 120));
    p = vfma(p, r, vset1(1.0f / 24));
    p = vfma(p, r, vset1(1.0f / 6));
    p = vfma(p, r, vset1(0.5f));
    p = vfma(p, r, vset1(1.0f));
    p = vfma(p, r, vset1(1.0f));
    return vmul(p, as_f(vi_shl(vi_add(n, vi_set1(127)), 23)));
}

/* Byte b of every int of x, sign-extended, to floats (PageAttention.widenBytes). */
static inline VF NAME(byte)(VI x, int b) { return vcvt(vi_sar(vi_shl(x, 24 - 8 * b), 24)); }

/* Four vectors of L consecutive elements starting at element e of a row: floats; F16 halves in order, widened four
   times; or int8 interleaved in runs of 4·L (element L·k + j of a run in int j, byte k), one int vector. */
static inline void NAME(load4)(const char *row, int kind, int e, VF *x0, VF *x1, VF *x2, VF *x3) {
    if (kind == KV_F32) {
        const float *f = (const float *) row + e;
        *x0 = vload(f); *x1 = vload(f + L); *x2 = vload(f + 2 * L); *x3 = vload(f + 3 * L);
    } else if (kind == KV_F16) {
        const uint16_t *h = (const uint16_t *) row + e;
        *x0 = vhload(h); *x1 = vhload(h + L); *x2 = vhload(h + 2 * L); *x3 = vhload(h + 3 * L);
    } else {
        VI x = viload((const int32_t *) row + e / 4);
        *x0 = NAME(byte)(x, 0); *x1 = NAME(byte)(x, 1); *x2 = NAME(byte)(x, 2); *x3 = NAME(byte)(x, 3);
    }
}

/* One vector of L elements at element e (a multiple of L). */
static inline VF NAME(load1)(const char *row, int kind, int e) {
    if (kind == KV_F32) return vload((const float *) row + e);
    if (kind == KV_Q8) return NAME(byte)(viload((const int32_t *) row + e / (4 * L) * L), (e / L) % 4);
    return vhload((const uint16_t *) row + e);
}

#define FMA4(a, x, b) do { a[0] = vfma(x##0, b, a[0]); a[1] = vfma(x##1, b, a[1]); \
                           a[2] = vfma(x##2, b, a[2]); a[3] = vfma(x##3, b, a[3]); } while (0)

/* A register tile: a[g][0..3] += x0..x3 · w[g·ws] for its gs ≤ GT heads (a[h % GT] keeps dead branches in bounds when
   GT is 2; the compiler drops them). */
#define TILE_FMA(a, x, w, ws, gs) do {                                                    \
        VF b_ = vset1((w)[0]);                                                           \
        FMA4(a[0], x, b_);                                                               \
        if (GT > 1 && (gs) > 1) { b_ = vset1((w)[(ws)]); FMA4(a[1 % GT], x, b_); }        \
        if (GT > 2 && (gs) > 2) { b_ = vset1((w)[2 * (ws)]); FMA4(a[2 % GT], x, b_); }    \
        if (GT > 3 && (gs) > 3) { b_ = vset1((w)[3 * (ws)]); FMA4(a[3 % GT], x, b_); }    \
    } while (0)

/* The tile's gs rows of 4·L floats to dst, rows ds apart. */
#define TILE_STORE(a, dst, ds, gs) do {                                                   \
        for (int g_ = 0; g_ < (gs); g_++) {                                              \
            float *p_ = (dst) + g_ * (ds);                                               \
            vstore(p_, a[g_][0]); vstore(p_ + L, a[g_][1]); vstore(p_ + 2 * L, a[g_][2]); vstore(p_ + 3 * L, a[g_][3]); \
        }                                                                                \
    } while (0)

/* One register tile, the step both halves of attention are made of: for gs heads (a constant after inlining),
   dst[g·ds + (0 .. 4·L)] = Σ_r x_r[e .. e + 4·L) · w[g·ws + r] over rows r < count of row_bytes each, summed in order
   of r. Scores: rows are key rows (one per dimension), w the queries; sums: rows are value rows (one per position), w
   the softmax weights. pf: row_bytes per row streamed into L2 alongside (the next task's keys or values). */
__attribute__((always_inline))
static inline void NAME(tile)(const int kind, const int gs, const char *x, int64_t row_bytes, int count, int e,
                              const float *w, int ws, float *dst, int ds, const char *pf) {
    VF a[GT][4];
    for (int g = 0; g < GT; g++) a[g][0] = a[g][1] = a[g][2] = a[g][3] = vzero();
    for (int r = 0; r < count; r++) {
        for (int64_t o = 0; o < row_bytes; o += 64) ATTN_PF(pf + r * row_bytes + o, _MM_HINT_T1);
        VF x0, x1, x2, x3;
        NAME(load4)(x + r * row_bytes, kind, e, &x0, &x1, &x2, &x3);
        TILE_FMA(a, x, w + r, ws, gs);
    }
    TILE_STORE(a, dst, ds, gs);
}

/* Calls X with the tile's head count gs as a constant (1 .. GT). */
#define WITH_GS(gs, X) do { if ((gs) == GT) X(GT); else if ((gs) == 1) X(1); else if ((gs) == 2) X(2); else X(GT > 2 ? 3 : GT); } while (0)

/* Keys are (head_dim, PAGE) per head, values (PAGE, head_dim) per head: each one contiguous run. kind is a constant
   after inlining. */
__attribute__((always_inline))
static inline void NAME(page)(const int kind, const float *kscale, const float *vscale, const void *kpage, const void *vpage, int32_t kh, int32_t n,
                              int32_t group, int32_t head_dim, float scale,
                              const float *q, int32_t q_off, float *part, int32_t p_off, float *sc,
                              const void *next_kpage, int32_t next_kh) {
    const int es = kind == KV_F32 ? 4 : kind == KV_F16 ? 2 : 1, tile = 4 * L;
    const int64_t kbytes = (int64_t) head_dim * PAGE * es, vrow = (int64_t) head_dim * es;
    const char *k = (const char *) kpage + kh * 2 * kbytes;   /* a head's keys, then its values, then the next head's */
    const char *v = (const char *) vpage + kh * 2 * kbytes;
    q += q_off;
    part += p_off;

    /* Prefetch plan: a call streams its own values in during its scores (they are read right after) and the next task's
       keys during its sums, so a thread's tasks read memory back to back and each prefetched line is used soon: when the
       next task's keys and values both streamed in during this call, on a Zen 5 VM a cold page call took 1.37-1.71 µs
       instead of 1.10-1.41 (6 runs; the non-temporal lines that land in L1 were evicted before use). A task no earlier
       call prefetched fetches its own keys first. Passes with nothing to stream prefetch this task's own lines again
       (cached: nearly free, and branch-free). */
    if (ATTN_PREFETCH && k != tern_attn_next_keys) {
        for (int64_t o = 0; o < kbytes; o += 64) {
            if (o < KEY_AHEAD * PAGE * es) ATTN_PF(k + o, _MM_HINT_T0);
            else ATTN_PF(k + o, _MM_HINT_T1);
        }
    }
    const char *nk = ATTN_PREFETCH && next_kpage ? (const char *) next_kpage + next_kh * 2 * kbytes : NULL;
    tern_attn_next_keys = nk;

    /* Scores sc[g·PAGE + j] = q_g · K_j, a tile of 4·L positions × GT heads per pass. */
    for (int j = 0; j < n; j += tile) {
        for (int g0 = 0; g0 < group; g0 += GT) {
            int gs = group - g0 < GT ? group - g0 : GT;
            const char *pf = ATTN_PREFETCH && j == 0 && g0 == 0 ? v : k;
#define SCORE(G) NAME(tile)(kind, G, k, PAGE * es, head_dim, j, q + g0 * head_dim, head_dim, sc + g0 * PAGE + j, PAGE, pf)
            WITH_GS(gs, SCORE);
#undef SCORE
        }
    }

    /* Softmax of each head's scores: max over valid positions, e = exp(s − m) (0 past n), l = Σ e by lane, then lanes
       in order, as PageAttention does. */
    int nl = (n + L - 1) / L * L;
    for (int g = 0; g < group; g++) {
        float *s = sc + g * PAGE;
        VF mv = vset1(-__builtin_inff());
        for (int j = 0; j < nl; j += L) {
            VF x = vmul(vload(s + j), vset1(scale));
            if (kind == KV_Q8) x = vmul(x, vload(kscale + kh * PAGE + j));
            vstore(s + j, x);
            mv = vmax(mv, vkeep(x, vset1(-__builtin_inff()), n - j));
        }
        float m = vreduce_max(mv);
        VF lv = vzero();
        for (int j = 0; j < nl; j += L) {
            VF e = vkeep(NAME(vexp)(vsub(vload(s + j), vset1(m))), vzero(), n - j);
            lv = vadd(lv, e);
            if (kind == KV_Q8) e = vmul(e, vload(vscale + kh * PAGE + j));  /* value scales folded into e */
            vstore(s + j, e);
        }
        float lanes[L], l = 0.0f;
        vstore(lanes, lv);
        for (int i = 0; i < L; i++) l += lanes[i];
        float *pg = part + g * (head_dim + 2);
        pg[head_dim] = m;
        pg[head_dim + 1] = l;
    }

    /* acc_g = Σ_t e_gt · V_t, 4·L dimensions × GT heads per pass. */
    int stride = head_dim + 2;
    for (int g0 = 0; g0 < group; g0 += GT) {
        int gs = group - g0 < GT ? group - g0 : GT;
        int i = 0;
        for (; i + tile <= head_dim; i += tile) {
            const char *pf = nk && g0 == 0 && i == 0 ? nk : v;
#define SUM(G) NAME(tile)(kind, G, v, vrow, n, i, sc + g0 * PAGE, PAGE, part + g0 * stride + i, stride, pf)
            WITH_GS(gs, SUM);
#undef SUM
        }
        for (; i < head_dim; i += L) {  /* small heads: one vector at a time */
            for (int g = g0; g < g0 + gs; g++) {
                VF a = vzero();
                const float *e = sc + g * PAGE;
                for (int t = 0; t < n; t++) a = vfma(NAME(load1)(v + t * vrow, kind, i), vset1(e[t]), a);
                vstore(part + g * stride + i, a);
            }
        }
    }
}

void NAME(tern_attn_page)(int32_t kind, const float *kscale, const float *vscale, const void *kpage, const void *vpage,
                          int32_t kh, int32_t n, int32_t group, int32_t head_dim, float scale,
                          const float *q, int32_t q_off, float *part, int32_t p_off, float *sc,
                          const void *next_kpage, int32_t next_kh) {
#define PAGE_CALL(k) NAME(page)(k, kscale, vscale, kpage, vpage, kh, n, group, head_dim, scale, q, q_off, part, p_off, sc, next_kpage, next_kh)
    if (kind == KV_F16) PAGE_CALL(KV_F16);
    else if (kind == KV_Q8) PAGE_CALL(KV_Q8);
    else PAGE_CALL(KV_F32);
#undef PAGE_CALL
}

#undef FMA4
#undef WITH_GS
#undef TILE_FMA
#undef TILE_STORE
#undef NAME
#undef CAT
#undef CAT_
