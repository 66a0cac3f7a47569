/*
 * What the weight-streaming kernel files (tern_kernels.c: ternary rows; tern_dense.c: int8 and F16 rows) share: the
 * software prefetch of weights every entry point takes as its last argument (0 none, 1 L1 + L2, 2 non-temporal), the
 * in-place dpbusd, and the AVX2 lane sum. Everything here is static: each file gets its own copy.
 */
#ifndef TERN_STREAM_H
#define TERN_STREAM_H
#include <immintrin.h>
#include <stdint.h>
#include <stddef.h>

/* Weights stream from memory, and while the core computes, the hardware prefetchers alone keep too few lines in flight
   (an Intel 2-core VM: a GEMV without software prefetch ran at 0.55 of a plain read). Which prefetch helps depends on
   the CPU (ModelOptions.prefetch; auto picks by vendor):
   1 (L1 + L2): each 64-byte line twice, into L1 PF_NEAR bytes ahead and into L2 PF_FAR bytes ahead (rows are
     contiguous, so past a row's end too); on the Intel VM the far one took GEMV from 0.79 to 0.89-0.98 of a read on
     2 threads. On an AMD Zen 5 VM it made decode steps 9-12% slower than none; on a Zen 4 VM it is what streams the
     ternary rows (one thread: 23-26 GB/s with it, 11 without or with NTA, against a 28-32 GB/s read), while int8 rows
     (a quarter of the work per byte) stream as fast without it.
   2 (non-temporal): each line once, PF_NTA bytes ahead with the NTA hint; on the Zen 5 VM decode steps alternating it
     with none in one process ran 6-10% faster (8, 12, 16 and 32 KB ahead all gained; 2 KB lost).
   Token tiles of 2-4 are still streaming-bound enough to gain too. */
#ifndef PF_NEAR
#define PF_NEAR 2048
#endif
#ifndef PF_FAR
#define PF_FAR 16384
#endif
#ifndef PF_NTA
#define PF_NTA 16384
#endif
#define PREFETCH(mode, p) do {                                                              \
        if ((mode) == 1) {                                                                  \
            _mm_prefetch((const char *) (p) + PF_NEAR, _MM_HINT_T0);                        \
            _mm_prefetch((const char *) (p) + PF_FAR, _MM_HINT_T1);                         \
        } else if ((mode) == 2) {                                                           \
            _mm_prefetch((const char *) (p) + PF_NTA, _MM_HINT_NTA);                        \
        }                                                                                   \
    } while (0)

/* The prefetch mode a call of this many tokens uses: past one tile of 4 tokens, rows are read again from cache, and a
   non-temporal prefetch would evict them. */
static inline int32_t batch_pf(int32_t tokens, int32_t pf) { return tokens > 4 && pf == 2 ? 0 : pf; }

/* Where this thread's last call stopped reading (one per file: ternary and dense rows never continue each other's
   reads): a call that starts elsewhere (a new job, a stolen bite) prefetches its first PF_FAR (mode 1) or PF_NTA (mode
   2) bytes at once, which the loop's own prefetches only reach that many bytes in — and a decode step is 120 jobs of
   2.5-8.8 MB, each starting two such streams. Mode 2's burst: the ternary jobs of decode steps took 1-2% less in 5 of
   6 alternating processes on the Zen 5 VM (12.78 vs 12.95 ms per token, the sixth pair 4% the other way). */
static __thread const uint8_t *tern_next_read;

static inline void ramp(const uint8_t *start, int64_t bytes, int32_t pf) {
    if (pf != 0 && start != tern_next_read) {
        int64_t reach = pf == 1 ? PF_FAR : PF_NTA, n = bytes < reach ? bytes : reach;
        for (int64_t o = 0; o < n; o += 64) {
            if (pf == 2) _mm_prefetch((const char *) start + o, _MM_HINT_NTA);
            else _mm_prefetch((const char *) start + o, o < PF_NEAR ? _MM_HINT_T0 : _MM_HINT_T1);
        }
    }
    tern_next_read = start + bytes;
}

/* dpbusd accumulates in place (acc += u·s), but GCC 12 compiles the intrinsics as copy, accumulate into the copy, copy
   back: two register moves per dpbusd on the accumulator's dependency chain, which on a Zen 5 VM held a decode row to
   one dpbusd per cycle. Written as the one instruction it is (the same integers): s from memory where it is used once
   (a row's activations), from a register where a tile feeds it to two rows (else GCC loads it again for each). */
#define Z512 _mm512_setzero_si512()

/* Eight tokens' activation rows, s bytes apart, from base: q0 .. q7. */
#define TOKEN_ROWS8(base, s) const int8_t *q0 = (base), *q1 = q0 + (s), *q2 = q1 + (s), *q3 = q2 + (s), \
                                          *q4 = q3 + (s), *q5 = q4 + (s), *q6 = q5 + (s), *q7 = q6 + (s)

__attribute__((target("avx512f,avx512vnni"), always_inline))
static inline __m512i dpbusd512(__m512i acc, __m512i u, __m512i s) {
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "vm"(s));
    return acc;
}

__attribute__((target("avx512f,avx512vnni"), always_inline))
static inline __m512i dpbusd512r(__m512i acc, __m512i u, __m512i s) {
    __asm__("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(u), "v"(s));
    return acc;
}

__attribute__((target("avx2,avxvnni"), always_inline))
static inline __m256i dpbusd256(__m256i acc, __m256i u, __m256i s) {
    __asm__("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(u), "xm"(s));
    return acc;
}

__attribute__((target("avx2")))
static inline int32_t hsum8(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

#endif
