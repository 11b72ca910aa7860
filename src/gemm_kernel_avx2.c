/* gemm_kernel_avx2.c - the AVX2 + FMA register tile of the packed product (gemm_kernel.h):
 * 6 rows x 16 columns of C in 12 ymm accumulators; per k, two panel loads, six broadcasts
 * of A, twelve FMAs; the next row tile's A fetched while it computes (vc_tile_ops.ahead);
 * A's rows whole or in pieces (vc_tile_ops.seg). */
#include "gemm_kernel.h"

#include <immintrin.h>

#define MR 6
#define NR 16
#define PREFETCH_FLOATS (48 * NR) /* 48 panel rows (3 KB) ahead: one 64-byte line per k */

int vc_tile_avx2_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* The tile; next (op->ahead, or NULL: a constant in two of the three copies below) gets one
 * line of its MR rows every second k: up to MR x kc / 16 lines (all of them) over kc steps.
 * A's rows are read in pieces of seg floats ss apart, or whole when seg is 0 (a constant in
 * two copies: then the piece loop runs once). */
__attribute__((target("avx2,fma"), always_inline))
static inline void tile(int kc, const float *restrict a, size_t rs, const float *restrict bp, float *restrict c,
                        int ldc, int mr, int nr, const struct vc_tile_ops *op, const float *next, int seg, size_t ss)
{
    /* fetch the tile's lines of C (for writing) now, so the misses overlap the FMAs instead of
     * stalling the stores: C is a fresh activation (MBs) and is rarely in cache */
    for (int i = 0; i < mr; i++) {
        __builtin_prefetch(c + (size_t)i * ldc, 1, 3);
        __builtin_prefetch(c + (size_t)i * ldc + NR - 1, 1, 3);
    }
    __m256 acc[2 * MR];
#pragma GCC unroll 12
    for (int i = 0; i < 2 * MR; i++)
        acc[i] = _mm256_setzero_ps();
    const int len = seg ? seg : kc;
    for (int k0 = 0; k0 < kc; k0 += len, a += ss) {
        const float *row[MR];
        for (int i = 0; i < MR; i++)
            row[i] = a + (i < mr ? (size_t)i * rs : 0);
        for (int kk = 0; kk < len; kk++, bp += NR) {
            const __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
            _mm_prefetch((const char *)(bp + PREFETCH_FLOATS), _MM_HINT_T0);
            vc_tile_fetch_ahead(next, kk, MR, rs);
#pragma GCC unroll 6
            for (int i = 0; i < MR; i++) { /* unrolled: 12 FMAs on 12 registers */
                const __m256 ai = _mm256_broadcast_ss(row[i] + kk);
                acc[2 * i] = _mm256_fmadd_ps(ai, b0, acc[2 * i]);
                acc[2 * i + 1] = _mm256_fmadd_ps(ai, b1, acc[2 * i + 1]);
            }
        }
    }
    /* columns nr..15 of an edge tile: masked loads and stores (rows past mr are skipped
     * below); no library calls here, they would spill the 12 accumulators */
    const int full = nr == NR;
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr), lane);
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr - 8), lane);
    __m256 bias0 = _mm256_setzero_ps(), bias1 = bias0;
    const __m256 zero = _mm256_setzero_ps();
    if (op->last && op->bias) {
        bias0 = _mm256_maskload_ps(op->bias, m0);
        bias1 = _mm256_maskload_ps(op->bias + 8, m1);
    }
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) { /* constant indices keep acc[] in registers */
        if (i >= mr)
            break;
        float *ci = c + (size_t)i * ldc;
        __m256 x0 = acc[2 * i], x1 = acc[2 * i + 1];
        if (op->load) {
            x0 = _mm256_add_ps(x0, full ? _mm256_loadu_ps(ci) : _mm256_maskload_ps(ci, m0));
            x1 = _mm256_add_ps(x1, full ? _mm256_loadu_ps(ci + 8) : _mm256_maskload_ps(ci + 8, m1));
        }
        if (op->last) {
            x0 = _mm256_add_ps(x0, bias0);
            x1 = _mm256_add_ps(x1, bias1);
            if (op->relu) {
                x0 = _mm256_max_ps(x0, zero);
                x1 = _mm256_max_ps(x1, zero);
            }
        }
        if (full) {
            _mm256_storeu_ps(ci, x0);
            _mm256_storeu_ps(ci + 8, x1);
        } else {
            _mm256_maskstore_ps(ci, m0, x0);
            _mm256_maskstore_ps(ci + 8, m1, x1);
        }
    }
}

__attribute__((target("avx2,fma")))
void vc_tile_avx2_6x16(int kc, const float *restrict a, size_t rs, const float *restrict bp, float *restrict c,
                       int ldc, int mr, int nr, const struct vc_tile_ops *op)
{
    if (op->seg)
        tile(kc, a, rs, bp, c, ldc, mr, nr, op, NULL, op->seg, op->seg_stride);
    else if (op->ahead)
        tile(kc, a, rs, bp, c, ldc, mr, nr, op, op->ahead, 0, 0);
    else
        tile(kc, a, rs, bp, c, ldc, mr, nr, op, NULL, 0, 0);
}
