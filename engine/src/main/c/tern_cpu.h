/* The CPU probe both kernel files share (defined in tern_kernels.c; NativeKernel.cpuFeatures reads the same bits). */
#ifndef TERN_CPU_H
#define TERN_CPU_H
#include <stdint.h>

#define TERN_FEATURE_AMD 32
/* Bits 8..15 of the probe: the CPU's display family (CPUID leaf 1, base + extended). */
#define TERN_FAMILY_SHIFT 8
/* AMD Zen 5's family: where the non-temporal prefetch hint starts to pay (SoftwarePrefetch.java has the figures). */
#define TERN_FAMILY_ZEN5 0x1A

int32_t tern_cpu_features(void);

#endif
