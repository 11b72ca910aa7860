/* gemm_bf16.c - single-threaded bf16 x bf16 -> fp32 products for constant weights (see
 * gemm_bf16.h; the register tiles are in gemm_kernel_amx.c and gemm_kernel_avx512bf16.c).
 *
 * The same scheme as the fp32 product (gemm_packed.c), with A always copied, since it must
 * be rounded to bf16 anyway:
 *   for each KC-deep slice of K (padded to a multiple of 32 with zeros):
 *     for each MC-row block of A: round it to bf16 into a per-thread buffer (rows of kc);
 *       for each 32-column panel of B (its kc x 32 slice: kc / 2 rows of 128 bytes):
 *         for each MR-row micro-panel: an MR x 32 tile of C, summed in float32.
 * The K slice is the kernel's: AMX 1152, which divides ResNet50's deep products evenly (2304
 * = 2 x 1152, 4608 = 4 x 1152) and keeps a panel slice at 72 KB and an A block at 144 KB,
 * both within L2; avx512bf16 512. Measured on a Sapphire Rapids (docs/performance.md): the
 * forward pass moved by less than the noise over slices of 256-1152 (AMX) and 128-1152
 * (avx512bf16). */
#include "gemm_bf16.h"
#include "gemm_kernel.h"
#include "gemm_kernel_table.h"
#include "vidclass/status.h"

#include <string.h>

#define NR 32
#define KC_MAX 1152 /* the deepest slice of any kernel: a multiple of 32 */
#define MC 64       /* a multiple of every kernel's MR */

struct vc_bf16_kernel {
    struct vc_kernel_info info; /* name, needs, supported, mr (first: gemm_kernel_table.h) */
    int kc; /* the K slice (a multiple of 32, at most KC_MAX) */
    vc_tile_bf16_fn *tile;
    void (*begin)(void), (*end)(void); /* per-thread set-up around the tiles, or NULL */
};

/* fastest first: vc_bf16_kernel_best takes the first one the CPU supports */
static const struct vc_bf16_kernel k_kernels[] = {
    { { "amx", "AMX-BF16 (Intel Sapphire Rapids or later, Linux 5.16 or later)", vc_tile_amx_supported, 32 },
      1152, vc_tile_amx_32x32, vc_tile_amx_begin, vc_tile_amx_end },
    { { "avx512bf16", "AVX512_BF16 (Intel Cooper Lake, Sapphire Rapids or later; AMD Zen 4 or later)",
        vc_tile_avx512bf16_supported, 8 },
      512, vc_tile_avx512bf16_8x32, NULL, NULL },
};

const vc_bf16_kernel *vc_bf16_kernel_find(const char *name)
{
    return VC_KERNEL_TABLE_FIND(vc_bf16_kernel, k_kernels, name);
}

const vc_bf16_kernel *vc_bf16_kernel_best(void)
{
    return VC_KERNEL_TABLE_BEST(vc_bf16_kernel, k_kernels);
}

const struct vc_kernel_info *vc_bf16_kernel_info(const vc_bf16_kernel *kn)
{
    return &kn->info;
}

static int round32(int k)
{
    return (k + 31) / 32 * 32;
}

static int panels(int n)
{
    return (n + NR - 1) / NR;
}

size_t vc_gemm_bf16_elems(int k, int n)
{
    return (size_t)panels(n) * NR * (size_t)round32(k);
}

/* float32 -> bf16, round to nearest even (as vcvtne2ps2bf16 does; NaN stays NaN) */
static uint16_t to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

void vc_gemm_bf16_pack(const vc_bf16_kernel *kn, const float *b, int k, int n, uint16_t *out)
{
    const int kp = round32(k), np = panels(n), KC = kn->kc;
    for (int pc = 0; pc < kp; pc += KC) {
        const int kc = kp - pc < KC ? kp - pc : KC;
        for (int p = 0; p < np; p++)
            for (int kk = pc; kk < pc + kc; kk += 2, out += 2 * NR)
                for (int j = 0; j < NR; j++) {
                    const int col = p * NR + j;
                    for (int h = 0; h < 2; h++) /* zeros past K and past N */
                        out[2 * j + h] = kk + h < k && col < n ? to_bf16(b[(size_t)(kk + h) * n + col]) : 0;
                }
    }
}

/* The rounded A block: per thread (pool threads each run their own products). */
static _Thread_local uint16_t g_abuf[MC * KC_MAX] __attribute__((aligned(64)));

/* The product of float rows a (rounded per block into g_abuf) or of rows already rounded,
 * ar (row stride lda, K padded with zeros to a multiple of 32); the other is NULL. */
static void run(const vc_bf16_kernel *kn, int m, int n, int k, const float *a, const uint16_t *ar, int lda,
                const uint16_t *bp, float *c, int ldc, const float *bias, int accumulate, int relu)
{
    const int kp = round32(k), np = panels(n), tr = kn->info.mr, KC = kn->kc;
    if (kn->begin)
        kn->begin();
    for (int pc = 0; pc < kp; pc += KC) {
        const int kc = kp - pc < KC ? kp - pc : KC, kreal = k - pc < kc ? k - pc : kc;
        const uint16_t *slice = bp + (size_t)pc * np * NR;
        for (int ic = 0; ic < m; ic += MC) {
            const int mc = m - ic < MC ? m - ic : MC;
            const uint16_t *ab = ar ? ar + (size_t)ic * lda + pc : g_abuf;
            const size_t rs = ar ? (size_t)lda : (size_t)kc;
            if (!ar)
                vc_bf16_convert_rows(a + (size_t)ic * lda + pc, (size_t)lda, mc, kreal, kc, g_abuf);
            for (int p = 0; p < np; p++) {
                const int nr = n - p * NR < NR ? n - p * NR : NR;
                const struct vc_tile_ops op = { pc > 0 || accumulate, pc + kc >= kp, bias ? bias + p * NR : NULL, relu,
                                                NULL, 0, 0 };
                for (int ir = 0; ir < mc; ir += tr)
                    kn->tile(kc, ab + (size_t)ir * rs, rs, slice + (size_t)p * kc * NR,
                             c + (size_t)(ic + ir) * ldc + p * NR, ldc, mc - ir < tr ? mc - ir : tr, nr, &op);
            }
        }
    }
    if (kn->end)
        kn->end();
}

void vc_gemm_bf16_run(const vc_bf16_kernel *kn, int m, int n, int k, const float *a, int lda, const uint16_t *bp,
                      float *c, int ldc, const float *bias, int accumulate, int relu)
{
    run(kn, m, n, k, a, NULL, lda, bp, c, ldc, bias, accumulate, relu);
}

void vc_gemm_bf16_run_rounded(const vc_bf16_kernel *kn, int m, int n, int k, const uint16_t *a, int lda,
                              const uint16_t *bp, float *c, int ldc, const float *bias, int accumulate, int relu)
{
    run(kn, m, n, k, NULL, a, lda, bp, c, ldc, bias, accumulate, relu);
}

int vc_gemm_bf16_kpad(int k)
{
    return round32(k);
}

void vc_gemm_bf16_round(const float *a, size_t count, uint16_t *out)
{
    /* whole 32-value blocks in rows of at most 2^30 values (the kernel takes int counts and
     * stores 32 values at a time), the tail through a block of its own */
    const size_t bulk = count / 32 * 32;
    for (size_t done = 0; done < bulk;) {
        const int step = bulk - done < (size_t)1 << 30 ? (int)(bulk - done) : 1 << 30;
        vc_bf16_convert_rows(a + done, 0, 1, step, step, out + done);
        done += (size_t)step;
    }
    if (bulk < count) {
        uint16_t tail[32];
        vc_bf16_convert_rows(a + bulk, 0, 1, (int)(count - bulk), 32, tail);
        memcpy(out + bulk, tail, sizeof(uint16_t) * (count - bulk));
    }
}
