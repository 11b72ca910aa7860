/* winograd.c - F(2x2, 3x3) convolution, NHWC, channels vectorised (see vidclass/conv.h).
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
 *   G   = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1]
 *   A^T = [1 1 1 0; 0 1 -1 -1]
 * Tiles are processed in chunks of WINO_TILES per thread; each chunk's 16 GEMMs use
 * single-threaded BLAS on the thread that owns the chunk (src/pool.c). */
#include "vidclass/conv.h"
#include "vidclass/gemm.h"
#include "vidclass/status.h"
#include "pool.h"
#include "profile_internal.h"

#include <string.h>

#define WINO_TILES 256
#define VC_WINO_MAX_CIN 2048

int vc_conv_winograd_ok(const struct vc_conv_desc *d)
{
    return d->kh == 3 && d->kw == 3 && d->stride == 1 && d->pad == 1 && d->cin <= VC_WINO_MAX_CIN &&
           d->cout <= VC_WINO_MAX_CIN;
}

size_t vc_conv_winograd_kernel_floats(const struct vc_conv_desc *d)
{
    return 16 * (size_t)d->cin * d->cout;
}

void vc_conv_winograd_transform_kernel(const struct vc_conv_desc *d, const float *kernel, float *u)
{
    const size_t cc = (size_t)d->cin * d->cout;
    for (size_t q = 0; q < cc; q++) { /* q = ci * cout + co: HWIO index within one tap */
        double g[3][3], t[4][3];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) g[a][b] = kernel[((size_t)a * 3 + b) * cc + q];
        for (int b = 0; b < 3; b++) { /* t = G g */
            t[0][b] = g[0][b];
            t[1][b] = 0.5 * (g[0][b] + g[1][b] + g[2][b]);
            t[2][b] = 0.5 * (g[0][b] - g[1][b] + g[2][b]);
            t[3][b] = g[2][b];
        }
        for (int a = 0; a < 4; a++) { /* u = t G^T */
            double r[4] = { t[a][0], 0.5 * (t[a][0] + t[a][1] + t[a][2]), 0.5 * (t[a][0] - t[a][1] + t[a][2]), t[a][2] };
            for (int b = 0; b < 4; b++) u[(size_t)(a * 4 + b) * cc + q] = (float)r[b];
        }
    }
}

/* per thread: V [16][tiles][cin], M [16][tiles][cout] and three scratch rows of cout
 * (outputs of edge tiles beyond the image) */
static size_t wino_thread_floats(int cin, int cout)
{
    return 16 * WINO_TILES * ((size_t)cin + cout) + 3 * (size_t)cout;
}

size_t vc_conv_winograd_workspace_floats(const struct vc_conv_desc *d, int threads)
{
    return (size_t)threads * wino_thread_floats(d->cin, d->cout);
}

struct wino_job {
    const struct vc_conv_desc *d;
    const float *u, *bias, *x;
    float *y, *ws;
    int n, h, w, th, tw, relu, acc;
    size_t tiles;
};

/* Zeros standing in for input pixels in the padding and for a missing bias. */
static const float g_zeros[VC_WINO_MAX_CIN];

/* 8 floats as one value (GCC/Clang vector extension): SSE pairs by default, one AVX
 * register in the avx2 clones below. aligned(4): loads and stores may be unaligned; a
 * vector type may alias its element type. */
typedef float vf8 __attribute__((vector_size(32), aligned(4)));
#define LD8(p) (*(const vf8 *)(p))
#define ST8(p, x) (*(vf8 *)(p) = (x))
#define LD1(p) (*(p))
#define ST1(p, x) (*(p) = (x))

/* Input transform of one tile, all channels: v[q * vs + c] = (B^T d B)[q] for the 4x4
 * input patch d whose 16 pixels start at p[0..15] (channel c at p[q][c]; padding pixels
 * point at zeros, so the channel loop has no branches). 8 channels at a time, then a
 * scalar loop for the rest. */
#define WINO_IN(T, LD, ST, c)                                                                                 \
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

__attribute__((target_clones("avx2", "default")))
static void wino_in_tile(const float *const p[16], float *restrict v, size_t vs, int cin)
{
    int c = 0;
    for (; c + 8 <= cin; c += 8) WINO_IN(vf8, LD8, ST8, c);
    for (; c < cin; c++) WINO_IN(float, LD1, ST1, c);
}

/* Output transform of one tile, all channels: the 2x2 outputs A^T m A + bias (+ the value
 * already in y when acc) (ReLU when relu), written to o[0..3] (o[k] may be a scratch row
 * for outputs beyond the image edge). acc and relu are constants at each call site. */
static inline __attribute__((always_inline)) void
wino_out_tile(const float *restrict mt, size_t ms, const float *restrict bias, float *const o[4], int cout,
              const int acc, const int relu)
{
    const float *restrict m0 = mt, *restrict m1 = mt + ms, *restrict m2 = mt + 2 * ms, *restrict m3 = mt + 3 * ms;
    const float *restrict m4 = mt + 4 * ms, *restrict m5 = mt + 5 * ms, *restrict m6 = mt + 6 * ms, *restrict m7 = mt + 7 * ms;
    const float *restrict m8 = mt + 8 * ms, *restrict m9 = mt + 9 * ms, *restrict m10 = mt + 10 * ms, *restrict m11 = mt + 11 * ms;
    const float *restrict m12 = mt + 12 * ms, *restrict m13 = mt + 13 * ms, *restrict m14 = mt + 14 * ms, *restrict m15 = mt + 15 * ms;
    float *restrict o0 = o[0], *restrict o1 = o[1], *restrict o2 = o[2], *restrict o3 = o[3];
    for (int c = 0; c < cout; c++) {
        /* r = A^T m */
        float a0 = m0[c] + m4[c] + m8[c], a1 = m1[c] + m5[c] + m9[c], a2 = m2[c] + m6[c] + m10[c], a3 = m3[c] + m7[c] + m11[c];
        float b0 = m4[c] - m8[c] - m12[c], b1 = m5[c] - m9[c] - m13[c], b2 = m6[c] - m10[c] - m14[c], b3 = m7[c] - m11[c] - m15[c];
        float v0 = a0 + a1 + a2 + bias[c], v1 = a1 - a2 - a3 + bias[c];
        float v2 = b0 + b1 + b2 + bias[c], v3 = b1 - b2 - b3 + bias[c];
        if (acc) { v0 += o0[c]; v1 += o1[c]; v2 += o2[c]; v3 += o3[c]; }
        if (relu) { v0 = v0 < 0.0f ? 0.0f : v0; v1 = v1 < 0.0f ? 0.0f : v1; v2 = v2 < 0.0f ? 0.0f : v2; v3 = v3 < 0.0f ? 0.0f : v3; }
        o0[c] = v0; o1[c] = v1; o2[c] = v2; o3[c] = v3;
    }
}

static void wino_part(int ti, int nt, void *arg)
{
    const struct wino_job *j = arg;
    const int cin = j->d->cin, cout = j->d->cout, h = j->h, w = j->w;
    float *V = j->ws + (size_t)ti * wino_thread_floats(cin, cout);
    float *M = V + (size_t)16 * WINO_TILES * cin;
    float *scratch = M + (size_t)16 * WINO_TILES * cout; /* 3 x cout floats: outputs off the edge */
    size_t lo = j->tiles * (size_t)ti / (size_t)nt, hi = j->tiles * (size_t)(ti + 1) / (size_t)nt;
    for (size_t t0 = lo; t0 < hi; t0 += WINO_TILES) {
        size_t t1 = t0 + WINO_TILES < hi ? t0 + WINO_TILES : hi, nt0 = t1 - t0;
        PROF_MARK(pt);
        /* input transform, all channels of a tile at once */
        for (size_t t = t0; t < t1; t++) {
            size_t img = t / ((size_t)j->th * j->tw);
            int rem = (int)(t % ((size_t)j->th * j->tw)), ty = rem / j->tw, tx = rem % j->tw;
            const float *xi = j->x + img * (size_t)h * w * cin;
            const float *dp[16];
            for (int a = 0; a < 4; a++)
                for (int b = 0; b < 4; b++) {
                    int iy = 2 * ty - 1 + a, ix = 2 * tx - 1 + b;
                    dp[a * 4 + b] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? xi + ((size_t)iy * w + ix) * cin : g_zeros;
                }
            wino_in_tile(dp, V + (t - t0) * cin, (size_t)WINO_TILES * cin, cin);
        }
        PROF_ADD(ti, VC_PROF_WINO_IN, pt);
        /* 16 GEMMs: M[xi] (tiles x cout) = V[xi] (tiles x cin) U[xi] (cin x cout) */
        for (int xi = 0; xi < 16; xi++)
            vc_sgemm(0, 0, (int)nt0, cout, cin, 1.0f, V + (size_t)xi * WINO_TILES * cin, cin,
                     j->u + (size_t)xi * cin * cout, cout, 0.0f, M + (size_t)xi * WINO_TILES * cout, cout);
        PROF_ADD(ti, VC_PROF_GEMM, pt);
        /* output transform + bias (+ residual) (+ ReLU) */
        for (size_t t = t0; t < t1; t++) {
            size_t img = t / ((size_t)j->th * j->tw);
            int rem = (int)(t % ((size_t)j->th * j->tw)), ty = rem / j->tw, tx = rem % j->tw;
            float *yi = j->y + img * (size_t)h * w * cout;
            float *o[4];
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++) {
                    int oy = 2 * ty + a, ox = 2 * tx + b;
                    int k = a * 2 + b; /* k = 0 is always inside: th = (h + 1) / 2, tw likewise */
                    o[k] = oy < h && ox < w ? yi + ((size_t)oy * w + ox) * cout : scratch + (size_t)(k - 1) * cout;
                    if (j->acc && o[k] != yi + ((size_t)oy * w + ox) * cout) /* read by acc: defined values */
                        memset(o[k], 0, sizeof(float) * (size_t)cout);
                }
            const float *mt = M + (t - t0) * cout;
            const size_t ms = (size_t)WINO_TILES * cout;
            const float *bias = j->bias ? j->bias : g_zeros;
            if (j->acc && j->relu) wino_out_tile(mt, ms, bias, o, cout, 1, 1);
            else if (j->acc) wino_out_tile(mt, ms, bias, o, cout, 1, 0);
            else if (j->relu) wino_out_tile(mt, ms, bias, o, cout, 0, 1);
            else wino_out_tile(mt, ms, bias, o, cout, 0, 0);
        }
        PROF_ADD(ti, VC_PROF_WINO_OUT, pt);
    }
}

int vc_conv2d_winograd(const struct vc_conv_desc *d, const float *u, const float *bias,
                       const float *x, int n, int h, int w, float *y, int flags,
                       float *ws, size_t ws_floats)
{
    if (!d || !vc_conv_winograd_ok(d) || !u || !x || !y || n < 1 || h < 1 || w < 1)
        return vc_error(VC_ERR_INVALID_ARG, "%s: needs a 3x3 stride-1 pad-1 convolution", __func__);
    int threads = vc_pool_threads();
    if (!ws || ws_floats < vc_conv_winograd_workspace_floats(d, threads))
        return vc_error(VC_ERR_INVALID_ARG, "%s: workspace of %zu floats, need %zu", __func__, ws_floats,
                        vc_conv_winograd_workspace_floats(d, threads));
    struct wino_job j = { d, u, bias, x, y, ws, n, h, w, (h + 1) / 2, (w + 1) / 2,
                          (flags & VC_CONV_RELU) != 0, (flags & VC_CONV_ACCUMULATE) != 0, 0 };
    j.tiles = (size_t)n * j.th * j.tw;
    if (threads > 1 && j.tiles >= (size_t)threads * 8)
        vc_pool_run(wino_part, &j);
    else
        wino_part(0, 1, &j);
    return VC_OK;
}
