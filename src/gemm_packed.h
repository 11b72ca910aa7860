/* gemm_packed.h - vidclass internal: our own SGEMM for constant weights behind vc_gemm_b
 * (src/gemm.c chooses a kernel at run time and never runs one the CPU lacks). One packed
 * kernel per ISA: "avx512" (AVX-512F, 8 x 32 tiles) and "avx2" (AVX2 + FMA, 6 x 16 tiles);
 * each packs B in its own layout. Row-major floats. */
#ifndef VIDCLASS_GEMM_PACKED_H
#define VIDCLASS_GEMM_PACKED_H

#include "gemm_kernel_table.h"

#include <stddef.h>

typedef struct vc_packed_kernel vc_packed_kernel;

/** The kernel called `name` ("avx512", "avx2"), or NULL. Static; never freed. */
const vc_packed_kernel *vc_packed_kernel_find(const char *name);

/** The first kernel (fastest first) this CPU can run, or NULL if none. */
const vc_packed_kernel *vc_packed_kernel_best(void);

/** Its name, the instructions it needs, its CPU check and its tile's rows. */
const struct vc_kernel_info *vc_packed_kernel_info(const vc_packed_kernel *kn);

/** Floats of one K x N matrix packed for kn (N rounded up to whole panels). */
size_t vc_gemm_packed_floats(const vc_packed_kernel *kn, int k, int n);

/** Pack row-major b [k][n] into out (vc_gemm_packed_floats floats, 64-byte aligned). */
void vc_gemm_packed_pack(const vc_packed_kernel *kn, const float *b, int k, int n, float *out);

/** c[m][n] (row stride ldc) = a[m][k] (row stride lda) x packed b (+ c when accumulate),
 *  then + bias[n] when bias, then ReLU when relu. c must not overlap a. Single-threaded;
 *  kn must be supported by this CPU. */
void vc_gemm_packed_run(const vc_packed_kernel *kn, int m, int n, int k, const float *a, int lda, const float *bp,
                        float *c, int ldc, const float *bias, int accumulate, int relu);

/** 1 if vc_gemm_packed_run_pieces takes a k x n product: one K slice whose B stays in L2. */
int vc_gemm_packed_pieces_ok(const vc_packed_kernel *kn, int n, int k);

/** The same product with A's rows in pieces: row i's element j is a[i * rs + (j / seg) *
 *  seg_stride + j % seg] (k a multiple of seg; vc_gemm_packed_pieces_ok must hold). */
void vc_gemm_packed_run_pieces(const vc_packed_kernel *kn, int m, int n, int k, const float *a, int rs, int seg,
                               size_t seg_stride, const float *bp, float *c, int ldc, const float *bias,
                               int accumulate, int relu);

#endif
