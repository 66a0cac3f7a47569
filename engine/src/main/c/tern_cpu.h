/* The CPU probe both kernel files share (defined in tern_kernels.c; NativeKernel.cpuFeatures reads the same bits). */
#ifndef TERN_CPU_H
#define TERN_CPU_H
#include <stdint.h>

#define TERN_FEATURE_AMD 32
/* Bits 8..15 of the probe: the CPU's display family (CPUID leaf 1, base + extended). */
#define TERN_FAMILY_SHIFT 8
/* AMD Zen 5's family: where the non-temporal prefetch hint starts to pay (SoftwarePrefetch.java has the figures). */
#define TERN_FAMILY_ZEN5 0x1A

/* Whether probe bits f are an AMD Zen 5 or later (SoftwarePrefetch.zen5OrLater is the Java side's same test). */
static inline int tern_amd_zen5_or_later(int32_t f) {
    return (f & TERN_FEATURE_AMD) != 0 && ((f >> TERN_FAMILY_SHIFT) & 0xFF) >= TERN_FAMILY_ZEN5;
}

int32_t tern_cpu_features(void);

#endif
