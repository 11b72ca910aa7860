/* gemm_epilogue_avx512.h - vidclass internal: the last step of every AVX-512 register tile
 * (the fp32 tile in gemm_kernel_avx512.c, the bf16 ones in gemm_kernel_avx512bf16.c and
 * gemm_kernel_amx.c, the int8 ones in gemm_kernel_avx512vnni.c and gemm_kernel_amx.c): one
 * row of 32 columns of C from two accumulators (the int8 tiles' int32 sums scaled back to
 * float first), plus what the tile's vc_tile_ops ask for, stored with masks so an edge
 * tile never writes past nr.
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

/* The int8 tiles' way back to float (struct vc_int8_scales in gemm_kernel.h): row i's exact
 * int32 sums s, (s - offset_i * colsum_j) * a_scale_i * b_scale_j, the offset 0 or 128
 * (|s| <= 255 * 127 * kc stays exact in int32). The panel's part, loaded once per tile: */
struct vc_avx512_int8_cols {
    __m512 scale0, scale1; /* the 32 column scales                 */
    __m512i off0, off1;    /* 128 x the 32 column sums of the slice */
};

static inline __attribute__((always_inline, target("avx512f"))) void
vc_avx512_int8_cols(const struct vc_int8_scales *sc, struct vc_avx512_int8_cols *k)
{
    k->scale0 = _mm512_load_ps(sc->b_scale);
    k->scale1 = _mm512_load_ps(sc->b_scale + 16);
    k->off0 = _mm512_slli_epi32(_mm512_load_si512(sc->b_sum), 7);
    k->off1 = _mm512_slli_epi32(_mm512_load_si512(sc->b_sum + 16), 7);
}

/* Row i of the tile: its sums s0|s1 (columns 0-15, 16-31) as floats in *x0, *x1. */
static inline __attribute__((always_inline, target("avx512f"))) void
vc_avx512_int8_row(const struct vc_int8_scales *sc, const struct vc_avx512_int8_cols *k, int i, __m512i s0,
                   __m512i s1, __m512 *x0, __m512 *x1)
{
    if (sc->a_offset[i]) { /* a row with negatives, stored + 128: none when A is a ReLU's output */
        s0 = _mm512_sub_epi32(s0, k->off0);
        s1 = _mm512_sub_epi32(s1, k->off1);
    }
    const __m512 as = _mm512_set1_ps(sc->a_scale[i]);
    *x0 = _mm512_mul_ps(_mm512_cvtepi32_ps(s0), _mm512_mul_ps(as, k->scale0));
    *x1 = _mm512_mul_ps(_mm512_cvtepi32_ps(s1), _mm512_mul_ps(as, k->scale1));
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
