/* conv.c - convolution as products of patch rows and the kernel (im2col + GEMM, or the
 * patches read in place from a padded copy of the input), max pooling and global average
 * pooling (NHWC). */
#include "vidclass/conv.h"
#include "vidclass/gemm.h"
#include "vidclass/status.h"
#include "gemm_rounded.h"
#include "pool.h"
#include "profile_internal.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

int vc_conv_out_dim(int in, int k, int stride, int pad)
{
    return (in + 2 * pad - k) / stride + 1;
}

static int conv_is_pointwise(const struct vc_conv_desc *d)
{
    return d->kh == 1 && d->kw == 1 && d->stride == 1 && d->pad == 0;
}

/* Room after the patch rows for the input rounded to bf16 (conv_rounded): two values per
 * float, plus a line so it can start 64-byte aligned. */
static size_t rounded_input_floats(const struct vc_conv_desc *d, int n, int h, int w)
{
    return ((size_t)n * h * w * d->cin + 1) / 2 + 16;
}

/* The patch rows' part of the workspace: one chunk of rows of kh*kw*cin floats. */
static size_t patch_floats(const struct vc_conv_desc *d, int n, int h, int w)
{
    size_t oh = (size_t)vc_conv_out_dim(h, d->kh, d->stride, d->pad);
    size_t ow = (size_t)vc_conv_out_dim(w, d->kw, d->stride, d->pad);
    size_t rows = (size_t)n * oh * ow;
    if (rows > VC_CONV_CHUNK_ROWS)
        rows = VC_CONV_CHUNK_ROWS;
    return rows * (size_t)d->kh * d->kw * d->cin;
}

/* The product takes rows rounded to bf16 (its kpad), and the patches cover the input at
 * least once (not a 1x1 stride-2 projection, which reads a quarter of it: rounding it all
 * measured 1.5-2x slower); 0 otherwise. */
static int rounded_kpad(const struct vc_conv_desc *d, const vc_gemm_b *kernel)
{
    return kernel && d->kh * d->kw >= d->stride * d->stride ? vc_gemm_b_rounded_kpad(kernel) : 0;
}

/* The patches read in place (pieces_part) for a kernel wider than one pixel when the
 * product can read rows in pieces (our fp32 packed product, K within one slice: conv1's 147):
 * the input is copied once with its zero border, and each output row's patch rows are kh
 * pieces of kw * cin floats of it. conv1 at batch 8, 1 thread, Emerald Rapids: 18.3 ms with
 * im2col (5.0 of them copying 84-byte pieces), 13.4 in place (2026-12-07, docs/performance.md). */
static int conv_pieces(const struct vc_conv_desc *d, const vc_gemm_b *kernel)
{
    return d->kh * d->kw > 1 && vc_gemm_b_pieces_ok(kernel);
}

static size_t padded_floats(const struct vc_conv_desc *d, int n, int h, int w)
{
    return (size_t)n * (h + 2 * d->pad) * (w + 2 * d->pad) * d->cin;
}

size_t vc_conv_workspace_floats(const struct vc_conv_desc *d, int n, int h, int w)
{
    if (conv_is_pointwise(d))
        return 0;
    const size_t patches = patch_floats(d, n, h, w) + rounded_input_floats(d, n, h, w);
    const size_t padded = padded_floats(d, n, h, w);
    return d->kh * d->kw > 1 && padded > patches ? padded : patches;
}

size_t vc_conv_workspace_floats_for(const struct vc_conv_desc *d, const vc_gemm_b *kernel, int n, int h, int w)
{
    if (conv_is_pointwise(d))
        return 0;
    if (conv_pieces(d, kernel))
        return padded_floats(d, n, h, w);
    return patch_floats(d, n, h, w) + (rounded_kpad(d, kernel) ? rounded_input_floats(d, n, h, w) : 0);
}

/*
 * Gather patch rows [r0, r1) of the flattened (n, oh, ow) output grid into col, rows of
 * ld elements of es bytes (kh*kw*cin values, then zeros up to ld). Each (ky, kx) tap copies
 * cin contiguous values, or writes zeros where the tap falls into the padding (all-zero
 * bytes are 0 in float32 and in bf16 alike).
 */
static void im2col_rows(const struct vc_conv_desc *d, const void *x, size_t es, int h, int w, int oh, int ow,
                        size_t r0, size_t r1, void *col, size_t ld)
{
    const int cin = d->cin;
    const size_t row_len = (size_t)d->kh * d->kw * cin, krow = (size_t)d->kw * cin * es, tap = (size_t)cin * es;
    for (size_t r = r0; r < r1; r++) {
        size_t img = r / ((size_t)oh * ow);
        int rem = (int)(r % ((size_t)oh * ow));
        int oy = rem / ow, ox = rem % ow;
        const char *xi = (const char *)x + img * (size_t)h * w * tap;
        char *dst = (char *)col + (r - r0) * ld * es;
        int iy0 = oy * d->stride - d->pad;
        int ix0 = ox * d->stride - d->pad;
        for (int ky = 0; ky < d->kh; ky++) {
            int iy = iy0 + ky;
            if (iy < 0 || iy >= h) {
                memset(dst, 0, krow);
                dst += krow;
                continue;
            }
            const char *xrow = xi + (size_t)iy * w * tap;
            if (ix0 >= 0 && ix0 + d->kw <= w) {
                /* whole kernel row inside the image: one contiguous copy */
                memcpy(dst, xrow + (size_t)ix0 * tap, krow);
                dst += krow;
                continue;
            }
            for (int kx = 0; kx < d->kw; kx++) {
                int ix = ix0 + kx;
                if (ix < 0 || ix >= w)
                    memset(dst, 0, tap);
                else
                    memcpy(dst, xrow + (size_t)ix * tap, tap);
                dst += tap;
            }
        }
        if (ld > row_len)
            memset(dst, 0, (ld - row_len) * es);
    }
}

/* One convolution split by output rows over the pool, each thread with its own slice of
 * the workspace, running single-threaded GEMMs: two independent GEMMs on these thin
 * matrices (N = 64..2048) scale better than one GEMM split by OpenBLAS (measured in
 * bench/forward). Few rows (at batch 1 all but conv1): thread i takes rows
 * [rows*i/n, rows*(i+1)/n) in chunks. Many rows (at least CONV_GRABS_MIN grabs of
 * CONV_GRAB_ROWS per thread): the threads take CONV_GRAB_ROWS at a time from a shared
 * counter until none are left, so a thread the machine slows down (the other vCPU's
 * neighbours, an interrupt) takes fewer rows instead of leaving the others idle at the end:
 * at batch 8, one of 2 threads was idle 9-17% of the convolution steps' time with halves,
 * and the pass ran 1.03-1.06x faster with grabs at batch 8 and 32 (docs/performance.md). */
#define CONV_GRAB_ROWS 576 /* a multiple of both register tiles' heights (6 and 8) */
#define CONV_GRABS_MIN 4

struct conv_job {
    const struct vc_conv_desc *d;
    const vc_gemm_b *kernel;
    const float *bias, *x;
    int h, w, oh, ow, flags, pointwise;
    float *y, *ws;
    size_t rows, chunk; /* chunk: rows per GEMM per thread (at most the workspace's share) */
    size_t grab;        /* 0: static split; else rows taken at a time from `next` */
    int kpad;           /* > 0: the product takes rows rounded to bf16, of kpad values */
    size_t rfit;        /* then: rounded rows per product that fit a thread's share */
    uint16_t *xr;       /* then: the input rounded, [n, h, w, cin] */
    size_t nx;          /* values of the input */
    atomic_size_t next;
};

/* The thread's next rows [*r0, *r1): from the shared counter, or the next chunk of its own
 * share (*cursor up to hi). 0 when it has none left. */
static int conv_next_rows(struct conv_job *j, size_t *cursor, size_t hi, size_t *r0, size_t *r1)
{
    if (j->grab)
        return vc_pool_next(&j->next, cursor, j->rows, j->grab, r0, r1);
    return vc_pool_next(NULL, cursor, hi, j->chunk, r0, r1);
}

/* For a product that takes rows rounded to bf16: the input is rounded once (round_part, a
 * pool step of its own), so each value is rounded once instead of once per patch it falls
 * in (9 for a 3x3 kernel); the patches are then gathered from it in bf16, rfit rows per
 * product: half the bytes written, and never read back as floats. */
static void round_part(int i, int n, void *arg)
{
    struct conv_job *j = arg;
    const size_t lo = vc_pool_share(j->nx, i, n), hi = vc_pool_share(j->nx, i + 1, n);
    PROF_MARK(t);
    vc_gemm_b_round(j->kernel, j->x + lo, hi - lo, j->xr + lo);
    PROF_ADD(i, VC_PROF_IM2COL, t);
}

static void conv_rounded(const struct conv_job *j, int i, float *ws, size_t r0, size_t r1)
{
    const struct vc_conv_desc *d = j->d;
    uint16_t *rows = (uint16_t *)ws;
    for (size_t s0 = r0; s0 < r1; s0 += j->rfit) {
        const size_t s1 = s0 + j->rfit < r1 ? s0 + j->rfit : r1;
        PROF_MARK(t);
        im2col_rows(d, j->xr, sizeof(uint16_t), j->h, j->w, j->oh, j->ow, s0, s1, rows, (size_t)j->kpad);
        PROF_ADD(i, VC_PROF_IM2COL, t);
        vc_gemm_b_run_rounded((int)(s1 - s0), rows, j->kernel, 0, j->y + s0 * (size_t)d->cout, d->cout, j->bias,
                              j->flags);
        PROF_ADD(i, VC_PROF_GEMM, t);
    }
}

static void conv_part(int i, int n, void *arg)
{
    struct conv_job *j = arg;
    const struct vc_conv_desc *d = j->d;
    const int k = d->kh * d->kw * d->cin;
    size_t cursor = vc_pool_share(j->rows, i, n), r0, r1;
    const size_t hi = vc_pool_share(j->rows, i + 1, n);
    float *ws = j->ws ? j->ws + (size_t)i * j->chunk * (size_t)k : NULL;
    while (conv_next_rows(j, &cursor, hi, &r0, &r1)) {
        if (j->kpad) {
            conv_rounded(j, i, ws, r0, r1);
            continue;
        }
        const float *a = j->x + r0 * (size_t)k; /* pointwise: the NHWC input is the patch matrix */
        PROF_MARK(t);
        if (!j->pointwise) {
            im2col_rows(d, j->x, sizeof(float), j->h, j->w, j->oh, j->ow, r0, r1, ws, (size_t)k);
            a = ws;
            PROF_ADD(i, VC_PROF_IM2COL, t);
        }
        /* bias, residual and ReLU inside the product (packed) or right after it (blas) */
        vc_gemm_b_run((int)(r1 - r0), a, k, j->kernel, 0, j->y + r0 * (size_t)d->cout, d->cout, j->bias,
                      j->flags);
        PROF_ADD(i, VC_PROF_GEMM, t);
    }
}

/* The pieces path: xp is the input with a zero border of pad pixels, [n, hp, wp, cin]. */
struct pieces_job {
    const struct vc_conv_desc *d;
    const vc_gemm_b *kernel;
    const float *bias, *x;
    float *xp, *y;
    int n, h, w, hp, wp, oh, ow, flags;
};

/* Rows of xp (n * hp of them) [lo, hi): the border zero, the rest copied from x. */
static void pad_part(int i, int nt, void *arg)
{
    const struct pieces_job *j = arg;
    const int p = j->d->pad, cin = j->d->cin;
    const size_t rows = (size_t)j->n * j->hp, row = (size_t)j->wp * cin;
    PROF_MARK(t);
    for (size_t r = vc_pool_share(rows, i, nt); r < vc_pool_share(rows, i + 1, nt); r++) {
        const size_t img = r / (size_t)j->hp;
        const int py = (int)(r % (size_t)j->hp);
        float *dst = j->xp + r * row;
        if (py < p || py >= p + j->h) {
            memset(dst, 0, sizeof(float) * row);
            continue;
        }
        memset(dst, 0, sizeof(float) * (size_t)p * cin);
        const float *src = j->x + (img * j->h + (size_t)(py - p)) * j->w * cin;
        memcpy(dst + (size_t)p * cin, src, sizeof(float) * (size_t)j->w * cin);
        memset(dst + (size_t)(p + j->w) * cin, 0, sizeof(float) * (size_t)p * cin);
    }
    PROF_ADD(i, VC_PROF_IM2COL, t);
}

/* Output rows (n * oh of them) [lo, hi): one product each, its ow patch rows stride * cin
 * floats apart in xp, each kh pieces of kw * cin floats a padded row apart. */
static void pieces_part(int i, int nt, void *arg)
{
    const struct pieces_job *j = arg;
    const struct vc_conv_desc *d = j->d;
    const size_t rows = (size_t)j->n * j->oh, prow = (size_t)j->wp * d->cin;
    PROF_MARK(t);
    for (size_t q = vc_pool_share(rows, i, nt); q < vc_pool_share(rows, i + 1, nt); q++) {
        const size_t img = q / (size_t)j->oh;
        const int oy = (int)(q % (size_t)j->oh);
        const float *a = j->xp + (img * j->hp + (size_t)oy * d->stride) * prow;
        vc_gemm_b_run_pieces(j->ow, a, d->stride * d->cin, d->kw * d->cin, prow, j->kernel,
                             j->y + q * (size_t)j->ow * d->cout, d->cout, j->bias, j->flags);
    }
    PROF_ADD(i, VC_PROF_GEMM, t);
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
    const size_t need = vc_conv_workspace_floats_for(d, kernel, n, h, w); /* 0 when pointwise */
    if (need && (!ws || ws_floats < need))
        return vc_error(VC_ERR_INVALID_ARG, "%s: workspace of %zu floats, need %zu", __func__, ws_floats, need);
    if (conv_pieces(d, kernel)) {
        struct pieces_job pj = { d, kernel, bias, x, ws, y, n, h, w, h + 2 * d->pad, w + 2 * d->pad, oh, ow, gflags };
        vc_pool_run_items(pad_part, &pj, (size_t)n * pj.hp);
        vc_pool_run_items(pieces_part, &pj, (size_t)n * oh);
        return VC_OK;
    }
    struct conv_job j = { d, kernel, bias, x, h, w, oh, ow, gflags, conv_is_pointwise(d), y, NULL, (size_t)n * oh * ow, 0, 0,
                          0, 0, NULL, (size_t)n * h * w * d->cin, 0 };
    int threads = vc_pool_threads();
    if (j.pointwise) {
        j.chunk = VC_CONV_CHUNK_ROWS / (size_t)threads; /* keeps a blas epilogue on rows still in cache */
    } else {
        j.ws = ws;
        const size_t cols = patch_floats(d, n, h, w);
        j.chunk = cols / (size_t)k / (size_t)threads; /* each thread gets 1/threads of it */
        if (j.chunk == 0) { /* fewer rows than threads: one thread does them all */
            j.chunk = cols / (size_t)k;
            threads = 1;
        }
        /* rounded rows take kpad / 2 floats each, and a share also holds the tile's slack rows */
        const int kpad = rounded_kpad(d, kernel);
        const size_t room = kpad ? j.chunk * (size_t)k * 2 / (size_t)kpad : 0;
        const size_t slack = (size_t)vc_gemm_b_rounded_slack(kernel);
        if (room > slack) {
            j.kpad = kpad;
            j.rfit = room - slack;
            j.xr = (uint16_t *)(((uintptr_t)(ws + cols) + 63) & ~(uintptr_t)63);
        }
    }
    if (threads > 1) {
        const size_t grab = j.chunk < CONV_GRAB_ROWS ? j.chunk : CONV_GRAB_ROWS;
        if (j.rows >= (size_t)threads * CONV_GRABS_MIN * grab)
            j.grab = grab;
    }
    if (j.kpad) {
        if (threads > 1 && j.nx >= (size_t)threads * 4096)
            vc_pool_run(round_part, &j);
        else
            round_part(0, 1, &j);
    }
    if (threads > 1 && j.rows >= (size_t)threads * 16)
        vc_pool_run(conv_part, &j);
    else
        conv_part(0, 1, &j);
    return VC_OK;
}

/* Max pooling and the global average, split over the pool (by output rows, and by images
 * and blocks of channels): each is one parallel step instead of a serial stretch between
 * two parallel convolutions, during which the other threads would go to sleep and then
 * pay a wake-up (~0.5 ms on a VM). */
struct maxpool_job {
    const float *x;
    float *y;
    int h, w, c, k, stride, pad, oh, ow;
    size_t rows; /* n * oh */
};

static void maxpool_part(int i, int n, void *arg)
{
    const struct maxpool_job *j = arg;
    const int h = j->h, w = j->w, c = j->c, k = j->k, ow = j->ow;
    PROF_MARK(t);
    for (size_t r = vc_pool_share(j->rows, i, n); r < vc_pool_share(j->rows, i + 1, n); r++) {
        const size_t b = r / (size_t)j->oh;
        const int oy = (int)(r % (size_t)j->oh);
        const float *xb = j->x + b * h * w * c;
        for (int ox = 0; ox < ow; ox++) {
            float *restrict yo = j->y + (r * ow + ox) * c;
            /* a window reaching into the padding includes its zeros (ZeroPadding2D) */
            int y0 = oy * j->stride - j->pad, x0 = ox * j->stride - j->pad;
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
    PROF_ADD(i, VC_PROF_POOL, t);
}

void vc_maxpool2d(const float *x, int n, int h, int w, int c, int k, int stride, int pad,
                  float *y)
{
    const int oh = vc_conv_out_dim(h, k, stride, pad), ow = vc_conv_out_dim(w, k, stride, pad);
    struct maxpool_job j = { x, y, h, w, c, k, stride, pad, oh, ow, (size_t)n * oh };
    vc_pool_run_items(maxpool_part, &j, j.rows);
}

#define AVG_BLOCK 256 /* channels summed together: their double sums stay in L1 */

struct avgpool_job {
    const float *x;
    float *y;
    int c, blocks; /* blocks of AVG_BLOCK channels per image */
    size_t hw, parts; /* parts = n * blocks */
};

/* Parts [lo, hi) of (image, channel block): the map is read in address order, position by
 * position, into one double sum per channel (49..3136 terms: the mean exact to float
 * rounding; the same order of additions per channel as a channel-by-channel loop). */
static void avgpool_part(int i, int n, void *arg)
{
    const struct avgpool_job *j = arg;
    double s[AVG_BLOCK];
    PROF_MARK(t);
    for (size_t q = vc_pool_share(j->parts, i, n); q < vc_pool_share(j->parts, i + 1, n); q++) {
        const size_t b = q / (size_t)j->blocks;
        const int c0 = (int)(q % (size_t)j->blocks) * AVG_BLOCK;
        const int nc = j->c - c0 < AVG_BLOCK ? j->c - c0 : AVG_BLOCK;
        const float *xb = j->x + b * j->hw * j->c + c0;
        for (int ch = 0; ch < nc; ch++) s[ch] = 0.0;
        for (size_t p = 0; p < j->hw; p++)
            for (int ch = 0; ch < nc; ch++) s[ch] += xb[p * j->c + ch];
        for (int ch = 0; ch < nc; ch++) j->y[b * j->c + c0 + ch] = (float)(s[ch] / (double)j->hw);
    }
    PROF_ADD(i, VC_PROF_POOL, t);
}

void vc_global_avgpool(const float *x, int n, int h, int w, int c, float *y)
{
    const int blocks = (c + AVG_BLOCK - 1) / AVG_BLOCK;
    struct avgpool_job j = { x, y, c, blocks, (size_t)h * w, (size_t)n * blocks };
    vc_pool_run_items(avgpool_part, &j, j.parts);
}
