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

#include <string.h>

#define WINO_TILES 256

int vc_conv_winograd_ok(const struct vc_conv_desc *d)
{
    return d->kh == 3 && d->kw == 3 && d->stride == 1 && d->pad == 1;
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

size_t vc_conv_winograd_workspace_floats(const struct vc_conv_desc *d, int threads)
{
    /* per thread: V [16][tiles][cin] and M [16][tiles][cout] */
    return (size_t)threads * 16 * WINO_TILES * ((size_t)d->cin + d->cout);
}

struct wino_job {
    const struct vc_conv_desc *d;
    const float *u, *bias, *x;
    float *y, *ws;
    int n, h, w, th, tw, relu, acc;
    size_t tiles;
};

static void wino_part(int ti, int nt, void *arg)
{
    const struct wino_job *j = arg;
    const int cin = j->d->cin, cout = j->d->cout, h = j->h, w = j->w;
    float *V = j->ws + (size_t)ti * 16 * WINO_TILES * ((size_t)cin + cout);
    float *M = V + (size_t)16 * WINO_TILES * cin;
    size_t lo = j->tiles * (size_t)ti / (size_t)nt, hi = j->tiles * (size_t)(ti + 1) / (size_t)nt;
    for (size_t t0 = lo; t0 < hi; t0 += WINO_TILES) {
        size_t t1 = t0 + WINO_TILES < hi ? t0 + WINO_TILES : hi, nt0 = t1 - t0;
        /* input transform, all channels of a tile at once */
        for (size_t t = t0; t < t1; t++) {
            size_t img = t / ((size_t)j->th * j->tw);
            int rem = (int)(t % ((size_t)j->th * j->tw)), ty = rem / j->tw, tx = rem % j->tw;
            const float *xi = j->x + img * (size_t)h * w * cin;
            const float *dp[4][4];
            for (int a = 0; a < 4; a++)
                for (int b = 0; b < 4; b++) {
                    int iy = 2 * ty - 1 + a, ix = 2 * tx - 1 + b;
                    dp[a][b] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? xi + ((size_t)iy * w + ix) * cin : NULL;
                }
            float *vt = V + (t - t0) * cin;
            const size_t vs = (size_t)WINO_TILES * cin; /* stride between the 16 V matrices */
            for (int c = 0; c < cin; c++) {
                float d[4][4], r[4][4];
                for (int a = 0; a < 4; a++)
                    for (int b = 0; b < 4; b++) d[a][b] = dp[a][b] ? dp[a][b][c] : 0.0f;
                for (int b = 0; b < 4; b++) { /* r = B^T d */
                    r[0][b] = d[0][b] - d[2][b];
                    r[1][b] = d[1][b] + d[2][b];
                    r[2][b] = d[2][b] - d[1][b];
                    r[3][b] = d[1][b] - d[3][b];
                }
                for (int a = 0; a < 4; a++) { /* V = r B */
                    vt[(size_t)(a * 4 + 0) * vs + c] = r[a][0] - r[a][2];
                    vt[(size_t)(a * 4 + 1) * vs + c] = r[a][1] + r[a][2];
                    vt[(size_t)(a * 4 + 2) * vs + c] = r[a][2] - r[a][1];
                    vt[(size_t)(a * 4 + 3) * vs + c] = r[a][1] - r[a][3];
                }
            }
        }
        /* 16 GEMMs: M[xi] (tiles x cout) = V[xi] (tiles x cin) U[xi] (cin x cout) */
        for (int xi = 0; xi < 16; xi++)
            vc_sgemm(0, 0, (int)nt0, cout, cin, 1.0f, V + (size_t)xi * WINO_TILES * cin, cin,
                     j->u + (size_t)xi * cin * cout, cout, 0.0f, M + (size_t)xi * WINO_TILES * cout, cout);
        /* output transform + bias (+ residual) (+ ReLU) */
        for (size_t t = t0; t < t1; t++) {
            size_t img = t / ((size_t)j->th * j->tw);
            int rem = (int)(t % ((size_t)j->th * j->tw)), ty = rem / j->tw, tx = rem % j->tw;
            const float *mt = M + (t - t0) * cout;
            const size_t ms = (size_t)WINO_TILES * cout;
            float *yi = j->y + img * (size_t)h * w * cout;
            for (int c = 0; c < cout; c++) {
                float m[16], r[2][4];
                for (int q = 0; q < 16; q++) m[q] = mt[q * ms + c];
                for (int b = 0; b < 4; b++) { /* r = A^T m */
                    r[0][b] = m[b] + m[4 + b] + m[8 + b];
                    r[1][b] = m[4 + b] - m[8 + b] - m[12 + b];
                }
                float bias = j->bias ? j->bias[c] : 0.0f;
                for (int a = 0; a < 2; a++) {
                    int oy = 2 * ty + a;
                    if (oy >= h) break;
                    float o[2] = { r[a][0] + r[a][1] + r[a][2], r[a][1] - r[a][2] - r[a][3] };
                    for (int b = 0; b < 2; b++) {
                        int ox = 2 * tx + b;
                        if (ox >= w) break;
                        float *yo = yi + ((size_t)oy * w + ox) * cout + c;
                        float v = o[b] + bias + (j->acc ? *yo : 0.0f);
                        *yo = j->relu && v < 0.0f ? 0.0f : v;
                    }
                }
            }
        }
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
