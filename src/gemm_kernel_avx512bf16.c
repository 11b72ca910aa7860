/* gemm_kernel_avx512bf16.c - the AVX512_BF16 register tile of the bf16 product
 * (gemm_kernel.h): 8 rows x 32 columns of C in 16 zmm float32 accumulators; per pair of k,
 * two panel loads (32 columns x 2 k), eight 32-bit broadcasts of A's pairs, sixteen
 * vdpbf16ps, each two multiply-adds per lane: twice the work of an fp32 FMA per instruction.
 * Also the A-side rounding to bf16 (vcvtne2ps2bf16, round to nearest even), shared with the
 * AMX tile. */
#include "gemm_epilogue_avx512.h"
#include "gemm_kernel.h"

#include <immintrin.h>
#include <string.h>

#define MR 8
#define NR 32
#define PREFETCH_PAIRS 16 /* panel rows (128 bytes each) ahead */

int vc_tile_avx512bf16_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bf16");
}

__attribute__((target("avx512f,avx512bf16")))
void vc_bf16_convert_rows(const float *a, size_t lda, int rows, int k, int kpad, uint16_t *out)
{
    for (int i = 0; i < rows; i++, a += lda, out += kpad) {
        int j = 0;
        for (; j + 32 <= k; j += 32) {
            const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(a + j + 16), _mm512_loadu_ps(a + j));
            _mm512_storeu_si512(out + j, (__m512i)v);
        }
        if (j < k) { /* the tail, zeros to kpad */
            const int r = k - j;
            const __mmask16 lo = r >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << r) - 1);
            const __mmask16 hi = r > 16 ? (__mmask16)((1u << (r - 16)) - 1) : 0;
            const __m512bh v = _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, a + j + 16), _mm512_maskz_loadu_ps(lo, a + j));
            _mm512_storeu_si512(out + j, (__m512i)v);
            j += 32;
        }
        if (j < kpad)
            memset(out + j, 0, sizeof(uint16_t) * (size_t)(kpad - j));
    }
}

__attribute__((target("avx512f,avx512bf16")))
void vc_tile_avx512bf16_8x32(int kc, const uint16_t *restrict a, size_t rs, const uint16_t *restrict bp,
                             float *restrict c, int ldc, int mr, int nr, const struct vc_tile_ops *op)
{
    for (int i = 0; i < mr; i++) { /* C's lines, for writing, while the products run */
        __builtin_prefetch(c + (size_t)i * ldc, 1, 3);
        __builtin_prefetch(c + (size_t)i * ldc + NR - 1, 1, 3);
    }
    const uint16_t *row[MR];
    for (int i = 0; i < MR; i++)
        row[i] = a + (size_t)i * rs;
    __m512 acc[2 * MR];
#pragma GCC unroll 16
    for (int i = 0; i < 2 * MR; i++)
        acc[i] = _mm512_setzero_ps();
    for (int kk = 0; kk < kc; kk += 2, bp += 2 * NR) {
        const __m512bh b0 = (__m512bh)_mm512_load_si512(bp), b1 = (__m512bh)_mm512_load_si512(bp + NR);
        _mm_prefetch((const char *)(bp + PREFETCH_PAIRS * 2 * NR), _MM_HINT_T0);
        _mm_prefetch((const char *)(bp + PREFETCH_PAIRS * 2 * NR + NR), _MM_HINT_T0);
#pragma GCC unroll 8
        for (int i = 0; i < MR; i++) { /* unrolled: 16 dot products on 16 registers */
            int32_t pair;
            memcpy(&pair, row[i] + kk, sizeof pair);
            const __m512bh ai = (__m512bh)_mm512_set1_epi32(pair);
            acc[2 * i] = _mm512_dpbf16_ps(acc[2 * i], ai, b0);
            acc[2 * i + 1] = _mm512_dpbf16_ps(acc[2 * i + 1], ai, b1);
        }
    }
    vc_avx512_store_8x32(acc, c, ldc, mr, nr, op);
}
