/* gemm_kernel_avx2.c - the AVX2 + FMA register tile of the packed product (gemm_kernel.h):
 * 6 rows x 16 columns of C in 12 ymm accumulators; per k, two panel loads, six broadcasts
 * of A, twelve FMAs. */
#include "gemm_kernel.h"

#include <immintrin.h>
#include <string.h>

#define MR 6
#define NR 16
#define PREFETCH_FLOATS (16 * NR) /* 16 panel rows ahead: one 64-byte line per k */

int vc_tile_avx2_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

__attribute__((target("avx2,fma")))
void vc_tile_avx2_6x16(int kc, const float *restrict a, size_t rs, const float *restrict bp, float *restrict c,
                       int ldc, int mr, int nr, const struct vc_tile_ops *op)
{
    const float *row[MR];
    for (int i = 0; i < MR; i++)
        row[i] = a + (i < mr ? (size_t)i * rs : 0);
    __m256 acc[2 * MR];
#pragma GCC unroll 12
    for (int i = 0; i < 2 * MR; i++)
        acc[i] = _mm256_setzero_ps();
    for (int kk = 0; kk < kc; kk++, bp += NR) {
        const __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
        _mm_prefetch((const char *)(bp + PREFETCH_FLOATS), _MM_HINT_T0);
#pragma GCC unroll 6
        for (int i = 0; i < MR; i++) { /* unrolled: 12 FMAs on 12 registers */
            const __m256 ai = _mm256_broadcast_ss(row[i] + kk);
            acc[2 * i] = _mm256_fmadd_ps(ai, b0, acc[2 * i]);
            acc[2 * i + 1] = _mm256_fmadd_ps(ai, b1, acc[2 * i + 1]);
        }
    }
    /* a partial tile goes through a full-size buffer so every load and store below is whole */
    const int full = mr == MR && nr == NR;
    float tmp[MR * NR];
    float *t = c;
    int ld = ldc;
    if (!full) {
        memset(tmp, 0, sizeof tmp);
        if (op->load)
            for (int i = 0; i < mr; i++)
                memcpy(tmp + i * NR, c + (size_t)i * ldc, sizeof(float) * (size_t)nr);
        t = tmp;
        ld = NR;
    }
    __m256 bias0 = _mm256_setzero_ps(), bias1 = bias0;
    const __m256 zero = _mm256_setzero_ps();
    if (op->last && op->bias) {
        float bt[NR] = { 0 };
        memcpy(bt, op->bias, sizeof(float) * (size_t)nr);
        bias0 = _mm256_loadu_ps(bt);
        bias1 = _mm256_loadu_ps(bt + 8);
    }
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) { /* constant indices keep acc[] in registers */
        if (i >= mr)
            break;
        float *ti = t + (size_t)i * ld;
        __m256 x0 = acc[2 * i], x1 = acc[2 * i + 1];
        if (op->load) {
            x0 = _mm256_add_ps(x0, _mm256_loadu_ps(ti));
            x1 = _mm256_add_ps(x1, _mm256_loadu_ps(ti + 8));
        }
        if (op->last) {
            x0 = _mm256_add_ps(x0, bias0);
            x1 = _mm256_add_ps(x1, bias1);
            if (op->relu) {
                x0 = _mm256_max_ps(x0, zero);
                x1 = _mm256_max_ps(x1, zero);
            }
        }
        _mm256_storeu_ps(ti, x0);
        _mm256_storeu_ps(ti + 8, x1);
    }
    if (!full)
        for (int i = 0; i < mr; i++)
            memcpy(c + (size_t)i * ldc, tmp + i * NR, sizeof(float) * (size_t)nr);
}
