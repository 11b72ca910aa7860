/* winograd.c - F(2x2, 3x3) and F(4x4, 3x3) convolution, NHWC, channels vectorised
 * (see vidclass/conv.h). With alpha = m + 2 input points per tile side:
 * F(2x2, 3x3), points 0, 1, -1 and infinity:
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
 *   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 *   A^T = [1 1 1 0; 0 1 -1 -1]
 * F(4x4, 3x3), points 0, 1, -1, 2, -2 and infinity (Lavin & Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016):
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * Tiles are processed in chunks per thread; each chunk's alpha^2 products (vc_gemm_b_run,
 * single-threaded) run on the thread that owns the chunk (src/pool.c). When one chunk holds
 * every tile, the threads split the products by xi instead (wino_few_*). The transforms
 * are compiled once per instruction set (avx2, and sse2 for any x86-64; 8 channels per
 * vector) and chosen when a convolution runs (wino_isa_choose; VIDCLASS_TRANSFORMS forces
 * one). A 16-wide AVX-512 set measured level with avx2 (0.98-1.04x in the network on
 * Emerald Rapids, docs/performance.md 2026-12-03) and was dropped: the transforms' time is
 * in moving V and M, and GCC's 64-byte spill slots broke under ASan's fake stack. */
#include "vidclass/conv.h"
#include "vidclass/gemm.h"
#include "vidclass/status.h"
#include "pool.h"
#include "profile_internal.h"

#include <stdlib.h>
#include <string.h>

#define VC_WINO_MAX_CIN 2048

/* Tiles per chunk (the GEMMs' rows). F(4x4) (stages 2-3, 64 and 128 channels): three of the
 * product's register tiles (18 with avx2's 6 rows, 24 with avx512's 8), so no tile runs
 * part-empty and a chunk's V and M (36 x 24 x (cin + cout) floats, 432 KB at 64 channels)
 * stay in L2 between the input transform, the 36 products and the output transform; 128
 * tiles (2.4 MB) went through L3. In-process A/B on Zen 3 (bench/products, per-round median
 * ratios, 3 runs): 18 tiles 1.00-1.08x the 128-tile forward pass at batch 1/8/32 and 1/2
 * threads, never slower; on Sapphire Rapids (avx512) 24 tiles against 18: 1.03 / 0.99 at 1
 * thread, batch 1 / 8 (docs/performance.md). F(2x2) (stages 4-5, 256-512 channels, large
 * transformed weights that smaller chunks would stream again per chunk): 24, 48 or 96 tiles
 * were no better than 256 (0.96-1.06). */
#define WINO4_TILE_ROWS_MAX 8 /* the tallest register tile F(4x4) runs on (avx512: 8; AMX never) */

static size_t wino_chunk(int m, int tile_rows)
{
    if (m != 4) return 256;
    return 3 * (size_t)(tile_rows > WINO4_TILE_ROWS_MAX ? WINO4_TILE_ROWS_MAX : tile_rows);
}

/* Tiles a thread takes at a time at 2+ threads: about WINO_GRABS_PER_THREAD grabs each, a
 * multiple of the product's tile rows (no part-empty register tile), at most a chunk. Halves
 * left one thread idle when the other vCPU ran slower (steal time of 7-12% on the Zen 3 guest
 * of 2026-12-08); the grabs measured 1.04 / 1.04 / 1.01x and 1.02 / 1.02 / 1.05x the whole
 * pass at 2 threads, batch 1 / 8 / 32 (bench/products, in-process alternation, two runs of 21
 * rounds; docs/performance.md). */
#define WINO_GRABS_PER_THREAD 16

static size_t wino_grab(size_t tiles, int threads, size_t chunk, size_t tile_rows)
{
    size_t g = tiles / ((size_t)threads * WINO_GRABS_PER_THREAD);
    g = (g + tile_rows - 1) / tile_rows * tile_rows;
    if (g < tile_rows)
        g = tile_rows;
    return g < chunk ? g : chunk;
}

/* the most tiles a chunk holds: the workspace is sized for it */
static size_t wino_chunk_max(int m)
{
    return m == 4 ? 3 * WINO4_TILE_ROWS_MAX : 256;
}

int vc_conv_winograd_ok(const struct vc_conv_desc *d)
{
    return d->kh == 3 && d->kw == 3 && d->stride == 1 && d->pad == 1 && d->cin <= VC_WINO_MAX_CIN &&
           d->cout <= VC_WINO_MAX_CIN;
}

static int wino_m_ok(int m)
{
    return m == 2 || m == 4;
}

size_t vc_conv_winograd_kernel_floats(const struct vc_conv_desc *d, int m)
{
    return (size_t)(m + 2) * (m + 2) * d->cin * d->cout;
}

/* G for each tile size, row-major [alpha][3] */
static const double k_g2[4][3] = { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } };
static const double k_g4[6][3] = { { 1.0 / 4, 0, 0 },
                                   { -1.0 / 6, -1.0 / 6, -1.0 / 6 },
                                   { -1.0 / 6, 1.0 / 6, -1.0 / 6 },
                                   { 1.0 / 24, 1.0 / 12, 1.0 / 6 },
                                   { 1.0 / 24, -1.0 / 12, 1.0 / 6 },
                                   { 0, 0, 1 } };

void vc_conv_winograd_transform_kernel(const struct vc_conv_desc *d, int m, const float *kernel, float *u)
{
    const int al = m + 2;
    const double(*g)[3] = m == 4 ? k_g4 : k_g2;
    const size_t cc = (size_t)d->cin * d->cout;
    for (size_t q = 0; q < cc; q++) { /* q = ci * cout + co: HWIO index within one tap */
        double k[3][3], t[6][3];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) k[a][b] = kernel[((size_t)a * 3 + b) * cc + q];
        for (int a = 0; a < al; a++) /* t = G k */
            for (int b = 0; b < 3; b++) t[a][b] = g[a][0] * k[0][b] + g[a][1] * k[1][b] + g[a][2] * k[2][b];
        for (int a = 0; a < al; a++) /* u = t G^T */
            for (int b = 0; b < al; b++)
                u[(size_t)(a * al + b) * cc + q] = (float)(t[a][0] * g[b][0] + t[a][1] * g[b][1] + t[a][2] * g[b][2]);
    }
}

/* V's and M's alpha^2 matrices (chunk x cin, chunk x cout) lie this many floats more than
 * their size apart. Unskewed, they are 6 or 12 KB apart at F(4x4)'s 24 tiles of 64 or 128
 * channels: the 36 rows one tile's transform writes (and reads) then share one or two of
 * L1's 64 sets and alias in 4 KB, and evict one another. Two lines of skew: 1.04-1.05x the
 * whole pass at 1 thread, 1.01-1.06x at 2 (bench/products --vary, one process, Emerald
 * Rapids, 2026-12-07; 16 and 48 floats within 0.01); results bit-identical. */
#define WINO_SKEW 32

/* floats from one of V's (M's) matrices to the next */
static size_t wino_stride(size_t chunk, int c)
{
    return chunk * (size_t)c + WINO_SKEW;
}

/* per thread: V [alpha^2][chunk][cin], M [alpha^2][chunk][cout] (each matrix wino_stride
 * apart) and m^2 - 1 scratch rows of cout (outputs of edge tiles beyond the image) */
static size_t wino_thread_floats(int m, int cin, int cout)
{
    size_t a2 = (size_t)(m + 2) * (m + 2), chunk = wino_chunk_max(m);
    return a2 * (wino_stride(chunk, cin) + wino_stride(chunk, cout)) + (size_t)(m * m - 1) * cout;
}

size_t vc_conv_winograd_workspace_floats(const struct vc_conv_desc *d, int m, int threads)
{
    return (size_t)threads * wino_thread_floats(m, d->cin, d->cout);
}

struct wino_job {
    const struct vc_conv_desc *d;
    const struct wino_isa *isa;
    const vc_gemm_b *u;
    const float *bias, *x;
    float *y, *ws;
    int m, n, h, w, th, tw, relu, acc;
    size_t tiles, chunk; /* tiles per chunk: the products' rows (wino_chunk) */
    size_t vs, ms;       /* V's and M's matrix strides (wino_stride) */
    size_t grab;         /* 0: static split; else tiles taken at a time from `next` (wino_grab) */
    atomic_size_t next;
};

/* Zeros standing in for input pixels in the padding and for a missing bias. */
static const float g_zeros[VC_WINO_MAX_CIN];

/* 8 floats as one value (GCC/Clang vector extension): SSE pairs by default, one AVX
 * register in the avx2 clones below. aligned(4): loads and stores may be unaligned; a
 * vector type may alias its element type. */
typedef float vf8 __attribute__((vector_size(32), aligned(4)));
typedef int vi8 __attribute__((vector_size(32), aligned(4)));
#define LD8(p) (*(const vf8 *)(p))
#define ST8(p, x) (*(vf8 *)(p) = (x))
#define RELU8(x) ((vf8)((vi8)(x) & ((x) > (vf8){ 0 })))
#define LD1(p) (*(p))
#define ST1(p, x) (*(p) = (x))
#define RELU1(x) ((x) < 0.0f ? 0.0f : (x))

/* ---- F(2x2, 3x3) ------------------------------------------------------------------------ */

/* Input transform of one tile, all channels: v[q * vs + c] = (B^T d B)[q] for the 4x4
 * input patch d whose 16 pixels start at p[0..15] (channel c at p[q][c]; padding pixels
 * point at zeros, so the channel loop has no branches), for the vectors of channels at c. */
#define WINO2_IN(T, LD, ST, c)                                                                                \
    do {                                                                                                      \
        T d[16], r[16];                                                                                       \
        for (int q = 0; q < 16; q++) d[q] = LD(p[q] + (c));                                                   \
        for (int b = 0; b < 4; b++) { /* r = B^T d */                                                         \
            r[0 + b] = d[0 + b] - d[8 + b];                                                                   \
            r[4 + b] = d[4 + b] + d[8 + b];                                                                   \
            r[8 + b] = d[8 + b] - d[4 + b];                                                                   \
            r[12 + b] = d[4 + b] - d[12 + b];                                                                 \
        }                                                                                                     \
        for (int a = 0; a < 4; a++) { /* V = r B */                                                           \
            ST(v + (size_t)(a * 4 + 0) * vs + (c), r[a * 4 + 0] - r[a * 4 + 2]);                              \
            ST(v + (size_t)(a * 4 + 1) * vs + (c), r[a * 4 + 1] + r[a * 4 + 2]);                              \
            ST(v + (size_t)(a * 4 + 2) * vs + (c), r[a * 4 + 2] - r[a * 4 + 1]);                              \
            ST(v + (size_t)(a * 4 + 3) * vs + (c), r[a * 4 + 1] - r[a * 4 + 3]);                              \
        }                                                                                                     \
    } while (0)

/* Output transform of one tile, for the vectors of channels at c: the 2x2 outputs A^T m A +
 * bias (+ the value already in y when acc) (ReLU when relu), written to o[0..3]. */
#define WINO2_OUT(T, LD, ST, RELU, c)                                                                         \
    do {                                                                                                      \
        T x[16];                                                                                              \
        for (int q = 0; q < 16; q++) x[q] = LD(mt + (size_t)q * ms + (c));                                   \
        /* r = A^T m */                                                                                       \
        T a0 = x[0] + x[4] + x[8], a1 = x[1] + x[5] + x[9], a2 = x[2] + x[6] + x[10], a3 = x[3] + x[7] + x[11]; \
        T b0 = x[4] - x[8] - x[12], b1 = x[5] - x[9] - x[13], b2 = x[6] - x[10] - x[14],                     \
          b3 = x[7] - x[11] - x[15];                                                                          \
        T bv = LD(bias + (c));                                                                                \
        T val[4] = { a0 + a1 + a2 + bv, a1 - a2 - a3 + bv, b0 + b1 + b2 + bv, b1 - b2 - b3 + bv };           \
        for (int k = 0; k < 4; k++) {                                                                         \
            float *dst = o[k] + (c);                                                                          \
            if (acc) val[k] += LD(dst);                                                                       \
            if (relu) val[k] = RELU(val[k]);                                                                  \
            ST(dst, val[k]);                                                                                  \
        }                                                                                                     \
    } while (0)

/* ---- F(4x4, 3x3) ------------------------------------------------------------------------ */

/* One 6-point column (or row) of B^T d: s[i * st] for i = 0..5 from d[i * sd]. */
#define BT6(T, s, st, d, sd)                                                                                  \
    do {                                                                                                      \
        T d0 = (d)[0], d1 = (d)[(sd)], d2 = (d)[2 * (sd)], d3 = (d)[3 * (sd)], d4 = (d)[4 * (sd)],            \
          d5 = (d)[5 * (sd)];                                                                                 \
        T t13 = d3 - 4 * d1, t24 = d4 - 4 * d2, u13 = 2 * (d3 - d1), u24 = d4 - d2;                          \
        (s)[0] = 4 * d0 - 5 * d2 + d4;                                                                        \
        (s)[(st)] = t24 + t13;                                                                                \
        (s)[2 * (st)] = t24 - t13;                                                                            \
        (s)[3 * (st)] = u24 + u13;                                                                            \
        (s)[4 * (st)] = u24 - u13;                                                                            \
        (s)[5 * (st)] = 4 * d1 - 5 * d3 + d5;                                                                 \
    } while (0)

#define WINO4_IN(T, LD, ST, c)                                                                                \
    do {                                                                                                      \
        T d[36], r[36], s[6];                                                                                 \
        for (int q = 0; q < 36; q++) d[q] = LD(p[q] + (c));                                                   \
        for (int b = 0; b < 6; b++) BT6(T, r + b, 6, d + b, 6); /* r = B^T d, column by column */            \
        for (int a = 0; a < 6; a++) {                           /* V = r B, row by row */                     \
            BT6(T, s, 1, r + a * 6, 1);                                                                       \
            for (int b = 0; b < 6; b++) ST(v + (size_t)(a * 6 + b) * vs + (c), s[b]);                         \
        }                                                                                                     \
    } while (0)

/* One 6-point row of A^T: o[i * so] for i = 0..3 from x[i * sx]. */
#define AT6(T, o, so, x, sx)                                                                                  \
    do {                                                                                                      \
        T x0 = (x)[0], x1 = (x)[(sx)], x2 = (x)[2 * (sx)], x3 = (x)[3 * (sx)], x4 = (x)[4 * (sx)],            \
          x5 = (x)[5 * (sx)];                                                                                 \
        T p12 = x1 + x2, m12 = x1 - x2, p34 = x3 + x4, m34 = x3 - x4;                                         \
        (o)[0] = x0 + p12 + p34;                                                                              \
        (o)[(so)] = m12 + 2 * m34;                                                                            \
        (o)[2 * (so)] = p12 + 4 * p34;                                                                        \
        (o)[3 * (so)] = m12 + 8 * m34 + x5;                                                                   \
    } while (0)

/* Output transform of one tile, for the vectors of channels at c: the 4x4 outputs A^T m A +
 * bias (+ y when acc) (ReLU when relu) into o[0..15]. */
#define WINO4_OUT(T, LD, ST, RELU, c)                                                                         \
    do {                                                                                                      \
        T x[36], r[24], s[4];                                                                                 \
        for (int q = 0; q < 36; q++) x[q] = LD(mt + (size_t)q * ms + (c));                                   \
        for (int b = 0; b < 6; b++) AT6(T, r + b, 6, x + b, 6); /* r = A^T m: 4 x 6 */                       \
        T bv = LD(bias + (c));                                                                                \
        for (int a = 0; a < 4; a++) {                                                                         \
            AT6(T, s, 1, r + a * 6, 1); /* row a of (A^T m) A */                                              \
            for (int b = 0; b < 4; b++) {                                                                     \
                float *dst = o[a * 4 + b] + (c);                                                              \
                T val = s[b] + bv;                                                                            \
                if (acc) val += LD(dst);                                                                      \
                if (relu) val = RELU(val);                                                                    \
                ST(dst, val);                                                                                 \
            }                                                                                                 \
        }                                                                                                     \
    } while (0)

/* ---- the transforms per instruction set ---------------------------------------------------
 * Each set's four functions: the channel loop 8 wide, then one channel at a time; every
 * body above, compiled for the set's target. The input transforms
 * read the tile's alpha^2 pixels at p[q] (padding pixels point at zeros, so the loops have
 * no branches) and write V's rows v[q * vs]; the output transforms read M's rows mt[q * ms]
 * and write the m x m outputs o[k] (scratch rows for outputs beyond the image edge). */
#define WINO_TRANSFORMS(isa, TARGET)                                                                          \
    TARGET static void wino2_in_##isa(const float *const *p, float *restrict v, size_t vs, int cin)         \
    {                                                                                                         \
        int c = 0;                                                                                            \
        for (; c + 8 <= cin; c += 8) WINO2_IN(vf8, LD8, ST8, c);                                              \
        for (; c < cin; c++) WINO2_IN(float, LD1, ST1, c);                                                    \
    }                                                                                                         \
    TARGET static void wino4_in_##isa(const float *const *p, float *restrict v, size_t vs, int cin)         \
    {                                                                                                         \
        int c = 0;                                                                                            \
        for (; c + 8 <= cin; c += 8) WINO4_IN(vf8, LD8, ST8, c);                                              \
        for (; c < cin; c++) WINO4_IN(float, LD1, ST1, c);                                                    \
    }                                                                                                         \
    TARGET static void wino2_out_##isa(const float *restrict mt, size_t ms, const float *restrict bias,      \
                                       float *const *o, int cout, int acc, int relu)                          \
    {                                                                                                         \
        int c = 0;                                                                                            \
        for (; c + 8 <= cout; c += 8) WINO2_OUT(vf8, LD8, ST8, RELU8, c);                                     \
        for (; c < cout; c++) WINO2_OUT(float, LD1, ST1, RELU1, c);                                           \
    }                                                                                                         \
    TARGET static void wino4_out_##isa(const float *restrict mt, size_t ms, const float *restrict bias,      \
                                       float *const *o, int cout, int acc, int relu)                          \
    {                                                                                                         \
        int c = 0;                                                                                            \
        for (; c + 8 <= cout; c += 8) WINO4_OUT(vf8, LD8, ST8, RELU8, c);                                     \
        for (; c < cout; c++) WINO4_OUT(float, LD1, ST1, RELU1, c);                                           \
    }

WINO_TRANSFORMS(avx2, __attribute__((target("avx2"))))
WINO_TRANSFORMS(sse2, )

static int has_avx2(void) { __builtin_cpu_init(); return __builtin_cpu_supports("avx2"); }
static int has_sse2(void) { return 1; } /* x86-64's baseline */

typedef void wino_in_fn(const float *const *p, float *restrict v, size_t vs, int cin);
typedef void wino_out_fn(const float *restrict mt, size_t ms, const float *restrict bias, float *const *o, int cout,
                         int acc, int relu);

struct wino_isa {
    const char *name;
    int (*supported)(void);
    wino_in_fn *in2, *in4;
    wino_out_fn *out2, *out4;
};

/* fastest first: auto takes the first one the CPU has */
static const struct wino_isa k_isas[] = {
    { "avx2", has_avx2, wino2_in_avx2, wino4_in_avx2, wino2_out_avx2, wino4_out_avx2 },
    { "sse2", has_sse2, wino2_in_sse2, wino4_in_sse2, wino2_out_sse2, wino4_out_sse2 },
};
#define N_ISAS (int)(sizeof k_isas / sizeof k_isas[0])

/* The transforms VIDCLASS_TRANSFORMS names (unset, empty or "auto": the fastest the CPU has),
 * read at every convolution so tests and benchmarks can switch between passes. */
static int wino_isa_choose(const struct wino_isa **out)
{
    const char *env = getenv("VIDCLASS_TRANSFORMS");
    const int pick = env && *env && strcmp(env, "auto") != 0;
    for (int i = 0; i < N_ISAS; i++) {
        if (pick && strcmp(env, k_isas[i].name) != 0)
            continue;
        if (k_isas[i].supported()) {
            *out = &k_isas[i];
            return VC_OK;
        }
        if (pick)
            return vc_error(VC_ERR_UNSUPPORTED, "VIDCLASS_TRANSFORMS=%s: this CPU lacks %s", env, env);
    }
    return vc_error(VC_ERR_INVALID_ARG, "VIDCLASS_TRANSFORMS='%s': use avx2, sse2 or auto", env ? env : "");
}

int vc_conv_winograd_isa(const char **name)
{
    const struct wino_isa *isa = NULL;
    int rc = wino_isa_choose(&isa);
    *name = rc == VC_OK ? isa->name : NULL;
    return rc;
}

/* ---- the tiled convolution, either size --------------------------------------------------- */

/* Thread ti's V, M and scratch (m*m - 1 rows of cout: outputs off the edge) in the workspace. */
struct wino_bufs {
    float *V, *M, *scratch;
};

static struct wino_bufs wino_thread_bufs(const struct wino_job *j, int ti)
{
    const int a2 = (j->m + 2) * (j->m + 2);
    struct wino_bufs b;
    b.V = j->ws + (size_t)ti * wino_thread_floats(j->m, j->d->cin, j->d->cout);
    b.M = b.V + (size_t)a2 * j->vs;
    b.scratch = b.M + (size_t)a2 * j->ms;
    return b;
}

/* Tile t's image, and its row and column among that image's th x tw tiles. */
static void tile_at(const struct wino_job *j, size_t t, size_t *img, int *ty, int *tx)
{
    const size_t per_image = (size_t)j->th * j->tw;
    const int rem = (int)(t % per_image);
    *img = t / per_image;
    *ty = rem / j->tw;
    *tx = rem % j->tw;
}

/* Input transform of tiles [t0, t1) into V's rows t - base, all channels of a tile at once. */
static void wino_in(const struct wino_job *j, float *V, size_t base, size_t t0, size_t t1)
{
    const int cin = j->d->cin, h = j->h, w = j->w, m = j->m, al = m + 2;
    for (size_t t = t0; t < t1; t++) {
        size_t img;
        int ty, tx;
        tile_at(j, t, &img, &ty, &tx);
        const float *xi = j->x + img * (size_t)h * w * cin;
        const float *dp[36];
        for (int a = 0; a < al; a++)
            for (int b = 0; b < al; b++) {
                int iy = m * ty - 1 + a, ix = m * tx - 1 + b;
                dp[a * al + b] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? xi + ((size_t)iy * w + ix) * cin : g_zeros;
            }
        (m == 4 ? j->isa->in4 : j->isa->in2)(dp, V + (t - base) * cin, j->vs, cin);
    }
}

/* Products xi0..xi1-1: M[xi] (rows x cout) = V[xi] (rows x cin) U[xi] (cin x cout). */
static void wino_products(const struct wino_job *j, const float *V, float *M, size_t rows, int xi0, int xi1)
{
    for (int xi = xi0; xi < xi1; xi++)
        vc_gemm_b_run((int)rows, V + (size_t)xi * j->vs, j->d->cin, j->u, xi, M + (size_t)xi * j->ms, j->d->cout,
                      NULL, 0);
}

/* Output transform of tiles [t0, t1) from M's rows t - base, + bias (+ residual) (+ ReLU). */
static void wino_out(const struct wino_job *j, const float *M, float *scratch, size_t base, size_t t0, size_t t1)
{
    const int cout = j->d->cout, h = j->h, w = j->w, m = j->m;
    const float *bias = j->bias ? j->bias : g_zeros;
    for (size_t t = t0; t < t1; t++) {
        size_t img;
        int ty, tx;
        tile_at(j, t, &img, &ty, &tx);
        float *yi = j->y + img * (size_t)h * w * cout;
        float *o[16];
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) {
                int oy = m * ty + a, ox = m * tx + b;
                int k = a * m + b; /* k = 0 is always inside: th = ceil(h / m), tw likewise */
                int inside = oy < h && ox < w;
                o[k] = inside ? yi + ((size_t)oy * w + ox) * cout : scratch + (size_t)(k - 1) * cout;
                if (j->acc && !inside) /* read by acc: defined values */
                    memset(o[k], 0, sizeof(float) * (size_t)cout);
            }
        const float *mt = M + (t - base) * cout;
        (m == 4 ? j->isa->out4 : j->isa->out2)(mt, j->ms, bias, o, cout, j->acc, j->relu);
    }
}

/* Split by tiles, all three steps on the thread's own buffers: on the pool the threads take
 * j->grab tiles at a time from a shared counter; on the calling thread alone (grab 0) it
 * takes tiles [tiles*ti/nt, tiles*(ti+1)/nt), all of them, in chunks. */
static void wino_part(int ti, int nt, void *arg)
{
    struct wino_job *j = arg;
    const int a2 = (j->m + 2) * (j->m + 2);
    const struct wino_bufs b = wino_thread_bufs(j, ti);
    size_t cursor = vc_pool_share(j->tiles, ti, nt), t0, t1;
    const size_t hi = vc_pool_share(j->tiles, ti + 1, nt);
    while (j->grab ? vc_pool_next(&j->next, &cursor, j->tiles, j->grab, &t0, &t1)
                   : vc_pool_next(NULL, &cursor, hi, j->chunk, &t0, &t1)) {
        PROF_MARK(pt);
        wino_in(j, b.V, t0, t0, t1);
        PROF_ADD(ti, VC_PROF_WINO_IN, pt);
        wino_products(j, b.V, b.M, t1 - t0, 0, a2);
        PROF_ADD(ti, VC_PROF_GEMM, pt);
        wino_out(j, b.M, b.scratch, t0, t0, t1);
        PROF_ADD(ti, VC_PROF_WINO_OUT, pt);
    }
}

/* Split by products, for few tiles (one chunk holds them all: stages 3-5 at batch 1): the
 * tiles' transforms are split by tiles, the alpha^2 products by xi, all in thread 0's V and
 * M, so each thread reads only its share of the transformed weights and no thread pads a
 * few tiles to the kernel's 6-row tile. Three passes over the pool, one per step. */
static void wino_few_in(int ti, int nt, void *arg)
{
    const struct wino_job *j = arg;
    PROF_MARK(pt);
    wino_in(j, wino_thread_bufs(j, 0).V, 0, vc_pool_share(j->tiles, ti, nt), vc_pool_share(j->tiles, ti + 1, nt));
    PROF_ADD(ti, VC_PROF_WINO_IN, pt);
}

static void wino_few_products(int ti, int nt, void *arg)
{
    const struct wino_job *j = arg;
    const size_t a2 = (size_t)(j->m + 2) * (j->m + 2);
    const struct wino_bufs b = wino_thread_bufs(j, 0);
    PROF_MARK(pt);
    wino_products(j, b.V, b.M, j->tiles, (int)vc_pool_share(a2, ti, nt), (int)vc_pool_share(a2, ti + 1, nt));
    PROF_ADD(ti, VC_PROF_GEMM, pt);
}

static void wino_few_out(int ti, int nt, void *arg)
{
    const struct wino_job *j = arg;
    PROF_MARK(pt);
    wino_out(j, wino_thread_bufs(j, 0).M, wino_thread_bufs(j, ti).scratch, 0, vc_pool_share(j->tiles, ti, nt),
             vc_pool_share(j->tiles, ti + 1, nt));
    PROF_ADD(ti, VC_PROF_WINO_OUT, pt);
}

int vc_conv2d_winograd(const struct vc_conv_desc *d, int m, const vc_gemm_b *u, const float *bias,
                       const float *x, int n, int h, int w, float *y, int flags,
                       float *ws, size_t ws_floats)
{
    if (!d || !vc_conv_winograd_ok(d) || !wino_m_ok(m) || !u || !x || !y || n < 1 || h < 1 || w < 1)
        return vc_error(VC_ERR_INVALID_ARG, "%s: needs a 3x3 stride-1 pad-1 convolution and tiles of 2 or 4 (got %d)",
                        __func__, m);
    int uc, uk, un;
    vc_gemm_b_dims(u, &uc, &uk, &un);
    if (uc != (m + 2) * (m + 2) || uk != d->cin || un != d->cout)
        return vc_error(VC_ERR_INVALID_ARG, "%s: transformed weights of %d x %d x %d for F(%dx%d) %d -> %d", __func__,
                        uc, uk, un, m, m, d->cin, d->cout);
    if (m == 4 && vc_gemm_b_precision(u) != VC_PRECISION_FP32)
        return vc_error(VC_ERR_UNSUPPORTED, "%s: F(4x4) with %s products: its transforms (entries up to 8 and 1/24) "
                        "magnify the products' rounding (bf16: ~5-9%% of the output scale, tests/test_conv.c); use "
                        "F(2x2) or im2col", __func__, vc_precision_name(vc_gemm_b_precision(u)));
    const struct wino_isa *isa = NULL;
    int rc = wino_isa_choose(&isa);
    if (rc != VC_OK)
        return rc;
    int threads = vc_pool_threads();
    if (!ws || ws_floats < vc_conv_winograd_workspace_floats(d, m, threads))
        return vc_error(VC_ERR_INVALID_ARG, "%s: workspace of %zu floats, need %zu", __func__, ws_floats,
                        vc_conv_winograd_workspace_floats(d, m, threads));
    struct wino_job j = { d, isa, u, bias, x, y, ws, m, n, h, w, (h + m - 1) / m, (w + m - 1) / m,
                          (flags & VC_CONV_RELU) != 0, (flags & VC_CONV_ACCUMULATE) != 0, 0, 0, 0, 0, 0, 0 };
    j.tiles = (size_t)n * j.th * j.tw;
    j.chunk = wino_chunk(m, vc_gemm_b_tile_rows(u));
    j.vs = wino_stride(j.chunk, d->cin);
    j.ms = wino_stride(j.chunk, d->cout);
    if (threads > 1 && j.tiles <= j.chunk && j.tiles >= (size_t)threads) {
        vc_pool_run(wino_few_in, &j);
        vc_pool_run(wino_few_products, &j);
        vc_pool_run(wino_few_out, &j);
    } else if (threads > 1 && j.tiles >= (size_t)threads * (m == 4 ? 2 : 8)) {
        j.grab = wino_grab(j.tiles, threads, j.chunk, (size_t)vc_gemm_b_tile_rows(u));
        vc_pool_run(wino_part, &j);
    } else {
        wino_part(0, 1, &j);
    }
    return VC_OK;
}
