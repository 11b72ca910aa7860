/* conv.c - im2col + sgemm convolution, max pooling and global average pooling (NHWC). */
#include "vidclass/conv.h"
#include "vidclass/gemm.h"
#include "vidclass/status.h"
#include "pool.h"
#include "profile_internal.h"

#include <string.h>

int vc_conv_out_dim(int in, int k, int stride, int pad)
{
    return (in + 2 * pad - k) / stride + 1;
}

static int conv_is_pointwise(const struct vc_conv_desc *d)
{
    return d->kh == 1 && d->kw == 1 && d->stride == 1 && d->pad == 0;
}

size_t vc_conv_workspace_floats(const struct vc_conv_desc *d, int n, int h, int w)
{
    if (conv_is_pointwise(d))
        return 0;
    size_t oh = (size_t)vc_conv_out_dim(h, d->kh, d->stride, d->pad);
    size_t ow = (size_t)vc_conv_out_dim(w, d->kw, d->stride, d->pad);
    size_t rows = (size_t)n * oh * ow;
    if (rows > VC_CONV_CHUNK_ROWS)
        rows = VC_CONV_CHUNK_ROWS;
    return rows * (size_t)d->kh * d->kw * d->cin;
}

/*
 * Gather patch rows [r0, r1) of the flattened (n, oh, ow) output grid into col
 * (row-major [r1 - r0, kh*kw*cin]). Each (ky, kx) tap copies cin contiguous floats, or
 * writes zeros where the tap falls into the padding.
 */
static void im2col_rows(const struct vc_conv_desc *d, const float *x, int h, int w,
                        int oh, int ow, size_t r0, size_t r1, float *col)
{
    const int cin = d->cin;
    const size_t row_len = (size_t)d->kh * d->kw * cin;
    for (size_t r = r0; r < r1; r++) {
        size_t img = r / ((size_t)oh * ow);
        int rem = (int)(r % ((size_t)oh * ow));
        int oy = rem / ow, ox = rem % ow;
        const float *xi = x + img * (size_t)h * w * cin;
        float *dst = col + (r - r0) * row_len;
        int iy0 = oy * d->stride - d->pad;
        int ix0 = ox * d->stride - d->pad;
        for (int ky = 0; ky < d->kh; ky++) {
            int iy = iy0 + ky;
            if (iy < 0 || iy >= h) {
                memset(dst, 0, sizeof(float) * (size_t)d->kw * cin);
                dst += (size_t)d->kw * cin;
                continue;
            }
            const float *xrow = xi + (size_t)iy * w * cin;
            if (ix0 >= 0 && ix0 + d->kw <= w) {
                /* whole kernel row inside the image: one contiguous copy */
                memcpy(dst, xrow + (size_t)ix0 * cin, sizeof(float) * (size_t)d->kw * cin);
                dst += (size_t)d->kw * cin;
                continue;
            }
            for (int kx = 0; kx < d->kw; kx++) {
                int ix = ix0 + kx;
                if (ix < 0 || ix >= w)
                    memset(dst, 0, sizeof(float) * (size_t)cin);
                else
                    memcpy(dst, xrow + (size_t)ix * cin, sizeof(float) * (size_t)cin);
                dst += cin;
            }
        }
    }
}

/* One convolution split by output rows over the pool: thread i takes rows
 * [rows*i/n, rows*(i+1)/n) in chunks, with its own slice of the workspace. Each thread
 * runs single-threaded GEMMs: two independent GEMMs on these thin matrices (N = 64..2048)
 * scale better than one GEMM split by OpenBLAS (measured in bench/forward). */
struct conv_job {
    const struct vc_conv_desc *d;
    const vc_gemm_b *kernel;
    const float *bias, *x;
    int h, w, oh, ow, flags, pointwise;
    float *y, *ws;
    size_t rows, chunk; /* chunk: rows per GEMM per thread */
};

static void conv_part(int i, int n, void *arg)
{
    const struct conv_job *j = arg;
    const struct vc_conv_desc *d = j->d;
    const int k = d->kh * d->kw * d->cin;
    size_t lo = vc_pool_share(j->rows, i, n), hi = vc_pool_share(j->rows, i + 1, n);
    float *ws = j->ws ? j->ws + (size_t)i * j->chunk * (size_t)k : NULL;
    for (size_t r0 = lo; r0 < hi; r0 += j->chunk) {
        size_t r1 = r0 + j->chunk < hi ? r0 + j->chunk : hi;
        const float *a = j->x + r0 * (size_t)k; /* pointwise: the NHWC input is the patch matrix */
        PROF_MARK(t);
        if (!j->pointwise) {
            im2col_rows(d, j->x, j->h, j->w, j->oh, j->ow, r0, r1, ws);
            a = ws;
            PROF_ADD(i, VC_PROF_IM2COL, t);
        }
        /* bias, residual and ReLU inside the product (packed) or right after it (blas) */
        vc_gemm_b_run((int)(r1 - r0), a, k, j->kernel, 0, j->y + r0 * (size_t)d->cout, d->cout, j->bias,
                      j->flags);
        PROF_ADD(i, VC_PROF_GEMM, t);
    }
}

int vc_conv2d(const struct vc_conv_desc *d, const vc_gemm_b *kernel, const float *bias,
              const float *x, int n, int h, int w, float *y, int flags,
              float *ws, size_t ws_floats)
{
    if (!d || !kernel || !x || !y || n < 1 || h < 1 || w < 1 || d->stride < 1 || d->pad < 0)
        return vc_error(VC_ERR_INVALID_ARG, "%s: invalid arguments", __func__);
    const int oh = vc_conv_out_dim(h, d->kh, d->stride, d->pad);
    const int ow = vc_conv_out_dim(w, d->kw, d->stride, d->pad);
    if (oh < 1 || ow < 1)
        return vc_error(VC_ERR_INVALID_ARG, "%s: input %dx%d too small for kernel %dx%d/%d pad %d",
                        __func__, h, w, d->kh, d->kw, d->stride, d->pad);
    const int k = d->kh * d->kw * d->cin;
    int kc, kk, kn;
    vc_gemm_b_dims(kernel, &kc, &kk, &kn);
    if (kc != 1 || kk != k || kn != d->cout)
        return vc_error(VC_ERR_INVALID_ARG, "%s: weights of %d x %d x %d for a %dx%dx%d -> %d convolution", __func__,
                        kc, kk, kn, d->kh, d->kw, d->cin, d->cout);
    const int gflags = ((flags & VC_CONV_ACCUMULATE) ? VC_GEMM_ACCUMULATE : 0) | ((flags & VC_CONV_RELU) ? VC_GEMM_RELU : 0);
    struct conv_job j = { d, kernel, bias, x, h, w, oh, ow, gflags, conv_is_pointwise(d), y, NULL, (size_t)n * oh * ow, 0 };
    int threads = vc_pool_threads();
    if (j.pointwise) {
        j.chunk = VC_CONV_CHUNK_ROWS / (size_t)threads; /* keeps a blas epilogue on rows still in cache */
    } else {
        size_t need = vc_conv_workspace_floats(d, n, h, w);
        if (!ws || ws_floats < need)
            return vc_error(VC_ERR_INVALID_ARG, "%s: workspace of %zu floats, need %zu",
                            __func__, ws_floats, need);
        j.ws = ws;
        j.chunk = need / (size_t)k / (size_t)threads; /* each thread gets 1/threads of it */
        if (j.chunk == 0) { /* fewer rows than threads: one thread does them all */
            j.chunk = need / (size_t)k;
            threads = 1;
        }
    }
    if (threads > 1 && j.rows >= (size_t)threads * 16)
        vc_pool_run(conv_part, &j);
    else
        conv_part(0, 1, &j);
    return VC_OK;
}

void vc_maxpool2d(const float *x, int n, int h, int w, int c, int k, int stride, int pad,
                  float *y)
{
    const int oh = vc_conv_out_dim(h, k, stride, pad);
    const int ow = vc_conv_out_dim(w, k, stride, pad);
    for (int b = 0; b < n; b++) {
        const float *xb = x + (size_t)b * h * w * c;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                float *restrict yo = y + (((size_t)b * oh + oy) * ow + ox) * c;
                /* a window reaching into the padding includes its zeros (ZeroPadding2D) */
                int y0 = oy * stride - pad, x0 = ox * stride - pad;
                int padded = y0 < 0 || x0 < 0 || y0 + k > h || x0 + k > w;
                int first = !padded;
                if (padded)
                    for (int ch = 0; ch < c; ch++) yo[ch] = 0.0f;
                for (int iy = y0 < 0 ? 0 : y0; iy < y0 + k && iy < h; iy++) {
                    for (int ix = x0 < 0 ? 0 : x0; ix < x0 + k && ix < w; ix++) {
                        const float *restrict xi = xb + ((size_t)iy * w + ix) * c;
                        if (first) {
                            memcpy(yo, xi, sizeof(float) * (size_t)c);
                            first = 0;
                            continue;
                        }
                        for (int ch = 0; ch < c; ch++) /* branch-free: vectorised */
                            yo[ch] = xi[ch] > yo[ch] ? xi[ch] : yo[ch];
                    }
                }
            }
        }
    }
}

void vc_global_avgpool(const float *x, int n, int h, int w, int c, float *y)
{
    const size_t hw = (size_t)h * w;
    for (int b = 0; b < n; b++) {
        float *yb = y + (size_t)b * c;
        const float *xb = x + (size_t)b * hw * c;
        /* accumulate in double: 49..3136 terms, keeps the mean exact to float rounding */
        for (int ch = 0; ch < c; ch++) {
            double s = 0.0;
            for (size_t p = 0; p < hw; p++)
                s += xb[p * c + ch];
            yb[ch] = (float)(s / (double)hw);
        }
    }
}
