/* resize.c - OpenCV-exact INTER_LINEAR and a box-filter "area" resize for 8-bit images
 * (see vidclass/resize.h).
 *
 * linear follows OpenCV 4.x's generic resize for CV_8U, as read in modules/imgproc/src/
 * resize.cpp and checked bit for bit against Debian's cv2 4.6 (tests/test_pixels.sh):
 *   scale = 1 / (dst / src) in double; for each output x: fx = (float)((x + 0.5) * scale
 *   - 0.5), sx = floor(fx), fx -= sx; x positions left of 0 or right of the last pixel
 *   clamp to it with fx = 0 (rows are NOT clamped that way: their taps are clipped to the
 *   image instead); weights are round(w * 2048) as int16.
 *   Horizontal pass: int = S[sx] * a0 + S[sx + 1] * a1 (exact).
 *   Vertical pass, OpenCV's SIMD rounding (VResizeLinearVec_32s8u), which Debian's build
 *   applies to every byte of a row (its scalar formula (S0*b0 + S1*b1 + 2^21) >> 22 gives
 *   other values on ~1 in 6 tail bytes and is never used there, we measured):
 *     (mulhi(S0 >> 4, b0) + mulhi(S1 >> 4, b1) + 2) >> 2, mulhi(a, b) = (a * b) >> 16.
 *   An exact 2:1 shrink in both directions is OpenCV's "area fast" path: (a+b+c+d+2) >> 2.
 */
#include "vidclass/resize.h"
#include "vidclass/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define COEF_SCALE 2048 /* INTER_RESIZE_COEF_SCALE: 11 fractional bits */

int vc_resize_parse(const char *name, enum vc_resize_mode *mode)
{
    if (name && strcmp(name, "linear") == 0) { *mode = VC_RESIZE_LINEAR; return VC_OK; }
    if (name && strcmp(name, "area") == 0) { *mode = VC_RESIZE_AREA; return VC_OK; }
    return vc_error(VC_ERR_INVALID_ARG, "unknown resize mode '%s' (expected 'linear' or 'area')", name ? name : "(null)");
}

const char *vc_resize_name(enum vc_resize_mode mode)
{
    return mode == VC_RESIZE_AREA ? "area" : "linear";
}

/* One axis of a separable resize: for output position i, taps at src[lo[i]] and
 * src[hi[i]] with integer weights (linear) or a list of (index, weight) (area). */
struct axis {
    int    *lo, *hi;   /* linear: first and second source index (clipped)        */
    int16_t *w;        /* linear: 2 weights per output position                  */
    int    *start, *n; /* area: first tap and tap count per output position      */
    float  *aw;        /* area: weights, `taps` slots per output position        */
    int     taps;
};

struct vc_resizer {
    int sw, sh, dw, dh, cn;
    enum vc_resize_mode mode;
    int half;          /* linear: exact 2:1 in both directions (OpenCV's area-fast path) */
    struct axis x, y;
    int32_t *row[2];   /* linear: horizontal passes of two source rows, dw*cn ints  */
    int      row_y[2]; /* which source row each holds (-1: none)                     */
    float   *frow;     /* area: vertical pass of one output row, sw*cn floats       */
    int     *xidx;     /* area: source pixel of each horizontal tap (clipped)       */
};

static int16_t round_coef(float v)
{
    /* saturate_cast<short>(float): round half to even (cvRound), then clamp */
    long r = lrintf(v * COEF_SCALE);
    return (int16_t)(r < -32768 ? -32768 : r > 32767 ? 32767 : r);
}

static int clip(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static int linear_axis(struct axis *a, int src, int dst, int clamp_edges)
{
    a->lo = malloc(sizeof(int) * (size_t)dst);
    a->hi = malloc(sizeof(int) * (size_t)dst);
    a->w = malloc(sizeof(int16_t) * 2 * (size_t)dst);
    if (!a->lo || !a->hi || !a->w) return VC_NOMEM;
    const double scale = 1.0 / ((double)dst / (double)src);
    for (int i = 0; i < dst; i++) {
        float f = (float)((i + 0.5) * scale - 0.5);
        int s = (int)floorf(f);
        f -= (float)s;
        if (clamp_edges && s < 0) { f = 0.0f; s = 0; }
        if (clamp_edges && s >= src - 1) { f = 0.0f; s = src - 1; }
        a->lo[i] = clip(s, 0, src - 1);
        a->hi[i] = clip(s + 1, 0, src - 1);
        a->w[2 * i] = round_coef(1.0f - f);
        a->w[2 * i + 1] = round_coef(f);
    }
    return VC_OK;
}

/* Box filter weights: output i covers [i * scale, (i + 1) * scale) of the source; each
 * source pixel j contributes its overlap with that interval, normalised to sum 1. An
 * axis that is enlarged (no area to average) uses the two linear taps instead. */
static int area_axis(struct axis *a, int src, int dst)
{
    const double scale = (double)src / dst;
    const int max_taps = scale < 1.0 ? 2 : (int)ceil(scale) + 2;
    a->start = malloc(sizeof(int) * (size_t)dst);
    a->n = malloc(sizeof(int) * (size_t)dst);
    a->aw = malloc(sizeof(float) * (size_t)dst * (size_t)max_taps);
    if (!a->start || !a->n || !a->aw) return VC_NOMEM;
    a->taps = max_taps;
    for (int i = 0; i < dst; i++) {
        float *w = a->aw + (size_t)i * max_taps;
        if (scale < 1.0) {
            double f = (i + 0.5) * scale - 0.5;
            f = f < 0.0 ? 0.0 : f > src - 1 ? src - 1 : f;
            a->start[i] = (int)floor(f);
            w[0] = (float)(1.0 - (f - floor(f)));
            w[1] = (float)(f - floor(f));
            a->n[i] = 2;
            continue;
        }
        double x0 = i * scale, x1 = (i + 1) * scale, sum = 0.0;
        int k = 0;
        a->start[i] = (int)floor(x0);
        for (int j = (int)floor(x0); j < (int)ceil(x1) && k < max_taps; j++) {
            double ov = (j + 1 < x1 ? j + 1 : x1) - (j > x0 ? j : x0);
            if (ov <= 0.0) continue;
            if (k == 0) a->start[i] = j;
            w[k++] = (float)ov;
            sum += ov;
        }
        for (int t = 0; t < k; t++) w[t] = (float)(w[t] / sum);
        a->n[i] = k;
    }
    return VC_OK;
}

static void axis_free(struct axis *a)
{
    free(a->lo); free(a->hi); free(a->w);
    free(a->start); free(a->n); free(a->aw);
    memset(a, 0, sizeof *a);
}

int vc_resizer_init(int sw, int sh, int dw, int dh, int cn, enum vc_resize_mode mode, vc_resizer **out)
{
    *out = NULL;
    if (sw < 1 || sh < 1 || dw < 1 || dh < 1 || cn < 1 || cn > 4)
        return vc_error(VC_ERR_INVALID_ARG, "%s: cannot resize %dx%d to %dx%d with %d channels", __func__, sw, sh, dw, dh, cn);
    vc_resizer *r = calloc(1, sizeof *r);
    if (!r) return vc_error(VC_ERR_NOMEM, "%s: out of memory", __func__);
    *r = (struct vc_resizer){ .sw = sw, .sh = sh, .dw = dw, .dh = dh, .cn = cn, .mode = mode, .row_y = { -1, -1 } };
    int rc;
    size_t wn = (size_t)dw * cn;
    if (mode == VC_RESIZE_LINEAR) {
        r->half = sw == 2 * dw && sh == 2 * dh;
        rc = linear_axis(&r->x, sw, dw, 1);
        if (rc == VC_OK) rc = linear_axis(&r->y, sh, dh, 0);
        r->row[0] = malloc(sizeof(int32_t) * wn);
        r->row[1] = malloc(sizeof(int32_t) * wn);
        if (rc == VC_OK && (!r->row[0] || !r->row[1])) rc = VC_NOMEM;
    } else {
        rc = area_axis(&r->x, sw, dw);
        if (rc == VC_OK) rc = area_axis(&r->y, sh, dh);
        r->frow = malloc(sizeof(float) * (size_t)sw * cn);
        r->xidx = rc == VC_OK ? malloc(sizeof(int) * (size_t)dw * r->x.taps) : NULL;
        if (rc == VC_OK && (!r->frow || !r->xidx)) rc = VC_NOMEM;
        for (int x = 0; rc == VC_OK && x < dw; x++)
            for (int k = 0; k < r->x.taps; k++) r->xidx[x * r->x.taps + k] = clip(r->x.start[x] + k, 0, sw - 1);
    }
    if (rc != VC_OK) {
        vc_resizer_free(&r);
        return vc_error(VC_ERR_NOMEM, "%s: out of memory for %dx%d -> %dx%d", __func__, sw, sh, dw, dh);
    }
    *out = r;
    return VC_OK;
}

int vc_resizer_matches(const vc_resizer *r, int sw, int sh, int dw, int dh, int cn, enum vc_resize_mode mode)
{
    return r && r->sw == sw && r->sh == sh && r->dw == dw && r->dh == dh && r->cn == cn && r->mode == mode;
}

void vc_resizer_free(vc_resizer **rp)
{
    if (!rp || !*rp) return;
    vc_resizer *r = *rp;
    axis_free(&r->x);
    axis_free(&r->y);
    free(r->row[0]);
    free(r->row[1]);
    free(r->frow);
    free(r->xidx);
    free(r);
    *rp = NULL;
}

/* Horizontal pass of source row y, cached in one of two int rows; the row holding source
 * row `keep` (the other tap of the current output row) is never the one replaced. */
static const int32_t *hrow(vc_resizer *r, const uint8_t *src, ptrdiff_t stride, int y, int keep)
{
    for (int k = 0; k < 2; k++)
        if (r->row_y[k] == y) return r->row[k];
    int k = r->row_y[0] == keep ? 1 : 0;
    const uint8_t *s = src + (ptrdiff_t)y * stride;
    const int cn = r->cn;
    int32_t *d = r->row[k];
    for (int x = 0; x < r->dw; x++) {
        const uint8_t *p0 = s + (size_t)r->x.lo[x] * cn, *p1 = s + (size_t)r->x.hi[x] * cn;
        int a0 = r->x.w[2 * x], a1 = r->x.w[2 * x + 1];
        for (int c = 0; c < cn; c++) d[x * cn + c] = p0[c] * a0 + p1[c] * a1;
    }
    r->row_y[k] = y;
    return d;
}

static uint8_t sat_u8(int v) { return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v); }
static int sat_s16(int v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : v; }

static void run_linear(vc_resizer *r, const uint8_t *src, ptrdiff_t stride, uint8_t *dst)
{
    const int width = r->dw * r->cn;
    r->row_y[0] = r->row_y[1] = -1;
    for (int y = 0; y < r->dh; y++) {
        const int y0 = r->y.lo[y], y1 = r->y.hi[y];
        const int32_t *s0 = hrow(r, src, stride, y0, y1);
        const int32_t *s1 = hrow(r, src, stride, y1, y0);
        const int b0 = r->y.w[2 * y], b1 = r->y.w[2 * y + 1];
        uint8_t *d = dst + (size_t)y * width;
        for (int x = 0; x < width; x++) {
            int t = sat_s16(((sat_s16(s0[x] >> 4) * b0) >> 16) + ((sat_s16(s1[x] >> 4) * b1) >> 16));
            d[x] = sat_u8((sat_s16(t + 2)) >> 2);
        }
    }
}

static void run_half(const vc_resizer *r, const uint8_t *src, ptrdiff_t stride, uint8_t *dst)
{
    const int cn = r->cn;
    for (int y = 0; y < r->dh; y++) {
        const uint8_t *a = src + (ptrdiff_t)(2 * y) * stride, *b = a + stride;
        uint8_t *d = dst + (size_t)y * r->dw * cn;
        for (int x = 0; x < r->dw; x++)
            for (int c = 0; c < cn; c++) {
                int i = 2 * x * cn + c;
                d[x * cn + c] = (uint8_t)((a[i] + a[i + cn] + b[i] + b[i + cn] + 2) >> 2);
            }
    }
}

/* Area: the vertical pass first (whole source rows, contiguous: the compiler vectorises
 * it), then the horizontal taps of each output pixel from that one row. */
static void run_area(vc_resizer *r, const uint8_t *src, ptrdiff_t stride, uint8_t *dst)
{
    const int cn = r->cn, sw_cn = r->sw * cn, xs = r->x.taps, ys = r->y.taps;
    float *restrict row = r->frow;
    for (int y = 0; y < r->dh; y++) {
        for (int t = 0; t < r->y.n[y]; t++) {
            const uint8_t *restrict s = src + (ptrdiff_t)clip(r->y.start[y] + t, 0, r->sh - 1) * stride;
            const float wy = r->y.aw[(size_t)y * ys + t];
            if (t == 0) for (int i = 0; i < sw_cn; i++) row[i] = wy * s[i];
            else for (int i = 0; i < sw_cn; i++) row[i] += wy * s[i];
        }
        uint8_t *d = dst + (size_t)y * r->dw * cn;
        for (int x = 0; x < r->dw; x++) {
            const float *w = r->x.aw + (size_t)x * xs;
            const int *ix = r->xidx + (size_t)x * xs;
            float acc[4] = { 0, 0, 0, 0 };
            for (int k = 0; k < r->x.n[x]; k++)
                for (int c = 0; c < cn; c++) acc[c] += w[k] * row[ix[k] * cn + c];
            for (int c = 0; c < cn; c++) d[x * cn + c] = sat_u8((int)lrintf(acc[c]));
        }
    }
}

void vc_resizer_run(vc_resizer *r, const uint8_t *src, ptrdiff_t stride, uint8_t *dst)
{
    if (r->mode == VC_RESIZE_AREA) run_area(r, src, stride, dst);
    else if (r->half) run_half(r, src, stride, dst);
    else run_linear(r, src, stride, dst);
}
