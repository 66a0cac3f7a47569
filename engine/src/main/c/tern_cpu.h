/* The CPU probe both kernel files share (defined in tern_kernels.c; NativeKernel.cpuFeatures reads the same bits). */
#ifndef TERN_CPU_H
#define TERN_CPU_H
#include <stdint.h>

#define TERN_FEATURE_AMD 32

int32_t tern_cpu_features(void);

#endif
