/* gemm_kernel_avx512.c - the AVX-512F register tile of the packed product (gemm_kernel.h):
 * 8 rows x 32 columns of C in 16 zmm accumulators; per k, two panel loads, eight broadcasts
 * of A, sixteen FMAs (and, when the driver asks, one prefetch every second k of what a later
 * tile reads: vc_tile_ops.ahead); A's rows whole or in pieces (vc_tile_ops.seg). Edge
 * tiles use masked loads and stores (no staging buffer). Eight rows (not more) so the
 * thin products of batch 1 waste little: 16 Winograd
 * tiles fill two row tiles exactly, 49 rows take 56. On Sapphire Rapids the whole pass with
 * it runs 1.01-1.60x OpenBLAS's; a 12 x 32 tile measured level with this one (bench/products,
 * docs/performance.md 2026-12-02), and in L1 every shape from 4 x 64 to 14 x 32 runs at
 * 0.75-0.9 of the FMA probe, as this one does (2026-12-04). Its K slice (gemm_packed.c) is
 * 512 deep: 1.02-1.07x the 128 of before on Emerald Rapids (2026-12-07; level on Sapphire
 * Rapids on 2026-12-02, beside other code). */
#include "gemm_epilogue_avx512.h"
#include "gemm_kernel.h"

#include <immintrin.h>

#define MR 8
#define NR 32
#define PREFETCH_FLOATS (16 * NR) /* 16 panel rows ahead: two 64-byte lines per k */

/* libgcc's check includes the OS's: XCR0 must enable the opmask and zmm state */
int vc_tile_avx512_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

/* The tile; next (op->ahead, or NULL: a constant in two of the three copies below) gets one
 * line of its MR rows every second k: MR x kc / 16 lines over kc steps. A's rows are read in
 * pieces of seg floats, ss apart (op->seg), or whole when seg is 0 (a constant in two copies:
 * then the piece loop runs once). */
__attribute__((target("avx512f"), always_inline))
static inline void tile(int kc, const float *restrict a, size_t rs, const float *restrict bp, float *restrict c,
                        int ldc, int mr, int nr, const struct vc_tile_ops *op, const float *next, int seg, size_t ss)
{
    /* fetch the tile's lines of C (for writing) now, so the misses overlap the FMAs instead of
     * stalling the stores: C is a fresh activation (MBs) and is rarely in cache */
    for (int i = 0; i < mr; i++) {
        __builtin_prefetch(c + (size_t)i * ldc, 1, 3);
        __builtin_prefetch(c + (size_t)i * ldc + 16, 1, 3);
        __builtin_prefetch(c + (size_t)i * ldc + NR - 1, 1, 3);
    }
    __m512 acc[2 * MR];
#pragma GCC unroll 16
    for (int i = 0; i < 2 * MR; i++)
        acc[i] = _mm512_setzero_ps();
    const int len = seg ? seg : kc;
    for (int k0 = 0; k0 < kc; k0 += len, a += ss) {
        const float *row[MR];
        for (int i = 0; i < MR; i++)
            row[i] = a + (i < mr ? (size_t)i * rs : 0);
        for (int kk = 0; kk < len; kk++, bp += NR) {
            const __m512 b0 = _mm512_load_ps(bp), b1 = _mm512_load_ps(bp + 16);
            _mm_prefetch((const char *)(bp + PREFETCH_FLOATS), _MM_HINT_T0);
            _mm_prefetch((const char *)(bp + PREFETCH_FLOATS + 16), _MM_HINT_T0);
            vc_tile_fetch_ahead(next, kk, MR, rs);
#pragma GCC unroll 8
            for (int i = 0; i < MR; i++) { /* unrolled: 16 FMAs on 16 registers */
                const __m512 ai = _mm512_set1_ps(row[i][kk]);
                acc[2 * i] = _mm512_fmadd_ps(ai, b0, acc[2 * i]);
                acc[2 * i + 1] = _mm512_fmadd_ps(ai, b1, acc[2 * i + 1]);
            }
        }
    }
    vc_avx512_store_8x32(acc, c, ldc, mr, nr, op);
}

__attribute__((target("avx512f")))
void vc_tile_avx512_8x32(int kc, const float *restrict a, size_t rs, const float *restrict bp, float *restrict c,
                         int ldc, int mr, int nr, const struct vc_tile_ops *op)
{
    if (op->seg)
        tile(kc, a, rs, bp, c, ldc, mr, nr, op, NULL, op->seg, op->seg_stride);
    else if (op->ahead)
        tile(kc, a, rs, bp, c, ldc, mr, nr, op, op->ahead, 0, 0);
    else
        tile(kc, a, rs, bp, c, ldc, mr, nr, op, NULL, 0, 0);
}
