/* gemm_packed.c - single-threaded SGEMM for constant weights on AVX2 + FMA (see gemm_packed.h).
 *
 * The GotoBLAS/BLIS scheme with the right operand packed once, at load:
 *   for each KC-deep slice of K:
 *     for each MC-row block of A: copy it (rows of KC, contiguous) into L2;
 *       for each 16-column panel of B (its KC x 16 slice is contiguous, 16 KB: stays in L1):
 *         for each 6-row micro-panel: a 6 x 16 tile of C in 12 ymm accumulators.
 * When a whole KC x N slice of B fits in L2 (N <= 256 here), A is not packed at all: the
 * kernel reads 6 rows in place and the slice is re-read from L2 for every 6 rows.
 * The weights are laid out [K slice][panel][k][16] so a slice streams from memory in
 * address order; the kernel prefetches 1 KB ahead in it. The last K slice applies the
 * epilogue (bias, ReLU) while the tile is still in registers, so no second pass over C.
 * OpenBLAS packs both operands on every call and leaves bias/ReLU to a second pass; on
 * ResNet50's thin products (M = 16..3136 rows at batch 1) this kernel is 1.10-1.18x faster
 * over the whole network, level at batch 32 (bench/products measures both in one process). */
#include "gemm_packed.h"

#include <immintrin.h>
#include <string.h>

#define MR 6
#define NR 16
#define KC 256
#define MC 144
#define PREFETCH_FLOATS 256 /* 16 rows of a panel ahead */
#define DIRECT_A_MAX_SLICE (256 * 1024) /* B slices up to this size: A is read in place */

int vc_gemm_packed_supported(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int panels(int n)
{
    return (n + NR - 1) / NR;
}

size_t vc_gemm_packed_floats(int k, int n)
{
    return (size_t)panels(n) * NR * (size_t)k;
}

void vc_gemm_packed_pack(const float *b, int k, int n, float *out)
{
    const int np = panels(n);
    for (int pc = 0; pc < k; pc += KC) {
        const int kc = k - pc < KC ? k - pc : KC;
        for (int p = 0; p < np; p++) {
            const int c0 = p * NR, nr = n - c0 < NR ? n - c0 : NR;
            for (int kk = pc; kk < pc + kc; kk++, out += NR) {
                memcpy(out, b + (size_t)kk * n + c0, sizeof(float) * (size_t)nr);
                memset(out + nr, 0, sizeof(float) * (size_t)(NR - nr)); /* padding columns: 0 */
            }
        }
    }
}

/* mc rows x kc columns of A (row stride lda) copied to ap, contiguous rows of kc: the block
 * the kernel then reads 6 rows at a time stays together in L2 */
static void pack_a(const float *a, int lda, int mc, int kc, float *ap)
{
    for (int i = 0; i < mc; i++)
        memcpy(ap + (size_t)i * kc, a + (size_t)i * lda, sizeof(float) * (size_t)kc);
}

/* What the last pass over a tile does besides storing it. */
struct tile_ops {
    int load;          /* add C's current values (accumulation, or an earlier K slice) */
    int last;          /* the final K slice: add the bias, apply ReLU                  */
    const float *bias; /* the tile's 16 (or nr) bias values, or NULL                   */
    int relu;
};

/* C[mr x nr] tile (row stride ldc) from 6 rows of A and a 16-column B panel. Row i's
 * element k is a[i * rs + k]: the packed block (rs = kc) or A in place (rs = lda); rows
 * past mr repeat row 0 and are not stored. */
__attribute__((target("avx2,fma")))
static void kernel_6x16(int kc, const float *restrict a, size_t rs, const float *restrict bp,
                        float *restrict c, int ldc, int mr, int nr, const struct tile_ops *op)
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

/* The packed A block: per thread (pool threads each run their own products). */
static _Thread_local float g_apack[MC * KC] __attribute__((aligned(64)));

void vc_gemm_packed_run(int m, int n, int k, const float *a, int lda, const float *bp, float *c, int ldc,
                        const float *bias, int accumulate, int relu)
{
    const int np = panels(n);
    for (int pc = 0; pc < k; pc += KC) {
        const int kc = k - pc < KC ? k - pc : KC;
        const float *slice = bp + (size_t)pc * np * NR;
        if ((size_t)np * NR * kc * sizeof(float) <= DIRECT_A_MAX_SLICE) {
            /* the whole B slice stays in L2: take A in place, 6 rows at a time, no packing */
            for (int ir = 0; ir < m; ir += MR)
                for (int p = 0; p < np; p++) {
                    const int nr = n - p * NR < NR ? n - p * NR : NR;
                    const struct tile_ops op = { pc > 0 || accumulate, pc + kc >= k, bias ? bias + p * NR : NULL,
                                                 relu };
                    kernel_6x16(kc, a + (size_t)ir * lda + pc, (size_t)lda, slice + (size_t)p * kc * NR,
                                c + (size_t)ir * ldc + p * NR, ldc, m - ir < MR ? m - ir : MR, nr, &op);
                }
            continue;
        }
        for (int ic = 0; ic < m; ic += MC) {
            const int mc = m - ic < MC ? m - ic : MC;
            pack_a(a + (size_t)ic * lda + pc, lda, mc, kc, g_apack);
            for (int p = 0; p < np; p++) {
                const int nr = n - p * NR < NR ? n - p * NR : NR;
                const struct tile_ops op = { pc > 0 || accumulate, pc + kc >= k, bias ? bias + p * NR : NULL, relu };
                for (int ir = 0; ir < mc; ir += MR)
                    kernel_6x16(kc, g_apack + (size_t)ir * kc, (size_t)kc, slice + (size_t)p * kc * NR,
                                c + (size_t)(ic + ir) * ldc + p * NR, ldc, mc - ir < MR ? mc - ir : MR, nr, &op);
            }
        }
    }
}
