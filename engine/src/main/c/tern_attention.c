/*
 * Page attention for Tern: the native twin of PageAttention.java (see it for the maths), which it matches bit for bit —
 * the same IEEE operations in the same order per lane, with the same float lane count L as the JVM's preferred vector
 * species (AVX-512: 16, AVX2: 8), so a position gives the same bits whichever kernel ran, in a prompt and in decode.
 *
 *   tern_attn_page_<isa>(kind, kscale, vscale, kpage, vpage, kh, n, group, head_dim, scale, q, q_off, part, p_off, sc,
 *                        next_kpage, next_kh)
 *
 * Positions [0, n) of one KV cache page of KV head kh, against the group of query heads at q[q_off..]: writes per head
 * g the partial softmax part[p_off + g·(head_dim + 2) ..] = acc (head_dim), max, sum; sc is scratch of group·PAGE
 * floats. A page holds per head its keys, (head_dim, PAGE), then its values, (PAGE, head_dim), then the next head's:
 * kpage and vpage point at head 0's keys and values; kind 0: F32, 1: F16 (halves in order, widened by vcvtph2ps), 2:
 * int8 quads in ints with per-position scales kscale / vscale of (kv_heads, PAGE) (KvCache's layouts; the scales NULL otherwise).
 * next_kpage / next_kh (or NULL): the task this thread most likely runs next, whose keys stream in while this one sums
 * its values (into L2; on AMD with the non-temporal hint).
 *
 * Why native: from memory a page costs the Java kernel ~4x its compute; its loops keep too few misses in flight and
 * Java cannot prefetch. Here a thread's tasks read memory back to back.
 */
#include <immintrin.h>
#include <stdint.h>
#include <stddef.h>
#include "tern_cpu.h"

#define PAGE 64
#define KV_F32 0
#define KV_F16 1
#define KV_Q8 2
/* Key rows (of PAGE elements) prefetched ahead of the scores loop when no earlier call prefetched them. */
#ifndef KEY_AHEAD
#define KEY_AHEAD 8
#endif
/* 0 turns the software prefetches off (for measuring them). */
#ifndef ATTN_PREFETCH
#define ATTN_PREFETCH 1
#endif

/* The keys this thread's last call streamed in for the call after it. */
static __thread const char *tern_attn_next_keys;

/* Prefetches use the non-temporal hint on AMD Zen 5 and later, the T1/T0 hints (tuned on an Intel VM) elsewhere: on a
   Zen 5 VM, decode steps alternating the two in one process ran 0.55-0.73 ms (3-4%) faster with NTA at 1,024-1,664
   positions (3 runs of 640 tokens); on a Zen 4 VM (family 0x19) attention at 512-640 positions took 2.6 ms a token
   with T1/T0 and 3.2 ms with NTA (alternating processes). Set once when the library loads. */
static int tern_attn_nta;

__attribute__((constructor)) static void tern_attn_init(void) {
    tern_attn_nta = tern_amd_zen5_or_later(tern_cpu_features());
}

#define ATTN_PF(p, hint) do { if (tern_attn_nta) _mm_prefetch((const char *) (p), _MM_HINT_NTA); \
                              else _mm_prefetch((const char *) (p), hint); } while (0)

/* ---------------------------------------------------------------- AVX-512: L = 16 */
#pragma GCC push_options
#pragma GCC target("avx512f")

#define ISA avx512
#define L 16
#define GT 4
#define VF __m512
#define VI __m512i
#define vload _mm512_loadu_ps
#define vstore _mm512_storeu_ps
#define vset1 _mm512_set1_ps
#define vzero _mm512_setzero_ps
#define vfma _mm512_fmadd_ps
#define vmul _mm512_mul_ps
#define vadd _mm512_add_ps
#define vsub _mm512_sub_ps
#define vmax _mm512_max_ps
#define vreduce_max _mm512_reduce_max_ps
#define vkeep(x, fill, valid) ((valid) >= 16 ? (x) : _mm512_mask_blend_ps((__mmask16) ((1u << (valid)) - 1), (fill), (x)))
#define viload(p) _mm512_loadu_si512((const void *) (p))
#define vi_set1 _mm512_set1_epi32
#define vi_add _mm512_add_epi32
#define vi_shl _mm512_slli_epi32
#define vi_sar _mm512_srai_epi32
#define as_f _mm512_castsi512_ps
#define vcvtt _mm512_cvttps_epi32
#define vcvt _mm512_cvtepi32_ps
#define vhload(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p)))
#include "tern_attention_isa.h"
#undef ISA
#undef L
#undef GT
#undef VF
#undef VI
#undef vload
#undef vstore
#undef vset1
#undef vzero
#undef vfma
#undef vmul
#undef vadd
#undef vsub
#undef vmax
#undef vreduce_max
#undef vkeep
#undef viload
#undef vi_set1
#undef vi_add
#undef vi_shl
#undef vi_sar
#undef as_f
#undef vcvtt
#undef vcvt
#undef vhload
#pragma GCC pop_options

/* ---------------------------------------------------------------- AVX2 + FMA: L = 8, two heads per tile (16 registers) */
#pragma GCC push_options
#pragma GCC target("avx2,fma,f16c")

static inline __m256 avx2_keep(__m256 x, __m256 fill, int valid) {
    if (valid >= 8) return x;
    __m256i in = _mm256_cmpgt_epi32(_mm256_set1_epi32(valid), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_blendv_ps(fill, x, _mm256_castsi256_ps(in));
}

static inline float avx2_reduce_max(__m256 x) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
}

#define ISA avx2
#define L 8
#define GT 2
#define VF __m256
#define VI __m256i
#define vload _mm256_loadu_ps
#define vstore _mm256_storeu_ps
#define vset1 _mm256_set1_ps
#define vzero _mm256_setzero_ps
#define vfma _mm256_fmadd_ps
#define vmul _mm256_mul_ps
#define vadd _mm256_add_ps
#define vsub _mm256_sub_ps
#define vmax _mm256_max_ps
#define vreduce_max avx2_reduce_max
#define vkeep avx2_keep
#define viload(p) _mm256_loadu_si256((const __m256i *) (p))
#define vi_set1 _mm256_set1_epi32
#define vi_add _mm256_add_epi32
#define vi_shl _mm256_slli_epi32
#define vi_sar _mm256_srai_epi32
#define as_f _mm256_castsi256_ps
#define vcvtt _mm256_cvttps_epi32
#define vcvt _mm256_cvtepi32_ps
#define vhload(p) _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (p)))
#include "tern_attention_isa.h"
#pragma GCC pop_options
