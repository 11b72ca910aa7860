/* gemm_bf16.h - vidclass internal: the bfloat16 product for constant weights behind
 * vc_gemm_b (src/gemm.c chooses it for --precision bf16 and never runs a kernel the CPU
 * lacks). Weights and activations are rounded to bf16 (8-bit mantissa, to nearest even);
 * the products are summed in float32, the epilogue (bias, residual, ReLU) is float32.
 * Kernels: "amx" (AMX-BF16 tiles, 32 x 32) and "avx512bf16" (vdpbf16ps, 8 x 32 tiles);
 * both read B packed once at load in the same layout (bf16 pairs of k, 32-column panels,
 * K padded to a multiple of 32). */
#ifndef VIDCLASS_GEMM_BF16_H
#define VIDCLASS_GEMM_BF16_H

#include "gemm_kernel_table.h"

#include <stddef.h>
#include <stdint.h>

typedef struct vc_bf16_kernel vc_bf16_kernel;

/** The kernel called `name` ("amx", "avx512bf16"), or NULL. Static; never freed. */
const vc_bf16_kernel *vc_bf16_kernel_find(const char *name);

/** The first kernel (fastest first) this CPU can run, or NULL if none. */
const vc_bf16_kernel *vc_bf16_kernel_best(void);

/** Its name, the instructions it needs, its CPU check and its tile's rows. */
const struct vc_kernel_info *vc_bf16_kernel_info(const vc_bf16_kernel *kn);

/** bf16 values of one K x N matrix packed for the bf16 kernels. */
size_t vc_gemm_bf16_elems(int k, int n);

/** Round row-major b [k][n] to bf16 and pack it for kn into out (vc_gemm_bf16_elems values,
 *  64-byte aligned; the K slices are the kernel's). Any CPU: the rounding here is scalar. */
void vc_gemm_bf16_pack(const vc_bf16_kernel *kn, const float *b, int k, int n, uint16_t *out);

/** c[m][n] (row stride ldc) = bf16(a[m][k]) (row stride lda) x packed b (+ c when
 *  accumulate), then + bias[n] when bias, then ReLU when relu. c must not overlap a.
 *  Single-threaded; kn must be supported by this CPU. */
void vc_gemm_bf16_run(const vc_bf16_kernel *kn, int m, int n, int k, const float *a, int lda, const uint16_t *bp,
                      float *c, int ldc, const float *bias, int accumulate, int relu);

/** The same with A already rounded: m rows of bf16 (row stride lda), each k values then
 *  zeros up to vc_gemm_bf16_kpad(k) (src/conv.c gathers them from an input rounded with
 *  vc_gemm_bf16_round). The tile reads whole tiles: the kernel's mr rows past m must be
 *  readable (their values are not used). */
void vc_gemm_bf16_run_rounded(const vc_bf16_kernel *kn, int m, int n, int k, const uint16_t *a, int lda,
                              const uint16_t *bp, float *c, int ldc, const float *bias, int accumulate, int relu);

/** K padded as the bf16 kernels take it (a multiple of 32). */
int vc_gemm_bf16_kpad(int k);

/** count floats rounded to bf16 (to nearest even) into out. Needs AVX512_BF16 (every CPU
 *  with a bf16 kernel has it). */
void vc_gemm_bf16_round(const float *a, size_t count, uint16_t *out);

#endif
