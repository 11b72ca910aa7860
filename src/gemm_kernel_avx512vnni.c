/* gemm_kernel_avx512vnni.c - the AVX512_VNNI register tile of the int8 product
 * (gemm_kernel.h): 8 rows x 32 columns of C in 16 zmm int32 accumulators; per four k, two
 * panel loads (32 columns x 4 k of signed bytes), eight 32-bit broadcasts of A's unsigned
 * bytes, sixteen vpdpbusd, each four multiply-adds per lane (the fp32 tile's FMA does one).
 * The sums are exact; the tile scales them back to float (A's row scale x B's column scale,
 * less A's offset times B's column sums) and ends in the shared AVX-512 epilogue.
 * Also the A side's quantisation to bytes, per row of each K slice. */
#include "gemm_epilogue_avx512.h"
#include "gemm_kernel.h"

#include <immintrin.h>
#include <math.h>
#include <string.h>

#define MR 8
#define NR 32
#define PREFETCH_QUADS 16 /* panel rows (128 bytes each) ahead */

int vc_tile_avx512vnni_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni");
}

/* Row i: non-negative (a ReLU's output, the common case): bytes round(a / s), s = max / 255,
 * offset 0; with negatives: round(a / s) + 128, s = max|a| / 127, offset 128. An all-zero
 * row: scale 0, bytes 0. */
__attribute__((target("avx512f")))
void vc_int8_quantize_rows(const float *a, size_t lda, int rows, int k, int kpad, uint8_t *out, float *scale,
                           int32_t *offset)
{
    for (int i = 0; i < rows; i++, a += lda, out += kpad) {
        __m512 vmax = _mm512_setzero_ps(), vmin = _mm512_setzero_ps();
        int j = 0;
        for (; j + 16 <= k; j += 16) {
            const __m512 v = _mm512_loadu_ps(a + j);
            vmax = _mm512_max_ps(vmax, v);
            vmin = _mm512_min_ps(vmin, v);
        }
        if (j < k) {
            const __m512 v = _mm512_maskz_loadu_ps((__mmask16)((1u << (k - j)) - 1), a + j);
            vmax = _mm512_max_ps(vmax, v);
            vmin = _mm512_min_ps(vmin, v);
        }
        const float hi = _mm512_reduce_max_ps(vmax), lo = _mm512_reduce_min_ps(vmin);
        const int sign = lo < 0.0f;
        const float mag = sign ? fmaxf(hi, -lo) : hi, q = sign ? 127.0f : 255.0f;
        scale[i] = mag / q;
        offset[i] = sign ? 128 : 0;
        const __m512 inv = _mm512_set1_ps(mag > 0.0f ? q / mag : 0.0f);
        const __m512i off = _mm512_set1_epi32(offset[i]);
        for (j = 0; j < k; j += 16) { /* round to nearest (even), shift, narrow to bytes */
            const __mmask16 m = k - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (k - j)) - 1);
            const __m512i v = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, a + j), inv)),
                                               off);
            _mm512_mask_cvtusepi32_storeu_epi8(out + j, m, v);
        }
        if (k < kpad) /* padding: bytes that multiply B's zero rows */
            memset(out + k, 0, (size_t)(kpad - k));
    }
}

__attribute__((target("avx512f,avx512vnni")))
void vc_tile_avx512vnni_8x32(int kc, const uint8_t *restrict a, size_t rs, const int8_t *restrict bp,
                             float *restrict c, int ldc, int mr, int nr, const struct vc_tile_ops *op,
                             const struct vc_int8_scales *sc)
{
    for (int i = 0; i < mr; i++) { /* C's lines, for writing, while the products run */
        __builtin_prefetch(c + (size_t)i * ldc, 1, 3);
        __builtin_prefetch(c + (size_t)i * ldc + NR - 1, 1, 3);
    }
    const uint8_t *row[MR];
    for (int i = 0; i < MR; i++)
        row[i] = a + (size_t)i * rs;
    __m512i acc[2 * MR];
#pragma GCC unroll 16
    for (int i = 0; i < 2 * MR; i++)
        acc[i] = _mm512_setzero_si512();
    for (int kk = 0; kk < kc; kk += 4, bp += 4 * NR) {
        const __m512i b0 = _mm512_load_si512(bp), b1 = _mm512_load_si512(bp + 2 * NR);
        _mm_prefetch((const char *)(bp + PREFETCH_QUADS * 4 * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(bp + PREFETCH_QUADS * 4 * NR + 2 * NR), _MM_HINT_T0);
#pragma GCC unroll 8
        for (int i = 0; i < MR; i++) { /* unrolled: 16 dot products on 16 registers */
            int32_t quad;
            memcpy(&quad, row[i] + kk, sizeof quad);
            const __m512i ai = _mm512_set1_epi32(quad);
            acc[2 * i] = _mm512_dpbusd_epi32(acc[2 * i], ai, b0);
            acc[2 * i + 1] = _mm512_dpbusd_epi32(acc[2 * i + 1], ai, b1);
        }
    }
    /* back to float (gemm_epilogue_avx512.h) */
    struct vc_avx512_int8_cols k;
    vc_avx512_int8_cols(sc, &k);
    __m512 f[2 * MR];
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++)
        vc_avx512_int8_row(sc, &k, i, acc[2 * i], acc[2 * i + 1], &f[2 * i], &f[2 * i + 1]);
    vc_avx512_store_8x32(f, c, ldc, mr, nr, op);
}
