/* gemm_rounded.h - vidclass internal: products for constant weights that take their left
 * operand already rounded to the weights' precision (bf16 rows), so that a caller which
 * gathers the rows itself (im2col, src/conv.c) rounds each row as it writes it: once, at
 * half the bytes, instead of writing float rows for the product to read and round again. */
#ifndef VIDCLASS_GEMM_ROUNDED_H
#define VIDCLASS_GEMM_ROUNDED_H

#include "vidclass/gemm.h"

#include <stddef.h>
#include <stdint.h>

/** The values per rounded row b takes (K padded to its kernels' multiple), or 0 if b
 *  multiplies float rows only (fp32, int8). */
int vc_gemm_b_rounded_kpad(const vc_gemm_b *b);

/** Rows past the last one that b's tile reads (and ignores): a buffer of m rounded rows
 *  must hold m + this many. */
int vc_gemm_b_rounded_slack(const vc_gemm_b *b);

/** count floats rounded for b (to bf16, nearest even) into out. b must take rounded rows. */
void vc_gemm_b_round(const vc_gemm_b *b, const float *a, size_t count, uint16_t *out);

/** As vc_gemm_b_run, with the m rows of A rounded (vc_gemm_b_round), each of
 *  vc_gemm_b_rounded_kpad(b) values (K of them, then zeros). */
void vc_gemm_b_run_rounded(int m, const uint16_t *a, const vc_gemm_b *b, int index, float *c, int ldc,
                           const float *bias, int flags);

#endif
