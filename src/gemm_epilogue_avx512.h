/* gemm_epilogue_avx512.h - vidclass internal: the last step of every AVX-512 register tile
 * (the fp32 tile in gemm_kernel_avx512.c, the bf16 ones in gemm_kernel_avx512bf16.c and
 * gemm_kernel_amx.c): one row of 32 columns of C from two accumulators, plus what the
 * tile's vc_tile_ops ask for, stored with masks so an edge tile never writes past nr.
 * Inline, so the callers' accumulators stay in registers. Include only from a file whose
 * callers are compiled for AVX-512F (target attribute). */
#ifndef VIDCLASS_GEMM_EPILOGUE_AVX512_H
#define VIDCLASS_GEMM_EPILOGUE_AVX512_H

#include "gemm_kernel.h"

#include <immintrin.h>

/* The two 16-column masks of a 32-column tile with nr columns (1..32). */
static inline __attribute__((always_inline, target("avx512f"))) void vc_avx512_col_masks(int nr, __mmask16 *m0,
                                                                                          __mmask16 *m1)
{
    *m0 = nr >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << nr) - 1);
    *m1 = nr >= 32 ? (__mmask16)0xFFFF : nr > 16 ? (__mmask16)((1u << (nr - 16)) - 1) : 0;
}

/* The bias of the tile's columns on the last K slice, else zeros. */
static inline __attribute__((always_inline, target("avx512f"))) void
vc_avx512_bias(const struct vc_tile_ops *op, __mmask16 m0, __mmask16 m1, __m512 *bias0, __m512 *bias1)
{
    *bias0 = _mm512_setzero_ps();
    *bias1 = *bias0;
    if (op->last && op->bias) {
        *bias0 = _mm512_maskz_loadu_ps(m0, op->bias);
        *bias1 = _mm512_maskz_loadu_ps(m1, op->bias + 16);
    }
}

/* ci[0..nr) = x0|x1 (+ ci when op->load) (+ bias, then ReLU, on the last slice). */
static inline __attribute__((always_inline, target("avx512f"))) void
vc_avx512_store_row(float *ci, __m512 x0, __m512 x1, __mmask16 m0, __mmask16 m1, __m512 bias0, __m512 bias1,
                    const struct vc_tile_ops *op)
{
    if (op->load) {
        x0 = _mm512_add_ps(x0, _mm512_maskz_loadu_ps(m0, ci));
        x1 = _mm512_add_ps(x1, _mm512_maskz_loadu_ps(m1, ci + 16));
    }
    if (op->last) {
        x0 = _mm512_add_ps(x0, bias0);
        x1 = _mm512_add_ps(x1, bias1);
        if (op->relu) {
            x0 = _mm512_max_ps(x0, _mm512_setzero_ps());
            x1 = _mm512_max_ps(x1, _mm512_setzero_ps());
        }
    }
    _mm512_mask_storeu_ps(ci, m0, x0);
    _mm512_mask_storeu_ps(ci + 16, m1, x1);
}

/* The rows 0..mr-1 of an 8 x 32 tile held in acc[2 * i], acc[2 * i + 1] (the fp32 and
 * avx512bf16 tiles): one vc_avx512_store_row each; constant indices after inlining keep acc
 * in registers. */
static inline __attribute__((always_inline, target("avx512f"))) void
vc_avx512_store_8x32(const __m512 *acc, float *c, int ldc, int mr, int nr, const struct vc_tile_ops *op)
{
    __mmask16 m0, m1;
    vc_avx512_col_masks(nr, &m0, &m1);
    __m512 bias0, bias1;
    vc_avx512_bias(op, m0, m1, &bias0, &bias1);
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) {
        if (i >= mr)
            break;
        vc_avx512_store_row(c + (size_t)i * ldc, acc[2 * i], acc[2 * i + 1], m0, m1, bias0, bias1, op);
    }
}

#endif
