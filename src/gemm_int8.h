/* gemm_int8.h - vidclass internal: the int8 product for constant weights behind vc_gemm_b
 * (src/gemm.c chooses it for --precision int8 and never runs a kernel the CPU lacks).
 * Quantised per K slice (KC values of K): the weights per column of each slice to signed
 * bytes (scale = the slice's largest |b| / 127, to nearest), the activations per row of each
 * slice to unsigned bytes (a row without negatives, as every ReLU's output: scale = max /
 * 255; a row with negatives: scale = max|a| / 127 and an offset of 128, taken back out with
 * the weights' column sums); products summed exactly in int32 within a slice, scaled back
 * to float32 per slice and summed there; the epilogue (bias, residual, ReLU) is float32.
 * Kernels, fastest first: "amx-int8" (tdpbusd, 32 x 32 tiles), "avx512vnni" (vpdpbusd,
 * 8 x 32 tiles); both read the same packed weights. */
#ifndef VIDCLASS_GEMM_INT8_H
#define VIDCLASS_GEMM_INT8_H

#include "gemm_kernel_table.h"

#include <stddef.h>

#define VC_GEMM_INT8_NR 32 /* columns of the kernels' panels */

typedef struct vc_int8_kernel vc_int8_kernel;

/** The kernel called `name` ("amx-int8", "avx512vnni"), or NULL. Static; never freed. */
const vc_int8_kernel *vc_int8_kernel_find(const char *name);

/** The first kernel (fastest first) this CPU can run, or NULL if none. */
const vc_int8_kernel *vc_int8_kernel_best(void);

/** Its name, the instructions it needs, its CPU check and its tile's rows. */
const struct vc_kernel_info *vc_int8_kernel_info(const vc_int8_kernel *kn);

/** Bytes of one K x N matrix packed for the int8 kernels (bytes, scales, column sums). */
size_t vc_gemm_int8_bytes(int k, int n);

/** Quantise row-major b [k][n] and pack it into out (vc_gemm_int8_bytes, 64-byte
 *  aligned). Any CPU: scalar. */
void vc_gemm_int8_pack(const float *b, int k, int n, void *out);

/** c[m][n] (row stride ldc) = a[m][k] (row stride lda, quantised as above) x packed b (+ c
 *  when accumulate), then + bias[n] when bias, then ReLU when relu. c must not overlap a.
 *  Single-threaded; kn must be supported by this CPU. */
void vc_gemm_int8_run(const vc_int8_kernel *kn, int m, int n, int k, const float *a, int lda, const void *bp,
                      float *c, int ldc, const float *bias, int accumulate, int relu);

#endif
