/* gemm_packed.c - single-threaded SGEMM for constant weights with our own register tiles
 * (see gemm_packed.h; the tiles are in gemm_kernel_*.c).
 *
 * The GotoBLAS/BLIS scheme with the right operand packed once, at load:
 *   for each KC-deep slice of K:
 *     for each MC-row block of A: copy it (rows of KC, contiguous) into L2;
 *       for each NR-column panel of B (its KC x NR slice is contiguous: 16-64 KB, L1 or L2):
 *         for each MR-row micro-panel: an MR x NR tile of C in registers.
 * When a whole KC x N slice of B fits in L2 (DIRECT_A_MAX_SLICE), A is not packed at all:
 * the tile reads MR rows in place and the slice is re-read from L2 for every MR rows.
 * The weights are laid out [K slice][panel][k][NR] so a slice streams from memory in
 * address order; the tiles prefetch ahead in it, and fetch their lines of C for writing
 * before they start; in place, the first panel's tile also fetches the next MR rows of A,
 * which the 1x1 convolutions read from L3 in rows too short for the hardware prefetchers
 * (the whole pass 1.02-1.08x on Sapphire Rapids; the AVX2 tile on Zen 3 0.99-1.06x at
 * batch 8 and 32, 1.04 in the middle, level at 1); packed, the AVX-512 tile's first tiles
 * of a panel fetch the next one, which at batch 1 streams from memory (1.04-1.05x at batch
 * 1, 1.01-1.03x at 8 and 32; the AVX2 tile on Zen 3 0.98-1.00x with it: panel_ahead 0).
 * The last K slice applies the epilogue (bias, ReLU) while the tile is still in registers,
 * so no second pass over C.
 * OpenBLAS packs both operands on every call and leaves bias/ReLU to a second pass; over
 * ResNet50's products (M = 16..3136 rows at batch 1) the AVX2 tile makes the whole network
 * 1.09-1.22x faster (bench/products measures every product in one process, Zen 3); the
 * AVX-512 tile 1.01-1.60x (Sapphire Rapids).
 * A new ISA is one more tile file and one more row in k_kernels. */
#include "gemm_packed.h"
#include "gemm_kernel.h"
#include "gemm_kernel_table.h"
#include "vidclass/status.h"

#include <string.h>

#define DIRECT_A_MAX_SLICE (256 * 1024) /* B slices up to this size: A is read in place */
#define APACK_FLOATS (144 * 512)        /* the largest mc x kc below */

struct vc_packed_kernel {
    struct vc_kernel_info info; /* name, needs, supported, mr (first: gemm_kernel_table.h) */
    int nr;               /* the register tile's columns                            */
    int kc, mc;           /* K slice and A block rows (mc x kc floats: the copied block, in L2) */
    int panel_ahead;      /* A packed: the first row tiles fetch the next panel of B (op.ahead) */
    vc_tile_fn *tile;
};

/* fastest first: vc_packed_kernel_best takes the first one the CPU supports. The AVX-512
 * tile's slice is 512 deep (its 64 KB panel streams from L2; C is loaded and stored once
 * per slice, and ResNet50's K is at most 512 but for stages 4-5's 1024 and 2048): in one
 * process on Emerald Rapids, 1.02-1.07x the whole pass with 128 x 288 (2026-12-07); 256 x
 * 144-288 and 1024 x 72 measured within 0.01-0.02 of 512 x 144. */
static const struct vc_packed_kernel k_kernels[] = {
    { { "avx512", "AVX-512F", vc_tile_avx512_supported, 8 }, 32, 512, 144, 1, vc_tile_avx512_8x32 },
    { { "avx2", "AVX2 and FMA", vc_tile_avx2_supported, 6 }, 16, 256, 144, 0, vc_tile_avx2_6x16 },
};

const vc_packed_kernel *vc_packed_kernel_find(const char *name)
{
    return VC_KERNEL_TABLE_FIND(vc_packed_kernel, k_kernels, name);
}

const vc_packed_kernel *vc_packed_kernel_best(void)
{
    return VC_KERNEL_TABLE_BEST(vc_packed_kernel, k_kernels);
}

const struct vc_kernel_info *vc_packed_kernel_info(const vc_packed_kernel *kn)
{
    return &kn->info;
}

static int panels(const vc_packed_kernel *kn, int n)
{
    return (n + kn->nr - 1) / kn->nr;
}

size_t vc_gemm_packed_floats(const vc_packed_kernel *kn, int k, int n)
{
    return (size_t)panels(kn, n) * kn->nr * (size_t)k;
}

void vc_gemm_packed_pack(const vc_packed_kernel *kn, const float *b, int k, int n, float *out)
{
    const int np = panels(kn, n), nrw = kn->nr;
    VC_ASSERT((size_t)kn->mc * kn->kc <= APACK_FLOATS); /* once per matrix at load: every run's A block fits */
    for (int pc = 0; pc < k; pc += kn->kc) {
        const int kc = k - pc < kn->kc ? k - pc : kn->kc;
        for (int p = 0; p < np; p++) {
            const int c0 = p * nrw, nr = n - c0 < nrw ? n - c0 : nrw;
            for (int kk = pc; kk < pc + kc; kk++, out += nrw) {
                memcpy(out, b + (size_t)kk * n + c0, sizeof(float) * (size_t)nr);
                memset(out + nr, 0, sizeof(float) * (size_t)(nrw - nr)); /* padding columns: 0 */
            }
        }
    }
}

/* mc rows x kc columns of A (row stride lda) copied to ap, contiguous rows of kc: the block
 * the tile then reads MR rows at a time stays together in L2 */
static void pack_a(const float *a, int lda, int mc, int kc, float *ap)
{
    for (int i = 0; i < mc; i++)
        memcpy(ap + (size_t)i * kc, a + (size_t)i * lda, sizeof(float) * (size_t)kc);
}

/* The packed A block: per thread (pool threads each run their own products). */
static _Thread_local float g_apack[APACK_FLOATS] __attribute__((aligned(64)));

/* B slices up to DIRECT_A_MAX_SLICE: the whole slice stays in L2, so A is taken in place,
 * tr rows at a time, no packing. A's rows are whole (seg 0: a + pc is the slice's first
 * column) or in pieces (seg > 0: vc_gemm_packed_run_pieces, one slice). */
static int slice_in_place(const vc_packed_kernel *kn, int n, int kc)
{
    return (size_t)panels(kn, n) * kn->nr * kc * sizeof(float) <= DIRECT_A_MAX_SLICE;
}

static void run_in_place(const vc_packed_kernel *kn, int m, int n, int k, int pc, int kc, const float *a, int lda,
                         int seg, size_t seg_stride, const float *slice, float *c, int ldc, const float *bias,
                         int accumulate, int relu)
{
    const int np = panels(kn, n), tr = kn->info.mr, tc = kn->nr;
    for (int ir = 0; ir < m; ir += tr)
        for (int p = 0; p < np; p++) {
            const int nr = n - p * tc < tc ? n - p * tc : tc;
            /* the first panel's tile fetches the next row tile's A: it stays in L1 for the rest
             * (whole rows only: a row in pieces spans several of the input's rows) */
            const float *ahead = p == 0 && ir + tr < m && !seg ? a + (size_t)(ir + tr) * lda + pc : NULL;
            const struct vc_tile_ops op = { pc > 0 || accumulate, pc + kc >= k, bias ? bias + p * tc : NULL,
                                            relu, ahead, seg, seg_stride };
            kn->tile(kc, a + (size_t)ir * lda + pc, (size_t)lda, slice + (size_t)p * kc * tc,
                     c + (size_t)ir * ldc + p * tc, ldc, m - ir < tr ? m - ir : tr, nr, &op);
        }
}

int vc_gemm_packed_pieces_ok(const vc_packed_kernel *kn, int n, int k)
{
    return k <= kn->kc && slice_in_place(kn, n, k);
}

void vc_gemm_packed_run_pieces(const vc_packed_kernel *kn, int m, int n, int k, const float *a, int rs, int seg,
                               size_t seg_stride, const float *bp, float *c, int ldc, const float *bias,
                               int accumulate, int relu)
{
    VC_ASSERT(vc_gemm_packed_pieces_ok(kn, n, k) && seg > 0 && k % seg == 0);
    run_in_place(kn, m, n, k, 0, k, a, rs, seg, seg_stride, bp, c, ldc, bias, accumulate, relu);
}

void vc_gemm_packed_run(const vc_packed_kernel *kn, int m, int n, int k, const float *a, int lda, const float *bp,
                        float *c, int ldc, const float *bias, int accumulate, int relu)
{
    const int np = panels(kn, n), tr = kn->info.mr, tc = kn->nr; /* the tile: tr x tc */
    for (int pc = 0; pc < k; pc += kn->kc) {
        const int kc = k - pc < kn->kc ? k - pc : kn->kc;
        const float *slice = bp + (size_t)pc * np * tc;
        if (slice_in_place(kn, n, kc)) {
            run_in_place(kn, m, n, k, pc, kc, a, lda, 0, 0, slice, c, ldc, bias, accumulate, relu);
            continue;
        }
        for (int ic = 0; ic < m; ic += kn->mc) {
            const int mc = m - ic < kn->mc ? m - ic : kn->mc;
            pack_a(a + (size_t)ic * lda + pc, lda, mc, kc, g_apack);
            for (int p = 0; p < np; p++) {
                const int nr = n - p * tc < tc ? n - p * tc : tc;
                const float *panel = slice + (size_t)p * kc * tc;
                for (int ir = 0; ir < mc; ir += tr) {
                    /* the packed block is in L2, in order; the panel's first tc / tr row tiles
                     * fetch the next panel (tr x kc floats each), from memory at batch 1 */
                    const float *ahead = kn->panel_ahead && ir < tc && p + 1 < np ? panel + (size_t)kc * tc + (size_t)ir * kc : NULL;
                    const struct vc_tile_ops op = { pc > 0 || accumulate, pc + kc >= k, bias ? bias + p * tc : NULL,
                                                    relu, ahead, 0, 0 };
                    kn->tile(kc, g_apack + (size_t)ir * kc, (size_t)kc, panel, c + (size_t)(ic + ir) * ldc + p * tc, ldc,
                             mc - ir < tr ? mc - ir : tr, nr, &op);
                }
            }
        }
    }
}
