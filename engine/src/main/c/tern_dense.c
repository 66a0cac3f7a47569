/*
 * Dense rows × activations for Tern: the lm_head, quantised to int8 at load (the default) or to 4 bits, or kept in the
 * file's F16.
 * One exported entry per instruction set, picked by the JVM side with tern_cpu_features(); each handles a chunk of
 * rows for all tokens, and takes the software prefetch mode of tern_stream.h as its last argument.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stddef.h>
#include "tern_stream.h"

/* ---------------------------------------------------------------- int8 × int8 rows (the quantised lm_head)
 * Row-major signed int8 weights, rows padded with zeros to row_bytes (a multiple of 64), per-row scale ws.
 * AVX2: maddubs(|w|, sign(q, w)) never saturates (2·127·127 < 32768). VNNI: dpbusd(w ^ 0x80, q) = Σ w·q + 128·Σq.
 */
typedef struct {
    const int8_t *w; int64_t row_bytes; int32_t rows;
    const int8_t *q; int64_t q_stride; const int32_t *sumq; int32_t tokens;
    int32_t *iout; float *fout; const float *ws; const float *xs; int32_t pf;
} i8job;

static inline void i8store(const i8job *j, int r, int t, int32_t d) {
    size_t i = (size_t) t * j->rows + r;
    if (j->iout) j->iout[i] = d;
    else j->fout[i] = j->ws[r] * (float) d / j->xs[t];
}

__attribute__((target("avx2"), always_inline))
static inline void i8row_avx2(const i8job *j, int r, int t, const int NT) {
    const int8_t *w = j->w + (size_t) r * j->row_bytes;
    const int8_t *q0 = j->q + (size_t) t * j->q_stride;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int64_t c = 0; c < j->row_bytes; c += 32) {
        if (NT == 1 && (c & 63) == 0) PREFETCH(j->pf, w + c);
        __m256i v = _mm256_load_si256((const __m256i *) (w + c));
        __m256i a = _mm256_sign_epi8(v, v);
        for (int n = 0; n < NT; n++) {
            __m256i x = _mm256_loadu_si256((const __m256i *) (q0 + n * j->q_stride + c));
            s[n] = _mm256_add_epi32(s[n], _mm256_madd_epi16(_mm256_maddubs_epi16(a, _mm256_sign_epi8(x, v)), ones));
        }
    }
    for (int n = 0; n < NT; n++) i8store(j, r, t + n, hsum8(s[n]));
}

__attribute__((target("avx2,avxvnni"), always_inline))
static inline void i8row_avxvnni(const i8job *j, int r, int t, const int NT) {
    const int8_t *w = j->w + (size_t) r * j->row_bytes;
    const int8_t *q0 = j->q + (size_t) t * j->q_stride;
    const __m256i flip = _mm256_set1_epi8((char) 0x80);
    __m256i s[4][2];
    for (int n = 0; n < 4; n++) s[n][0] = s[n][1] = _mm256_setzero_si256();
    for (int64_t c = 0; c < j->row_bytes; c += 64) {
        if (NT == 1) PREFETCH(j->pf, w + c);
        for (int h = 0; h < 2; h++) {
            __m256i u = _mm256_xor_si256(_mm256_load_si256((const __m256i *) (w + c + 32 * h)), flip);
            for (int n = 0; n < NT; n++) {
                __m256i x = _mm256_loadu_si256((const __m256i *) (q0 + n * j->q_stride + c + 32 * h));
                s[n][h] = dpbusd256(s[n][h], u, x);
            }
        }
    }
    for (int n = 0; n < NT; n++) i8store(j, r, t + n, hsum8(_mm256_add_epi32(s[n][0], s[n][1])) - 128 * j->sumq[t + n]);
}

/* Named accumulators, two chains per token (see row4_avx512vnni on why not arrays). */
#define I8DP(acc, u, p) acc = dpbusd512(acc, u, _mm512_loadu_si512((const void *) (p)))

__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void i8row_avx512vnni(const i8job *j, int r, int t, const int NT) {
    const int8_t *w = j->w + (size_t) r * j->row_bytes;
    const int64_t st = j->q_stride;
    const int8_t *q0 = j->q + (size_t) t * st, *q1 = q0 + st, *q2 = q1 + st, *q3 = q2 + st;
    const __m512i flip = _mm512_set1_epi8((char) 0x80);
    __m512i a0 = Z512, b0 = Z512, a1 = Z512, b1 = Z512, a2 = Z512, b2 = Z512, a3 = Z512, b3 = Z512;
    int64_t c = 0;
    for (; c + 128 <= j->row_bytes; c += 128) {
        if (NT == 1) { PREFETCH(j->pf, w + c); PREFETCH(j->pf, w + c + 64); }
        __m512i u = _mm512_xor_si512(_mm512_load_si512((const void *) (w + c)), flip);
        __m512i v = _mm512_xor_si512(_mm512_load_si512((const void *) (w + c + 64)), flip);
        I8DP(a0, u, q0 + c); I8DP(b0, v, q0 + c + 64);
        if (NT == 4) {
            I8DP(a1, u, q1 + c); I8DP(b1, v, q1 + c + 64);
            I8DP(a2, u, q2 + c); I8DP(b2, v, q2 + c + 64);
            I8DP(a3, u, q3 + c); I8DP(b3, v, q3 + c + 64);
        }
    }
    if (c < j->row_bytes) {  /* a row of an odd number of 64-byte lines */
        __m512i u = _mm512_xor_si512(_mm512_load_si512((const void *) (w + c)), flip);
        I8DP(a0, u, q0 + c);
        if (NT == 4) { I8DP(a1, u, q1 + c); I8DP(a2, u, q2 + c); I8DP(a3, u, q3 + c); }
    }
    i8store(j, r, t, _mm512_reduce_add_epi32(_mm512_add_epi32(a0, b0)) - 128 * j->sumq[t]);
    if (NT == 4) {
        i8store(j, r, t + 1, _mm512_reduce_add_epi32(_mm512_add_epi32(a1, b1)) - 128 * j->sumq[t + 1]);
        i8store(j, r, t + 2, _mm512_reduce_add_epi32(_mm512_add_epi32(a2, b2)) - 128 * j->sumq[t + 2]);
        i8store(j, r, t + 3, _mm512_reduce_add_epi32(_mm512_add_epi32(a3, b3)) - 128 * j->sumq[t + 3]);
    }
}

/* Eight tokens per pass over an int8 row (the lm_head of a batch of decode steps): one chain per token. */
#define I8DP8(n, qn) acc##n = dpbusd512(acc##n, u, _mm512_loadu_si512((const void *) (qn + c)))

__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void i8row8_avx512vnni(const i8job *j, int r, int t) {
    const int8_t *w = j->w + (size_t) r * j->row_bytes;
    const int64_t st = j->q_stride;
    TOKEN_ROWS8(j->q + (size_t) t * st, st);
    const __m512i flip = _mm512_set1_epi8((char) 0x80);
    __m512i acc0 = Z512, acc1 = Z512, acc2 = Z512, acc3 = Z512, acc4 = Z512, acc5 = Z512, acc6 = Z512, acc7 = Z512;
    for (int64_t c = 0; c < j->row_bytes; c += 64) {
        __m512i u = _mm512_xor_si512(_mm512_load_si512((const void *) (w + c)), flip);
        I8DP8(0, q0); I8DP8(1, q1); I8DP8(2, q2); I8DP8(3, q3); I8DP8(4, q4); I8DP8(5, q5); I8DP8(6, q6); I8DP8(7, q7);
    }
    i8store(j, r, t, _mm512_reduce_add_epi32(acc0) - 128 * j->sumq[t]);
    i8store(j, r, t + 1, _mm512_reduce_add_epi32(acc1) - 128 * j->sumq[t + 1]);
    i8store(j, r, t + 2, _mm512_reduce_add_epi32(acc2) - 128 * j->sumq[t + 2]);
    i8store(j, r, t + 3, _mm512_reduce_add_epi32(acc3) - 128 * j->sumq[t + 3]);
    i8store(j, r, t + 4, _mm512_reduce_add_epi32(acc4) - 128 * j->sumq[t + 4]);
    i8store(j, r, t + 5, _mm512_reduce_add_epi32(acc5) - 128 * j->sumq[t + 5]);
    i8store(j, r, t + 6, _mm512_reduce_add_epi32(acc6) - 128 * j->sumq[t + 6]);
    i8store(j, r, t + 7, _mm512_reduce_add_epi32(acc7) - 128 * j->sumq[t + 7]);
}

__attribute__((target("avx2"), always_inline))
static inline void i8row8_avx2(const i8job *j, int r, int t) { i8row_avx2(j, r, t, 4); i8row_avx2(j, r, t + 4, 4); }

__attribute__((target("avx2,avxvnni"), always_inline))
static inline void i8row8_avxvnni(const i8job *j, int r, int t) { i8row_avxvnni(j, r, t, 4); i8row_avxvnni(j, r, t + 4, 4); }

/* One exported entry per instruction set and row format (int8: tern_i8_*, 4-bit: tern_i4_*): rows [r0, r1), each
   against every token in tiles of 8, 4 and 1. */
#define DENSE_DRIVER(fmt, isa, attrs)                                                   \
    __attribute__((target(attrs)))                                                             \
    void tern_##fmt##_##isa(const int8_t *w, int64_t row_bytes, int32_t rows, int32_t r0, int32_t r1, \
                       const int8_t *q, int64_t q_stride, const int32_t *sumq, int32_t tokens, \
                       int32_t *iout, float *fout, const float *ws, const float *xs, int32_t pf) { \
        i8job j = {w, row_bytes, rows, q, q_stride, sumq, tokens, iout, fout, ws, xs, batch_pf(tokens, pf)}; \
        if (tokens <= 4) ramp((const uint8_t *) w + (size_t) r0 * row_bytes, (int64_t) (r1 - r0) * row_bytes, pf); \
        for (int r = r0; r < r1; r++) {                                                        \
            int t = 0;                                                                         \
            for (; t + 8 <= tokens; t += 8) fmt##row8_##isa(&j, r, t);                         \
            for (; t + 4 <= tokens; t += 4) fmt##row_##isa(&j, r, t, 4);                       \
            for (; t < tokens; t++) fmt##row_##isa(&j, r, t, 1);                               \
        }                                                                                      \
    }

DENSE_DRIVER(i8, avx2, "avx2")
DENSE_DRIVER(i8, avxvnni, "avx2,avxvnni")
DENSE_DRIVER(i8, avx512vnni, "avx512f,avx512bw,avx512vnni")

/* ---------------------------------------------------------------- 4-bit × int8 rows (a 4-bit lm_head)
 * Per-row scale ws, codes u = w + 8 in [1, 15], two per byte: a 64-byte block holds 128 columns, byte i the column
 * 128·b + i in its low nibble and 128·b + 64 + i in its high one (Int4Matrix.java). Σ (u − 8)·q = Σ u·q − 8·Σq: the
 * codes are unsigned, so dpbusd (VNNI) or maddubs (AVX2: 2·15·127 < 32768) take them as they are. Same job as int8,
 * row_bytes = cols / 2.
 */
__attribute__((target("avx2"), always_inline))
static inline void i4row_avx2(const i8job *j, int r, int t, const int NT) {
    const uint8_t *w = (const uint8_t *) j->w + (size_t) r * j->row_bytes;
    const int8_t *q0 = j->q + (size_t) t * j->q_stride;
    const __m256i m = _mm256_set1_epi8(15), ones = _mm256_set1_epi16(1);
    __m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int64_t c = 0; c < j->row_bytes; c += 32) {
        if (NT == 1 && (c & 63) == 0) PREFETCH(j->pf, w + c);
        __m256i v = _mm256_load_si256((const __m256i *) (w + c));
        __m256i lo = _mm256_and_si256(v, m), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m);
        int64_t o = 2 * (c & ~(int64_t) 63) + (c & 63);  /* the low nibbles' first column */
        for (int n = 0; n < NT; n++) {
            const int8_t *x = q0 + n * j->q_stride + o;
            __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(lo, _mm256_loadu_si256((const __m256i *) x)),
                                         _mm256_maddubs_epi16(hi, _mm256_loadu_si256((const __m256i *) (x + 64))));
            s[n] = _mm256_add_epi32(s[n], _mm256_madd_epi16(p, ones));  /* two products per int16 lane: ≤ 7620 */
        }
    }
    for (int n = 0; n < NT; n++) i8store(j, r, t + n, hsum8(s[n]) - 8 * j->sumq[t + n]);
}

__attribute__((target("avx2,avxvnni"), always_inline))
static inline void i4row_avxvnni(const i8job *j, int r, int t, const int NT) {
    const uint8_t *w = (const uint8_t *) j->w + (size_t) r * j->row_bytes;
    const int8_t *q0 = j->q + (size_t) t * j->q_stride;
    const __m256i m = _mm256_set1_epi8(15);
    __m256i s[4][2];
    for (int n = 0; n < 4; n++) s[n][0] = s[n][1] = _mm256_setzero_si256();
    for (int64_t c = 0; c < j->row_bytes; c += 32) {
        if (NT == 1 && (c & 63) == 0) PREFETCH(j->pf, w + c);
        __m256i v = _mm256_load_si256((const __m256i *) (w + c));
        __m256i lo = _mm256_and_si256(v, m), hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), m);
        int64_t o = 2 * (c & ~(int64_t) 63) + (c & 63);
        for (int n = 0; n < NT; n++) {
            const int8_t *x = q0 + n * j->q_stride + o;
            s[n][0] = dpbusd256(s[n][0], lo, _mm256_loadu_si256((const __m256i *) x));
            s[n][1] = dpbusd256(s[n][1], hi, _mm256_loadu_si256((const __m256i *) (x + 64)));
        }
    }
    for (int n = 0; n < NT; n++) i8store(j, r, t + n, hsum8(_mm256_add_epi32(s[n][0], s[n][1])) - 8 * j->sumq[t + n]);
}

__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void i4row_avx512vnni(const i8job *j, int r, int t, const int NT) {
    const uint8_t *w = (const uint8_t *) j->w + (size_t) r * j->row_bytes;
    const int64_t st = j->q_stride;
    const int8_t *q0 = j->q + (size_t) t * st, *q1 = q0 + st, *q2 = q1 + st, *q3 = q2 + st;
    const __m512i m = _mm512_set1_epi8(15);
    __m512i a0 = Z512, b0 = Z512, a1 = Z512, b1 = Z512, a2 = Z512, b2 = Z512, a3 = Z512, b3 = Z512;
    for (int64_t c = 0; c < j->row_bytes; c += 64) {
        if (NT == 1) PREFETCH(j->pf, w + c);
        __m512i v = _mm512_load_si512((const void *) (w + c));
        __m512i lo = _mm512_and_si512(v, m), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m);
        int64_t o = 2 * c;
        I8DP(a0, lo, q0 + o); I8DP(b0, hi, q0 + o + 64);
        if (NT == 4) {
            I8DP(a1, lo, q1 + o); I8DP(b1, hi, q1 + o + 64);
            I8DP(a2, lo, q2 + o); I8DP(b2, hi, q2 + o + 64);
            I8DP(a3, lo, q3 + o); I8DP(b3, hi, q3 + o + 64);
        }
    }
    i8store(j, r, t, _mm512_reduce_add_epi32(_mm512_add_epi32(a0, b0)) - 8 * j->sumq[t]);
    if (NT == 4) {
        i8store(j, r, t + 1, _mm512_reduce_add_epi32(_mm512_add_epi32(a1, b1)) - 8 * j->sumq[t + 1]);
        i8store(j, r, t + 2, _mm512_reduce_add_epi32(_mm512_add_epi32(a2, b2)) - 8 * j->sumq[t + 2]);
        i8store(j, r, t + 3, _mm512_reduce_add_epi32(_mm512_add_epi32(a3, b3)) - 8 * j->sumq[t + 3]);
    }
}

/* Eight tokens as two 4-token tiles (the second re-reads the row from L1): the 4-bit head serves decode steps. */
#define I4ROW8(isa, attrs) \
    __attribute__((target(attrs), always_inline)) \
    static inline void i4row8_##isa(const i8job *j, int r, int t) { i4row_##isa(j, r, t, 4); i4row_##isa(j, r, t + 4, 4); }
I4ROW8(avx2, "avx2")
I4ROW8(avxvnni, "avx2,avxvnni")
I4ROW8(avx512vnni, "avx512f,avx512bw,avx512vnni")

DENSE_DRIVER(i4, avx2, "avx2")
DENSE_DRIVER(i4, avxvnni, "avx2,avxvnni")
DENSE_DRIVER(i4, avx512vnni, "avx512f,avx512bw,avx512vnni")

/* ---------------------------------------------------------------- F16 rows × float activations (an lm_head kept F16)
 * y[t·rows + r] = Σ_c w[r][c] · x[t·x_stride + c] for rows [r0, r1): rows of cols halves, row-major as the file holds
 * them (the 2B4T head: 657 MB read per token). Each row is widened 16 (AVX2: 8) halves at a time into four
 * accumulators; a tail of cols % 16 runs one half at a time. Rows of many tokens are re-read from L1. */
#define F16_ROW(isa, VF, L, cvt, fma, zero, reduce)                                                           \
    for (int t = 0; t < tokens; t++) {                                                                        \
        const float *xt = x + (size_t) t * x_stride;                                                          \
        VF a0 = zero, a1 = zero, a2 = zero, a3 = zero;                                                        \
        int c = 0;                                                                                            \
        for (; c + 4 * L <= cols; c += 4 * L) {                                                               \
            if (t == 0) for (int o = 0; o < 8 * L; o += 64) PREFETCH(pf, (const char *) (wr + c) + o);        \
            a0 = fma(cvt(wr + c), _mm##isa##_loadu_ps(xt + c), a0);                                          \
            a1 = fma(cvt(wr + c + L), _mm##isa##_loadu_ps(xt + c + L), a1);                                  \
            a2 = fma(cvt(wr + c + 2 * L), _mm##isa##_loadu_ps(xt + c + 2 * L), a2);                          \
            a3 = fma(cvt(wr + c + 3 * L), _mm##isa##_loadu_ps(xt + c + 3 * L), a3);                          \
        }                                                                                                     \
        for (; c + L <= cols; c += L) a0 = fma(cvt(wr + c), _mm##isa##_loadu_ps(xt + c), a0);                 \
        float sum = reduce(_mm##isa##_add_ps(_mm##isa##_add_ps(a0, a1), _mm##isa##_add_ps(a2, a3)));          \
        for (; c < cols; c++) sum += _cvtsh_ss(wr[c]) * xt[c];                                                \
        y[(size_t) t * rows + r] = sum;                                                                       \
    }

__attribute__((target("avx2,fma,f16c")))
static inline float f16_hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

#define CVT256(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (p)))
#define CVT512(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p)))

/* One exported entry per instruction set: rows [r0, r1), each against every token. */
#define F16_KERNEL(name, attrs, isa, VF, L, cvt, fma, zero, reduce)                                          \
    __attribute__((target(attrs)))                                                                            \
    void tern_f16_##name(const uint16_t *w, int32_t cols, int32_t rows, int32_t r0, int32_t r1,               \
                         const float *x, int64_t x_stride, int32_t tokens, float *y, int32_t pf) {            \
        for (int r = r0; r < r1; r++) {                                                                       \
            const uint16_t *wr = w + (size_t) r * cols;                                                       \
            F16_ROW(isa, VF, L, cvt, fma, zero, reduce)                                                       \
        }                                                                                                     \
    }

F16_KERNEL(avx2, "avx2,fma,f16c", 256, __m256, 8, CVT256, _mm256_fmadd_ps, _mm256_setzero_ps(), f16_hsum8)
F16_KERNEL(avx512, "avx512f,f16c", 512, __m512, 16, CVT512, _mm512_fmadd_ps, _mm512_setzero_ps(), _mm512_reduce_add_ps)
