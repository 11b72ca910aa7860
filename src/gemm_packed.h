/* gemm_packed.h - vidclass internal: the AVX2 + FMA SGEMM behind vc_gemm_b (src/gemm.c
 * chooses it at run time; never called on a CPU without AVX2 and FMA). Row-major floats. */
#ifndef VIDCLASS_GEMM_PACKED_H
#define VIDCLASS_GEMM_PACKED_H

#include <stddef.h>

/** 1 if this CPU has AVX2 and FMA. */
int vc_gemm_packed_supported(void);

/** Floats of one packed K x N matrix (N rounded up to 16 columns). */
size_t vc_gemm_packed_floats(int k, int n);

/** Pack row-major b [k][n] into out (vc_gemm_packed_floats(k, n) floats, 32-byte aligned). */
void vc_gemm_packed_pack(const float *b, int k, int n, float *out);

/** c[m][n] (row stride ldc) = a[m][k] (row stride lda) x packed b (+ c when accumulate),
 *  then + bias[n] when bias, then ReLU when relu. c must not overlap a. Single-threaded. */
void vc_gemm_packed_run(int m, int n, int k, const float *a, int lda, const float *bp, float *c, int ldc,
                        const float *bias, int accumulate, int relu);

#endif
