/* gemm_int8.c - single-threaded int8 products for constant weights (see gemm_int8.h; the
 * register tiles are in gemm_kernel_amx.c and gemm_kernel_avx512vnni.c).
 *
 * The scheme of the bf16 product (gemm_bf16.c), with A quantised instead of rounded:
 *   for each KC-deep slice of K (padded to a multiple of 64 with zeros):
 *     for each MC-row block of A: its rows of the slice to bytes, a scale and offset each;
 *       for each 32-column panel of B (its kc x 32 bytes, 16 KB: stays in L1):
 *         for each MR-row micro-panel: an MR x 32 tile of C, summed exactly, scaled to float.
 * Scales per slice (not per whole row or column) cost nothing extra, since each slice is
 * scaled back to float on its own, and keep one large value from coarsening a whole row.
 * A packed matrix: the bytes, [slice][panel][k / 4][32][4], then per (slice, panel) 32 float
 * scales and 32 int32 column sums. */
#include "gemm_int8.h"
#include "gemm_kernel.h"
#include "gemm_kernel_table.h"
#include "vidclass/status.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define NR VC_GEMM_INT8_NR
#define KC 512 /* the K slice: a multiple of 64; 255 * 127 * KC stays far inside int32 */
#define MC 64  /* a multiple of every kernel's MR */

struct vc_int8_kernel {
    struct vc_kernel_info info; /* name, needs, supported, mr (first: gemm_kernel_table.h) */
    vc_tile_i8_fn *tile;
    void (*begin)(void), (*end)(void); /* per-thread set-up around the tiles, or NULL */
};

/* fastest first: vc_int8_kernel_best takes the first one the CPU supports */
static const struct vc_int8_kernel k_kernels[] = {
    { { "amx-int8", "AMX-INT8 (Intel Sapphire Rapids or later, Linux 5.16 or later)", vc_tile_amx_int8_supported,
        32 },
      vc_tile_amx_int8_32x32, vc_tile_amx_begin, vc_tile_amx_end },
    { { "avx512vnni", "AVX512_VNNI (Intel Cascade Lake or later; AMD Zen 4 or later)", vc_tile_avx512vnni_supported,
        8 },
      vc_tile_avx512vnni_8x32, NULL, NULL },
};

const vc_int8_kernel *vc_int8_kernel_find(const char *name)
{
    return VC_KERNEL_TABLE_FIND(vc_int8_kernel, k_kernels, name);
}

const vc_int8_kernel *vc_int8_kernel_best(void)
{
    return VC_KERNEL_TABLE_BEST(vc_int8_kernel, k_kernels);
}

const struct vc_kernel_info *vc_int8_kernel_info(const vc_int8_kernel *kn)
{
    return &kn->info;
}

static int round64(int k)
{
    return (k + 63) / 64 * 64;
}

static int panels(int n)
{
    return (n + NR - 1) / NR;
}

static int slices(int k)
{
    return (round64(k) + KC - 1) / KC;
}

/* the (slice, panel) metadata after the bytes: 32 scales then 32 sums, 256 bytes each */
static size_t meta_offset(int k, int n)
{
    return (size_t)round64(k) * panels(n) * NR;
}

size_t vc_gemm_int8_bytes(int k, int n)
{
    return meta_offset(k, n) + (size_t)slices(k) * panels(n) * NR * (sizeof(float) + sizeof(int32_t));
}

void vc_gemm_int8_pack(const float *b, int k, int n, void *out)
{
    const int kp = round64(k), np = panels(n);
    int8_t *q = out;
    unsigned char *meta = (unsigned char *)out + meta_offset(k, n);
    for (int pc = 0, s = 0; pc < kp; pc += KC, s++) {
        const int kc = kp - pc < KC ? kp - pc : KC;
        for (int p = 0; p < np; p++, q += (size_t)kc * NR) {
            float *scale = (float *)(meta + ((size_t)s * np + p) * NR * 8);
            int32_t *sum = (int32_t *)(scale + NR);
            for (int j = 0; j < NR; j++) {
                const int col = p * NR + j;
                float mag = 0.0f;
                for (int kk = pc; kk < pc + kc && kk < k && col < n; kk++) mag = fmaxf(mag, fabsf(b[(size_t)kk * n + col]));
                const float inv = mag > 0.0f ? 127.0f / mag : 0.0f;
                scale[j] = mag / 127.0f;
                sum[j] = 0;
                for (int kk = pc; kk < pc + kc; kk++) { /* zeros past K and past N */
                    const int8_t v = kk < k && col < n ? (int8_t)lrintf(b[(size_t)kk * n + col] * inv) : 0;
                    q[(size_t)((kk - pc) / 4) * 4 * NR + 4 * j + (kk - pc) % 4] = v;
                    sum[j] += v;
                }
            }
        }
    }
}

/* The quantised A block and its rows' scales and offsets: per thread (pool threads each run
 * their own products); 8 rows more than MC so the VNNI tile at the block's edge reads defined
 * values (the AMX tile's 32 rows divide MC). */
static _Thread_local uint8_t g_abuf[(MC + 8) * KC] __attribute__((aligned(64)));
static _Thread_local float g_ascale[MC + 8];
static _Thread_local int32_t g_aoff[MC + 8];

void vc_gemm_int8_run(const vc_int8_kernel *kn, int m, int n, int k, const float *a, int lda, const void *bp,
                      float *c, int ldc, const float *bias, int accumulate, int relu)
{
    const int kp = round64(k), np = panels(n), tr = kn->info.mr;
    const unsigned char *meta = (const unsigned char *)bp + meta_offset(k, n);
    if (kn->begin)
        kn->begin();
    for (int pc = 0, s = 0; pc < kp; pc += KC, s++) {
        const int kc = kp - pc < KC ? kp - pc : KC, kreal = k - pc < kc ? k - pc : kc;
        const int8_t *slice = (const int8_t *)bp + (size_t)pc * np * NR;
        for (int ic = 0; ic < m; ic += MC) {
            const int mc = m - ic < MC ? m - ic : MC;
            vc_int8_quantize_rows(a + (size_t)ic * lda + pc, (size_t)lda, mc, kreal, kc, g_abuf, g_ascale, g_aoff);
            for (int p = 0; p < np; p++) {
                const int nr = n - p * NR < NR ? n - p * NR : NR;
                const float *bscale = (const float *)(meta + ((size_t)s * np + p) * NR * 8);
                const struct vc_tile_ops op = { pc > 0 || accumulate, pc + kc >= kp, bias ? bias + p * NR : NULL, relu,
                                                NULL, 0, 0 };
                for (int ir = 0; ir < mc; ir += tr) {
                    const struct vc_int8_scales sc = { g_ascale + ir, g_aoff + ir, bscale, (const int32_t *)(bscale + NR) };
                    kn->tile(kc, g_abuf + (size_t)ir * kc, (size_t)kc, slice + (size_t)p * kc * NR,
                             c + (size_t)(ic + ir) * ldc + p * NR, ldc, mc - ir < tr ? mc - ir : tr, nr, &op, &sc);
                }
            }
        }
    }
    if (kn->end)
        kn->end();
}
