/*
 * Ternary × int8 kernels for Tern, one exported entry per instruction set, picked by the JVM side with
 * tern_cpu_features(). Weights use the 2-bit block layout of BlockLayout.java with OFFSET codes (w + 1):
 * a row is blocks of 64 bytes × 256 columns; byte i of a block holds columns i + 64k in bits 2k..2k+1.
 *
 *   dot[t][r] = Σ_c (code[r][c] − 1) · q[t][c] = Σ_c code · q − Σ_c q        (Σq precomputed per token)
 *
 * Unsigned codes × signed int8 is exactly maddubs (AVX2) or dpbusd (VNNI). One call handles a chunk of
 * rows for all tokens; results go to iout (int) or, if iout is NULL, to fout scaled by ws[r] / xs[t]. The last
 * argument of every entry point picks the software prefetch of weights: 0 none, 1 L1 + L2, 2 non-temporal (PREFETCH in
 * tern_stream.h). Also here: the CPU probe and the plain streaming read the roofline is measured against.
 */
#include <immintrin.h>
#include <cpuid.h>
#include <stdint.h>
#include <stddef.h>
#include "tern_cpu.h"
#include "tern_stream.h"

#define BLOCK_BYTES 64
#define BLOCK_COLS 256
/* Row blocks for many tokens: the rows' weights stay in L2 while every token tile passes over them. On a Zen 5 VM
   (2 threads, 64 tokens) 64 rows beat 16 by 16% on 2560x6912, 7% on 2560x3840 and 4% on 6912x2560. */
#ifndef ROW_BLOCK
#define ROW_BLOCK 64
#endif
/* Tokens whose activations stay in L2 (64 × 6912 B = 442 KB at most) while a chunk of rows passes over them. */
#ifndef TOKEN_BLOCK
#define TOKEN_BLOCK 64
#endif

/* Column chunks (see the drivers): a chunk's raw dots go to acc, (ROW_BLOCK, TOKEN_BLOCK) ints from row acc_r0 and
   token acc_t0, instead of out. */
#define CHUNK_FIRST 1
#define CHUNK_MIDDLE 2
#define CHUNK_LAST 3

typedef struct {
    const uint8_t *w; int64_t row_bytes; int32_t blocks; int32_t rows;
    const int8_t *q; int64_t q_stride; const int32_t *sumq; int32_t tokens;
    int32_t *iout; float *fout; const float *ws; const float *xs; int32_t pf;
    int32_t chunk; int32_t *acc; int32_t acc_r0, acc_t0;   /* chunk: 0 (whole rows) or CHUNK_* */
} job;

/* The raw dot d of (row r, token t) for this chunk, folded into the chunk accumulator: returns whether d is now the
   whole row's dot (to be stored), which is always the case without chunks. */
static inline int fold_chunk(const job *j, int r, int t, int32_t *d) {
    if (!j->chunk) return 1;
    int32_t *a = j->acc + (size_t) (r - j->acc_r0) * TOKEN_BLOCK + (t - j->acc_t0);
    if (j->chunk == CHUNK_FIRST) *a = *d;
    else if (j->chunk == CHUNK_MIDDLE) *a += *d;
    else *d += *a;
    return j->chunk == CHUNK_LAST;
}

static inline void store(const job *j, int r, int t, int32_t d) {
    if (!fold_chunk(j, r, t, &d)) return;
    size_t i = (size_t) t * j->rows + r;
    d -= j->sumq[t];
    if (j->iout) j->iout[i] = d;
    else j->fout[i] = j->ws[r] * (float) d / j->xs[t];
}

/* ---------------------------------------------------------------- AVX2: maddubs into int16, madd to int32 */


/* An int16 lane gains ≤ 8 maddubs × 2·2·127 = 4064 per block: flush to int32 every 8 blocks (32512 ≤ 32767). */
#define AVX2_FLUSH 8

/* One row against NT (1..4) tokens starting at t. NT is a constant after inlining. */
__attribute__((target("avx2"), always_inline))
static inline void row_avx2(const job *j, int r, int t, const int NT) {
    const uint8_t *w = j->w + (size_t) r * j->row_bytes;
    const int8_t *q0 = j->q + (size_t) t * j->q_stride;
    const __m256i mask = _mm256_set1_epi8(3), ones = _mm256_set1_epi16(1);
    __m256i s[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
    for (int b0 = 0; b0 < j->blocks; b0 += AVX2_FLUSH) {
        int b1 = b0 + AVX2_FLUSH < j->blocks ? b0 + AVX2_FLUSH : j->blocks;
        __m256i c[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
        for (int b = b0; b < b1; b++) {
            PREFETCH(j->pf, w + (size_t) b * BLOCK_BYTES);
            for (int h = 0; h < 2; h++) {
                __m256i v = _mm256_load_si256((const __m256i *) (w + (size_t) b * BLOCK_BYTES + 32 * h));
                const int8_t *qa = q0 + (size_t) b * BLOCK_COLS + 32 * h;
                for (int k = 0; k < 4; k++) {
                    __m256i code = _mm256_and_si256(k ? _mm256_srli_epi16(v, 2 * k) : v, mask);
                    for (int n = 0; n < NT; n++) {
                        __m256i a = _mm256_loadu_si256((const __m256i *) (qa + n * j->q_stride + 64 * k));
                        c[n] = _mm256_add_epi16(c[n], _mm256_maddubs_epi16(code, a));
                    }
                }
            }
        }
        for (int n = 0; n < NT; n++) s[n] = _mm256_add_epi32(s[n], _mm256_madd_epi16(c[n], ones));
    }
    for (int n = 0; n < NT; n++) store(j, r, t + n, hsum8(s[n]));
}

/* ---------------------------------------------------------------- VNNI: dpbusd straight into int32 */

/* VNNI needs no shifts: code k of a byte is masked in place, (byte & 3 << 2k) = code · 4^k ≤ 192 still fits dpbusd's
   unsigned operand, and each k keeps its own accumulator, scaled back by an exact arithmetic shift at the end:
   Σ (code · 4^k) · q is a multiple of 4^k. A 64-byte block costs 4 ANDs + 4 dpbusd instead of 3 shifts more on the
   same port. Lanes gain ≤ 4 · 192 · 127 per block, so int32 holds rows of millions of columns. */

__attribute__((target("avx2,avxvnni"), always_inline))
static inline __m256i fold_avxvnni(__m256i s0, __m256i s1, __m256i s2, __m256i s3) {
    return _mm256_add_epi32(_mm256_add_epi32(s0, _mm256_srai_epi32(s1, 2)),
                            _mm256_add_epi32(_mm256_srai_epi32(s2, 4), _mm256_srai_epi32(s3, 6)));
}

/* AVX-VNNI has 16 ymm registers: 4 accumulators per token fit for NT ≤ 2; wider tiles run as pairs. */
__attribute__((target("avx2,avxvnni"), always_inline))
static inline void row_avxvnni_pair(const job *j, int r, int t, const int NT) {
    const uint8_t *w = j->w + (size_t) r * j->row_bytes;
    const int8_t *q0 = j->q + (size_t) t * j->q_stride;
    __m256i m[4];
    for (int k = 0; k < 4; k++) m[k] = _mm256_set1_epi8((char) (3 << 2 * k));
    __m256i s[2][4];
    for (int n = 0; n < 2; n++) for (int k = 0; k < 4; k++) s[n][k] = _mm256_setzero_si256();
    for (int b = 0; b < j->blocks; b++) {
        PREFETCH(j->pf, w + (size_t) b * BLOCK_BYTES);
        for (int h = 0; h < 2; h++) {
            __m256i v = _mm256_load_si256((const __m256i *) (w + (size_t) b * BLOCK_BYTES + 32 * h));
            const int8_t *qa = q0 + (size_t) b * BLOCK_COLS + 32 * h;
            for (int k = 0; k < 4; k++) {
                __m256i code = _mm256_and_si256(v, m[k]);
                for (int n = 0; n < NT; n++) {
                    __m256i a = _mm256_loadu_si256((const __m256i *) (qa + n * j->q_stride + 64 * k));
                    s[n][k] = dpbusd256(s[n][k], code, a);
                }
            }
        }
    }
    for (int n = 0; n < NT; n++) store(j, r, t + n, hsum8(fold_avxvnni(s[n][0], s[n][1], s[n][2], s[n][3])));
}

__attribute__((target("avx2,avxvnni"), always_inline))
static inline void row_avxvnni(const job *j, int r, int t, const int NT) {
    if (NT <= 2) {
        row_avxvnni_pair(j, r, t, NT);
    } else {
        row_avxvnni_pair(j, r, t, 2);
        row_avxvnni_pair(j, r, t + 2, NT - 2);
    }
}

/* AVX-512 VNNI, written out with named accumulators: with arrays indexed in loops GCC kept shuffling them between
   registers and spilled one to the stack every block (a 4-token tile ran at a third of the dpbusd rate). */
#define DP512(acc, code, p) acc = dpbusd512(acc, code, _mm512_loadu_si512((const void *) (p)))
#define FOLD512(a0, a1, a2, a3) _mm512_add_epi32(_mm512_add_epi32(a0, _mm512_srai_epi32(a1, 2)), \
                                                 _mm512_add_epi32(_mm512_srai_epi32(a2, 4), _mm512_srai_epi32(a3, 6)))

/* One token, one row. Pairs of rows sharing each activation load (3 loads and 2 prefetches per 64-byte block instead
   of 5 and 2; Zen 4 executes one 512-bit load a cycle) were tried on a Zen 4 VM: 15-20% faster from cache, no faster in
   decode steps streaming from memory, so dropped. */
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void row1_avx512vnni(const job *j, int r, int t) {
    const uint8_t *w = j->w + (size_t) r * j->row_bytes;
    const int8_t *q = j->q + (size_t) t * j->q_stride;
    const __m512i m0 = _mm512_set1_epi8(3), m1 = _mm512_set1_epi8(12), m2 = _mm512_set1_epi8(48), m3 = _mm512_set1_epi8((char) 192);
    __m512i a0 = Z512, a1 = Z512, a2 = Z512, a3 = Z512;
    for (int b = 0; b < j->blocks; b++) {
        PREFETCH(j->pf, w + (size_t) b * BLOCK_BYTES);
        __m512i v = _mm512_load_si512((const void *) (w + (size_t) b * BLOCK_BYTES));
        const int8_t *o = q + (size_t) b * BLOCK_COLS;
        DP512(a0, _mm512_and_si512(v, m0), o);
        DP512(a1, _mm512_and_si512(v, m1), o + 64);
        DP512(a2, _mm512_and_si512(v, m2), o + 128);
        DP512(a3, _mm512_and_si512(v, m3), o + 192);
    }
    store(j, r, t, _mm512_reduce_add_epi32(FOLD512(a0, a1, a2, a3)));
}

__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void row4_avx512vnni(const job *j, int r, int t) {
    const uint8_t *w = j->w + (size_t) r * j->row_bytes;
    const int8_t *q0 = j->q + (size_t) t * j->q_stride, *q1 = q0 + j->q_stride, *q2 = q1 + j->q_stride, *q3 = q2 + j->q_stride;
    const __m512i m0 = _mm512_set1_epi8(3), m1 = _mm512_set1_epi8(12), m2 = _mm512_set1_epi8(48), m3 = _mm512_set1_epi8((char) 192);
    __m512i a00 = Z512, a01 = Z512, a02 = Z512, a03 = Z512, a10 = Z512, a11 = Z512, a12 = Z512, a13 = Z512;
    __m512i a20 = Z512, a21 = Z512, a22 = Z512, a23 = Z512, a30 = Z512, a31 = Z512, a32 = Z512, a33 = Z512;
    for (int b = 0; b < j->blocks; b++) {
        PREFETCH(j->pf, w + (size_t) b * BLOCK_BYTES);
        __m512i v = _mm512_load_si512((const void *) (w + (size_t) b * BLOCK_BYTES));
        __m512i c0 = _mm512_and_si512(v, m0), c1 = _mm512_and_si512(v, m1), c2 = _mm512_and_si512(v, m2), c3 = _mm512_and_si512(v, m3);
        size_t o = (size_t) b * BLOCK_COLS;
        DP512(a00, c0, q0 + o); DP512(a01, c1, q0 + o + 64); DP512(a02, c2, q0 + o + 128); DP512(a03, c3, q0 + o + 192);
        DP512(a10, c0, q1 + o); DP512(a11, c1, q1 + o + 64); DP512(a12, c2, q1 + o + 128); DP512(a13, c3, q1 + o + 192);
        DP512(a20, c0, q2 + o); DP512(a21, c1, q2 + o + 64); DP512(a22, c2, q2 + o + 128); DP512(a23, c3, q2 + o + 192);
        DP512(a30, c0, q3 + o); DP512(a31, c1, q3 + o + 64); DP512(a32, c2, q3 + o + 128); DP512(a33, c3, q3 + o + 192);
    }
    store(j, r, t, _mm512_reduce_add_epi32(FOLD512(a00, a01, a02, a03)));
    store(j, r, t + 1, _mm512_reduce_add_epi32(FOLD512(a10, a11, a12, a13)));
    store(j, r, t + 2, _mm512_reduce_add_epi32(FOLD512(a20, a21, a22, a23)));
    store(j, r, t + 3, _mm512_reduce_add_epi32(FOLD512(a30, a31, a32, a33)));
}

/* Eight tokens in one pass over the row: a batch of 8 decode steps then streams each weight byte once at an even
   pace, instead of a 4-token tile that waits on memory followed by one that only computes. 32 accumulators per
   code would not fit the 32 registers, so codes are shifted down (3 shifts per block, shared by 8 tokens). */
#define DP8(n, qn) acc##n = dpbusd512(dpbusd512(dpbusd512(dpbusd512(acc##n, \
        c0, _mm512_loadu_si512((const void *) (qn + o))), c1, _mm512_loadu_si512((const void *) (qn + o + 64))), \
        c2, _mm512_loadu_si512((const void *) (qn + o + 128))), c3, _mm512_loadu_si512((const void *) (qn + o + 192)))

__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void row8_avx512vnni(const job *j, int r, int t) {
    const uint8_t *w = j->w + (size_t) r * j->row_bytes;
    const int64_t s = j->q_stride;
    TOKEN_ROWS8(j->q + (size_t) t * s, s);
    const __m512i m = _mm512_set1_epi8(3);
    __m512i acc0 = Z512, acc1 = Z512, acc2 = Z512, acc3 = Z512, acc4 = Z512, acc5 = Z512, acc6 = Z512, acc7 = Z512;
    for (int b = 0; b < j->blocks; b++) {
        PREFETCH(j->pf, w + (size_t) b * BLOCK_BYTES);
        __m512i v = _mm512_load_si512((const void *) (w + (size_t) b * BLOCK_BYTES));
        __m512i c0 = _mm512_and_si512(v, m), c1 = _mm512_and_si512(_mm512_srli_epi16(v, 2), m);
        __m512i c2 = _mm512_and_si512(_mm512_srli_epi16(v, 4), m), c3 = _mm512_and_si512(_mm512_srli_epi16(v, 6), m);
        size_t o = (size_t) b * BLOCK_COLS;
        DP8(0, q0); DP8(1, q1); DP8(2, q2); DP8(3, q3); DP8(4, q4); DP8(5, q5); DP8(6, q6); DP8(7, q7);
    }
    store(j, r, t, _mm512_reduce_add_epi32(acc0));
    store(j, r, t + 1, _mm512_reduce_add_epi32(acc1));
    store(j, r, t + 2, _mm512_reduce_add_epi32(acc2));
    store(j, r, t + 3, _mm512_reduce_add_epi32(acc3));
    store(j, r, t + 4, _mm512_reduce_add_epi32(acc4));
    store(j, r, t + 5, _mm512_reduce_add_epi32(acc5));
    store(j, r, t + 6, _mm512_reduce_add_epi32(acc6));
    store(j, r, t + 7, _mm512_reduce_add_epi32(acc7));
}

/* Tiles of 2 and 3 tokens (batch tails) are rare: one token at a time. */
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void row_avx512vnni(const job *j, int r, int t, const int NT) {
    if (NT == 4) {
        row4_avx512vnni(j, r, t);
    } else {
        for (int n = 0; n < NT; n++) row1_avx512vnni(j, r, t + n);
    }
}

/* 8-token tiles read 8 activation rows per weight row: past 16 blocks (8 tokens × 256 bytes a block: 32 KB) they no
   longer fit L1 with the weights, and on a Zen 5 VM 4-token tiles did better there (longer rows now run in column
   chunks of at most this many blocks instead: see the drivers). On a Zen 4 VM (family 0x19) the
   AVX-512 8-token pairs of rows stay ahead on 6912-column rows (27 blocks): the ffn down projection of a 512-token
   prompt ran at 367-382 GMAC/s instead of 310-319 (alternating processes). AVX2 tiles keep 16 (not measured here).
   Set once when the library loads. */
static int row8_max_blocks = 32;

__attribute__((constructor)) static void tern_kernels_init(void) {
    if (tern_amd_zen5_or_later(tern_cpu_features())) row8_max_blocks = 16;
}
#define ROW8_MAX_avx2 16
#define ROW8_MAX_avxvnni 16
#define ROW8_MAX_avx512vnni row8_max_blocks
/* Whether rows past ROW8_MAX run in column chunks (see the drivers): not where 8 tokens are two 4-token tiles anyway
   (AVX2 on the Zen 5 VM: 102-103 GMAC/s chunked against 105-107 whole). */
#define CHUNKED_avx2 0
#define CHUNKED_avxvnni 0
#define CHUNKED_avx512vnni 1

/* AVX2 and AVX-VNNI have 16 registers: 8 tokens run as two 4-token tiles of the same row (the second from L1). */
__attribute__((target("avx2"), always_inline))
static inline void row8_avx2(const job *j, int r, int t) { row_avx2(j, r, t, 4); row_avx2(j, r, t + 4, 4); }

__attribute__((target("avx2,avxvnni"), always_inline))
static inline void row8_avxvnni(const job *j, int r, int t) { row_avxvnni(j, r, t, 4); row_avxvnni(j, r, t + 4, 4); }


/* Two rows × NT2 tokens (4 or 8) per pass, for batches: each activation vector loaded once feeds both rows' dpbusd —
   half the loads per dpbusd of a one-row tile, which on a Zen 5 VM took 64-token GEMM from 0.98 to 1.10 TOPS on
   2560x6912 (4-token pairs) and from 1.07 to 1.12 on 6912x2560 (8-token pairs). 16 accumulators: codes are shifted
   down (3 shifts + 4 ANDs per row block) instead of masked in place. */
#define LDQ(p) _mm512_loadu_si512((const void *) (p))
#define DPB dpbusd512r
#define PAIR(n, qn) do { __m512i x0 = LDQ(qn + o), x1 = LDQ(qn + o + 64), x2 = LDQ(qn + o + 128), x3 = LDQ(qn + o + 192); \
        a##n = DPB(DPB(DPB(DPB(a##n, c0, x0), c1, x1), c2, x2), c3, x3);                                                \
        b##n = DPB(DPB(DPB(DPB(b##n, d0, x0), d1, x1), d2, x2), d3, x3); } while (0)
/* 4-token pairs keep codes 0-1 and 2-3 in separate accumulators (those the 8-token pairs use for tokens 4-7): two
   chains of 2 dpbusd per block instead of one of 4, which held a pass over 6912-column rows to the chain latency. */
#define PAIR_SPLIT(n, m, qn) do { __m512i x0 = LDQ(qn + o), x1 = LDQ(qn + o + 64), x2 = LDQ(qn + o + 128), x3 = LDQ(qn + o + 192); \
        a##n = DPB(DPB(a##n, c0, x0), c1, x1); a##m = DPB(DPB(a##m, c2, x2), c3, x3);                                       \
        b##n = DPB(DPB(b##n, d0, x0), d1, x1); b##m = DPB(DPB(b##m, d2, x2), d3, x3); } while (0)
#define PAIR_STORE(n) do { store(j, r, t + n, _mm512_reduce_add_epi32(a##n)); store(j, r + 1, t + n, _mm512_reduce_add_epi32(b##n)); } while (0)

/* The lane sums of 8 accumulators (tokens t..t+7 of row r) as one vector, then stored like store() does per element:
   a transposing tree of 25 instructions instead of 8 separate reductions. */
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void store8(const job *j, int r, int t, __m512i x0, __m512i x1, __m512i x2, __m512i x3,
                          __m512i x4, __m512i x5, __m512i x6, __m512i x7) {
#define HALF(x) _mm256_add_epi32(_mm512_castsi512_si256(x), _mm512_extracti64x4_epi64(x, 1))
    __m256i h01 = _mm256_hadd_epi32(HALF(x0), HALF(x1)), h23 = _mm256_hadd_epi32(HALF(x2), HALF(x3));
    __m256i h45 = _mm256_hadd_epi32(HALF(x4), HALF(x5)), h67 = _mm256_hadd_epi32(HALF(x6), HALF(x7));
#undef HALF
    __m256i q0 = _mm256_hadd_epi32(h01, h23), q1 = _mm256_hadd_epi32(h45, h67);
    __m256i d = _mm256_add_epi32(_mm256_permute2x128_si256(q0, q1, 0x20), _mm256_permute2x128_si256(q0, q1, 0x31));
    int32_t v[8];
    float f[8];
    if (j->chunk) {  /* fold_chunk for 8 tokens at once */
        __m256i *a = (__m256i *) (j->acc + (size_t) (r - j->acc_r0) * TOKEN_BLOCK + (t - j->acc_t0));
        if (j->chunk == CHUNK_FIRST) { _mm256_storeu_si256(a, d); return; }
        d = _mm256_add_epi32(d, _mm256_loadu_si256(a));
        if (j->chunk == CHUNK_MIDDLE) { _mm256_storeu_si256(a, d); return; }
    }
    d = _mm256_sub_epi32(d, _mm256_loadu_si256((const __m256i *) (j->sumq + t)));
    if (j->iout) {
        _mm256_storeu_si256((__m256i *) v, d);
        for (int n = 0; n < 8; n++) j->iout[(size_t) (t + n) * j->rows + r] = v[n];
    } else {
        __m256 y = _mm256_div_ps(_mm256_mul_ps(_mm256_set1_ps(j->ws[r]), _mm256_cvtepi32_ps(d)), _mm256_loadu_ps(j->xs + t));
        _mm256_storeu_ps(f, y);
        for (int n = 0; n < 8; n++) j->fout[(size_t) (t + n) * j->rows + r] = f[n];
    }
}

__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void rows2_avx512vnni(const job *j, int r, int t, const int NT2) {
    const uint8_t *w = j->w + (size_t) r * j->row_bytes, *u = w + j->row_bytes;
    const int64_t s = j->q_stride;
    TOKEN_ROWS8(j->q + (size_t) t * s, s);
    const __m512i m = _mm512_set1_epi8(3);
    __m512i a0 = Z512, a1 = Z512, a2 = Z512, a3 = Z512, a4 = Z512, a5 = Z512, a6 = Z512, a7 = Z512;
    __m512i b0 = Z512, b1 = Z512, b2 = Z512, b3 = Z512, b4 = Z512, b5 = Z512, b6 = Z512, b7 = Z512;
    for (int b = 0; b < j->blocks; b++) {
        __m512i v = _mm512_load_si512((const void *) (w + (size_t) b * BLOCK_BYTES));
        __m512i c0 = _mm512_and_si512(v, m), c1 = _mm512_and_si512(_mm512_srli_epi16(v, 2), m);
        __m512i c2 = _mm512_and_si512(_mm512_srli_epi16(v, 4), m), c3 = _mm512_and_si512(_mm512_srli_epi16(v, 6), m);
        __m512i y = _mm512_load_si512((const void *) (u + (size_t) b * BLOCK_BYTES));
        __m512i d0 = _mm512_and_si512(y, m), d1 = _mm512_and_si512(_mm512_srli_epi16(y, 2), m);
        __m512i d2 = _mm512_and_si512(_mm512_srli_epi16(y, 4), m), d3 = _mm512_and_si512(_mm512_srli_epi16(y, 6), m);
        size_t o = (size_t) b * BLOCK_COLS;
        if (NT2 == 8) {
            PAIR(0, q0); PAIR(1, q1); PAIR(2, q2); PAIR(3, q3); PAIR(4, q4); PAIR(5, q5); PAIR(6, q6); PAIR(7, q7);
        } else {
            PAIR_SPLIT(0, 4, q0); PAIR_SPLIT(1, 5, q1); PAIR_SPLIT(2, 6, q2); PAIR_SPLIT(3, 7, q3);
        }
    }
    if (NT2 == 8) {
        store8(j, r, t, a0, a1, a2, a3, a4, a5, a6, a7);
        store8(j, r + 1, t, b0, b1, b2, b3, b4, b5, b6, b7);
    } else {
        a0 = _mm512_add_epi32(a0, a4); a1 = _mm512_add_epi32(a1, a5); a2 = _mm512_add_epi32(a2, a6); a3 = _mm512_add_epi32(a3, a7);
        b0 = _mm512_add_epi32(b0, b4); b1 = _mm512_add_epi32(b1, b5); b2 = _mm512_add_epi32(b2, b6); b3 = _mm512_add_epi32(b3, b7);
        PAIR_STORE(0); PAIR_STORE(1); PAIR_STORE(2); PAIR_STORE(3);
    }
}

/* Tiles of 8 and 4 tokens over rows [r, re): in pairs where the ISA has 32 registers, else one row at a time. */
__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void tile8_avx512vnni(const job *j, int r, int re, int t) {
    for (; r + 2 <= re; r += 2) rows2_avx512vnni(j, r, t, 8);
    if (r < re) row8_avx512vnni(j, r, t);
}

__attribute__((target("avx512f,avx512bw,avx512vnni"), always_inline))
static inline void tile4_avx512vnni(const job *j, int r, int re, int t) {
    for (; r + 2 <= re; r += 2) rows2_avx512vnni(j, r, t, 4);
    if (r < re) row_avx512vnni(j, r, t, 4);
}

__attribute__((target("avx2"), always_inline))
static inline void tile8_avx2(const job *j, int r, int re, int t) { for (; r < re; r++) row8_avx2(j, r, t); }

__attribute__((target("avx2"), always_inline))
static inline void tile4_avx2(const job *j, int r, int re, int t) { for (; r < re; r++) row_avx2(j, r, t, 4); }

__attribute__((target("avx2,avxvnni"), always_inline))
static inline void tile8_avxvnni(const job *j, int r, int re, int t) { for (; r < re; r++) row8_avxvnni(j, r, t); }

__attribute__((target("avx2,avxvnni"), always_inline))
static inline void tile4_avxvnni(const job *j, int r, int re, int t) { for (; r < re; r++) row_avxvnni(j, r, t, 4); }

/* ---------------------------------------------------------------- drivers: rows × token tiles of 4

   Rows longer than an ISA's 8-token limit (ROW8_MAX) run in column chunks of at most that many blocks when 8 tokens
   are there to share them: each chunk of a (row block, token block) tile sums into an int accumulator, the last one
   stores. So 8 tokens' activations of a chunk stay in L1 with 8-token tiles on 6912-column rows (the ffn down
   projection): one thread, 2560x6912 x 512 tokens on a Zen 5 VM, 302-308 GMAC/s whole (4-token tiles), 384-385 in
   chunks of 13 and 14 blocks (same process, alternating). */

/* Tiles of one (row block, token block) over the columns in j. */
#define TILES(isa, j, rb, re, tb, te) do {                                                     \
        int t = tb;                                                                            \
        for (; (j)->blocks <= ROW8_MAX_##isa && t + 8 <= te; t += 8) tile8_##isa(j, rb, re, t); \
        for (; t + 4 <= te; t += 4) tile4_##isa(j, rb, re, t);                                \
        int left = te - t;                                                                     \
        for (int r = rb; r < re; r++) {                                                        \
            if (left == 3) row_##isa(j, r, t, 3);                                              \
            else if (left == 2) row_##isa(j, r, t, 2);                                         \
            else if (left == 1) row_##isa(j, r, t, 1);                                         \
        }                                                                                      \
    } while (0)

#define DRIVER(isa, attrs)                                                                     \
    __attribute__((target(attrs)))                                                             \
    static void run_##isa(const job *j, int r0, int r1) {                                      \
        if (j->tokens == 1) {                                                                  \
            for (int r = r0; r < r1; r++) row_##isa(j, r, 0, 1);                               \
            return;                                                                            \
        }                                                                                      \
        int chunks = CHUNKED_##isa && j->tokens >= 8 && j->blocks > ROW8_MAX_##isa ? (j->blocks + ROW8_MAX_##isa - 1) / ROW8_MAX_##isa : 1; \
        int32_t acc[ROW_BLOCK * TOKEN_BLOCK];                                                  \
        for (int tb = 0; tb < j->tokens; tb += TOKEN_BLOCK) {                                  \
          int te = tb + TOKEN_BLOCK < j->tokens ? tb + TOKEN_BLOCK : j->tokens;                \
          for (int rb = r0; rb < r1; rb += ROW_BLOCK) {                                        \
            int re = rb + ROW_BLOCK < r1 ? rb + ROW_BLOCK : r1;                                \
            for (int c = 0, b0 = 0; c < chunks; c++) {                                         \
                int b1 = (int) ((int64_t) j->blocks * (c + 1) / chunks);                        \
                job k = *j;                                                                    \
                if (chunks > 1) {                                                              \
                    k.w += (size_t) b0 * BLOCK_BYTES;                                          \
                    k.q += (size_t) b0 * BLOCK_COLS;                                           \
                    k.blocks = b1 - b0;                                                        \
                    k.chunk = c == 0 ? CHUNK_FIRST : c == chunks - 1 ? CHUNK_LAST : CHUNK_MIDDLE; \
                    k.acc = acc;                                                               \
                    k.acc_r0 = rb;                                                             \
                    k.acc_t0 = tb;                                                             \
                }                                                                              \
                TILES(isa, &k, rb, re, tb, te);                                                \
                b0 = b1;                                                                       \
            }                                                                                  \
          }                                                                                    \
        }                                                                                      \
    }                                                                                          \
    void tern_run_##isa(const uint8_t *w, int64_t row_bytes, int32_t blocks, int32_t rows,     \
                        int32_t r0, int32_t r1, const int8_t *q, int64_t q_stride,             \
                        const int32_t *sumq, int32_t tokens, int32_t *iout, float *fout,       \
                        const float *ws, const float *xs, int32_t pf) {                        \
        job j = {w, row_bytes, blocks, rows, q, q_stride, sumq, tokens, iout, fout, ws, xs, batch_pf(tokens, pf), 0, NULL, 0, 0}; \
        if (tokens <= 4) ramp(w + (size_t) r0 * row_bytes, (int64_t) (r1 - r0) * row_bytes, pf); \
        run_##isa(&j, r0, r1);                                                                 \
    }

DRIVER(avx2, "avx2")
DRIVER(avxvnni, "avx2,avxvnni")
DRIVER(avx512vnni, "avx512f,avx512bw,avx512vnni")

/* Bit 0: AVX2, bit 1: AVX-VNNI, bit 2: AVX-512 F+BW+VNNI, bit 3: AVX2+FMA+F16C, bit 4: AVX-512F (all checked with OS
   support by libgcc), bit 5 (TERN_FEATURE_AMD): an AMD CPU; bits 8..15 (TERN_FAMILY_SHIFT): the CPU family. */
int32_t tern_cpu_features(void) {
    __builtin_cpu_init();
    int32_t f = 0;
    if (__builtin_cpu_supports("avx2")) f |= 1;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("avxvnni")) f |= 2;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni")) f |= 4;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c")) f |= 8;
    if (__builtin_cpu_supports("avx512f")) f |= 16;
    if (__builtin_cpu_is("amd")) f |= TERN_FEATURE_AMD;
    unsigned int eax, ebx, ecx, edx;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {  /* display family: 0x19 Zen 3/4, 0x1A Zen 5, 6 most Intel cores */
        unsigned int family = (eax >> 8) & 0xF;
        if (family == 0xF) family += (eax >> 20) & 0xFF;
        f |= (int32_t) (family & 0xFF) << TERN_FAMILY_SHIFT;
    }
    return f;
}

/* Streaming read for the bandwidth baseline: sums bytes [0, n) as 64-bit lanes (n a multiple of 128). The roofline
   divides by the best of this and the Vector API sum, so the engine is measured against the fastest plain read. */
__attribute__((target("avx2")))
int64_t tern_stream_sum(const uint8_t *p, int64_t n) {
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
    for (int64_t i = 0; i < n; i += 128) {
        a = _mm256_add_epi64(a, _mm256_load_si256((const __m256i *) (p + i)));
        b = _mm256_add_epi64(b, _mm256_load_si256((const __m256i *) (p + i + 32)));
        c = _mm256_add_epi64(c, _mm256_load_si256((const __m256i *) (p + i + 64)));
        d = _mm256_add_epi64(d, _mm256_load_si256((const __m256i *) (p + i + 96)));
    }
    __m256i s = _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
    return _mm256_extract_epi64(s, 0) + _mm256_extract_epi64(s, 1) + _mm256_extract_epi64(s, 2) + _mm256_extract_epi64(s, 3);
}
