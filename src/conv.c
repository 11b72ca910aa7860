/* conv.c - im2col + sgemm convolution, max pooling and global average pooling (NHWC). */
#include "vidclass/conv.h"
#include "vidclass/gemm.h"
#include "vidclass/status.h"

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

/* y rows [r0, r1): add bias, then ReLU, in one pass while the rows are in cache. */
static void bias_relu_rows(float *y, size_t rows, int cout, const float *bias, int relu)
{
    for (size_t r = 0; r < rows; r++) {
        float *yr = y + r * (size_t)cout;
        if (bias && relu) {
            for (int c = 0; c < cout; c++) {
                float v = yr[c] + bias[c];
                yr[c] = v > 0.0f ? v : 0.0f;
            }
        } else if (bias) {
            for (int c = 0; c < cout; c++)
                yr[c] += bias[c];
        } else if (relu) {
            for (int c = 0; c < cout; c++)
                yr[c] = yr[c] > 0.0f ? yr[c] : 0.0f;
        }
    }
}

int vc_conv2d(const struct vc_conv_desc *d, const float *kernel, const float *bias,
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
    const size_t rows = (size_t)n * oh * ow;
    const int k = d->kh * d->kw * d->cin;
    const float beta = (flags & VC_CONV_ACCUMULATE) ? 1.0f : 0.0f;
    const int relu = (flags & VC_CONV_RELU) != 0;

    if (conv_is_pointwise(d)) {
        /* The NHWC input already is the [rows, cin] patch matrix. Split into chunks anyway
         * so the bias/ReLU pass touches rows that the GEMM has just written. */
        for (size_t r0 = 0; r0 < rows; r0 += VC_CONV_CHUNK_ROWS) {
            size_t nr = rows - r0 < VC_CONV_CHUNK_ROWS ? rows - r0 : VC_CONV_CHUNK_ROWS;
            vc_sgemm(0, 0, (int)nr, d->cout, k, 1.0f, x + r0 * (size_t)k, k, kernel, d->cout,
                     beta, y + r0 * (size_t)d->cout, d->cout);
            bias_relu_rows(y + r0 * (size_t)d->cout, nr, d->cout, bias, relu);
        }
        return VC_OK;
    }
    size_t need = vc_conv_workspace_floats(d, n, h, w);
    if (!ws || ws_floats < need)
        return vc_error(VC_ERR_INVALID_ARG, "%s: workspace of %zu floats, need %zu",
                        __func__, ws_floats, need);
    size_t chunk = need / (size_t)k;
    for (size_t r0 = 0; r0 < rows; r0 += chunk) {
        size_t r1 = r0 + chunk < rows ? r0 + chunk : rows;
        im2col_rows(d, x, h, w, oh, ow, r0, r1, ws);
        vc_sgemm(0, 0, (int)(r1 - r0), d->cout, k, 1.0f, ws, k, kernel, d->cout, beta,
                 y + r0 * (size_t)d->cout, d->cout);
        bias_relu_rows(y + r0 * (size_t)d->cout, r1 - r0, d->cout, bias, relu);
    }
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
                float *yo = y + (((size_t)b * oh + oy) * ow + ox) * c;
                int first = 1;
                for (int ky = 0; ky < k; ky++) {
                    for (int kx = 0; kx < k; kx++) {
                        int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                        int inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
                        const float *xi = inside ? xb + ((size_t)iy * w + ix) * c : NULL;
                        for (int ch = 0; ch < c; ch++) {
                            float v = inside ? xi[ch] : 0.0f; /* ZeroPadding2D value */
                            if (first || v > yo[ch])
                                yo[ch] = v;
                        }
                        first = 0;
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
