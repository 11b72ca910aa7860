/* test_conv.c - the products for constant weights (vc_gemm_b), im2col+GEMM and Winograd
 * convolution and the pooling kernels against direct loops in double, once per product
 * this CPU has (VIDCLASS_GEMM=blas, avx2 where AVX2 + FMA exist, avx512 where AVX-512F does);
 * the products the CPU lacks must be refused, and auto must pick the fastest one it has.
 *
 * Odd shapes on purpose: products with M, N, K off each packed kernel's tile (6 x 16; 8 x 32)
 * and its row and depth blocks (144 x 256; 144 x 512), B slices on both sides of the size
 * above which A is copied in blocks, strided rows, a second matrix of a stack; stride 2 with
 * padding, 1x1 stride 1 (the no-copy GEMM path), 1x1 stride 2 (ResNet50's projection: needs
 * the gather), 7x7/2 pad 3 (conv1), 3x3 pad 1, non-square inputs, batch 3, accumulate +
 * ReLU, a patch matrix larger than one chunk so the chunk loop is exercised, and few rows
 * with many columns (stage 5 at batch 1). With our fp32 products a kernel wider than a pixel
 * reads its patches in place from a padded copy of the input (K up to one slice) or copies
 * them (K beyond it): both are here for every packed product.
 *
 * The bf16 products (amx where AMX-BF16 is granted, avx512bf16 where AVX512_BF16 exists)
 * get the same cases against the same double loops run on inputs first rounded to bf16 by
 * this file's own rounding (so the only difference left is float32 summation: the same
 * 1e-5 bar), and Winograd on bf16 against the unrounded loops with a wider, stated bar. On
 * a CPU without them, both must be refused with a message, and auto must refuse bf16. */
#include "test_util.h"
#include "vidclass/conv.h"
#include "vidclass/gemm.h"
#include "vidclass/rng.h"
#include "vidclass/status.h"

#include <cpuid.h>
#include <stdint.h>
#include <sys/syscall.h>

/* the precision the products under test are made for (make_b) */
static enum vc_precision g_prec = VC_PRECISION_FP32;

/* float32 -> nearest bf16 (ties to even), back as a float: what a bf16 product multiplies */
static float bf16_round(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The int8 product's quantisation (src/gemm_int8.h), done here independently: per K slice of
 * INT8_KC, A per row (no negatives: round(a * 255 / max); else round(a * 127 / max|a|), the
 * product's offset of 128 cancels), B per column (round(b * 127 / max|b|)); returned as the
 * values the product multiplies (bytes times scales), so a double product of them is exact. */
#define INT8_KC 512
static float *int8_as_multiplied(const float *v, int rows, int cols, int stride, int per_row)
{
    float *out = malloc(sizeof(float) * (size_t)rows * stride);
    memcpy(out, v, sizeof(float) * (size_t)rows * stride);
    const int k = per_row ? cols : rows, lines = per_row ? rows : cols; /* K runs along a row of A, a column of B */
    for (int line = 0; line < lines; line++)
        for (int k0 = 0; k0 < k; k0 += INT8_KC) {
            const int k1 = k0 + INT8_KC < k ? k0 + INT8_KC : k;
#define AT(q) out[per_row ? (size_t)line * stride + (q) : (size_t)(q) * stride + line]
            float hi = 0.0f, lo = 0.0f;
            for (int q = k0; q < k1; q++) { hi = fmaxf(hi, AT(q)); lo = fminf(lo, AT(q)); }
            const int sign = !per_row || lo < 0.0f; /* B is always signed */
            const float mag = sign ? fmaxf(hi, -lo) : hi, qmax = sign ? 127.0f : 255.0f;
            const float inv = mag > 0.0f ? qmax / mag : 0.0f, scale = mag / qmax;
            for (int q = k0; q < k1; q++) AT(q) = (float)lrintf(AT(q) * inv) * scale;
#undef AT
        }
    return out;
}

/* v rounded as the product under test sees it (a copy, or v itself in fp32); int8 needs
 * the matrix's shape and is int8_as_multiplied */
static const float *as_multiplied(const float *v, size_t n, float **copy)
{
    *copy = NULL;
    if (g_prec == VC_PRECISION_FP32)
        return v;
    *copy = malloc(sizeof(float) * n);
    for (size_t i = 0; i < n; i++) (*copy)[i] = bf16_round(v[i]);
    return *copy;
}

static void fill(struct vc_rng *r, float *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)vc_rng_range(r, -1.0, 1.0);
}

/* Direct convolution in double: the obvious six loops. */
static void naive_conv(const struct vc_conv_desc *d, const float *k, const float *bias,
                       const float *x, int n, int h, int w, float *y, int flags)
{
    int oh = vc_conv_out_dim(h, d->kh, d->stride, d->pad), ow = vc_conv_out_dim(w, d->kw, d->stride, d->pad);
    for (int b = 0; b < n; b++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int co = 0; co < d->cout; co++) {
                    double s = bias ? bias[co] : 0.0;
                    for (int ky = 0; ky < d->kh; ky++)
                        for (int kx = 0; kx < d->kw; kx++) {
                            int iy = oy * d->stride - d->pad + ky, ix = ox * d->stride - d->pad + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                continue;
                            for (int ci = 0; ci < d->cin; ci++)
                                s += (double)x[(((size_t)b * h + iy) * w + ix) * d->cin + ci] *
                                     k[(((size_t)ky * d->kw + kx) * d->cin + ci) * d->cout + co];
                        }
                    float *yo = &y[(((size_t)b * oh + oy) * ow + ox) * d->cout + co];
                    if (flags & VC_CONV_ACCUMULATE)
                        s += *yo;
                    if ((flags & VC_CONV_RELU) && s < 0)
                        s = 0;
                    *yo = (float)s;
                }
}

static vc_gemm_b *make_b(const float *b, int count, int k, int n)
{
    vc_gemm_b *g = NULL;
    int rc = vc_gemm_b_create(b, count, k, n, g_prec, &g);
    CHECK(rc == VC_OK && g, "vc_gemm_b_create %d x %d x %d: %s", count, k, n, vc_last_error());
    return g;
}

/* c = a (m x k, row stride lda) x b[index] (+ c) + bias, ReLU, against the same in double;
 * columns of c beyond n (row stride ldc) must stay untouched. */
static void check_gemm(struct vc_rng *r, int m, int n, int k, int lda, int ldc, int flags, int with_bias)
{
    const int count = 2, index = 1;
    float *a = malloc(sizeof(float) * (size_t)m * lda), *b = malloc(sizeof(float) * (size_t)count * k * n);
    float *bias = malloc(sizeof(float) * n), *c = malloc(sizeof(float) * (size_t)m * ldc);
    float *ref = malloc(sizeof(float) * (size_t)m * ldc);
    fill(r, a, (size_t)m * lda);
    fill(r, b, (size_t)count * k * n);
    fill(r, bias, (size_t)n);
    fill(r, c, (size_t)m * ldc);
    memcpy(ref, c, sizeof(float) * (size_t)m * ldc);
    float *ra, *rb; /* the operands as multiplied */
    const float *am, *bm;
    if (g_prec == VC_PRECISION_INT8) {
        am = ra = int8_as_multiplied(a, m, k, lda, 1);
        bm = rb = malloc(sizeof(float) * (size_t)count * k * n);
        float *bq = int8_as_multiplied(b + (size_t)index * k * n, k, n, n, 0);
        memcpy(rb + (size_t)index * k * n, bq, sizeof(float) * (size_t)k * n);
        free(bq);
    } else {
        am = as_multiplied(a, (size_t)m * lda, &ra);
        bm = as_multiplied(b, (size_t)count * k * n, &rb);
    }
    const float *bi = bm + (size_t)index * k * n;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int q = 0; q < k; q++)
                s += (double)am[(size_t)i * lda + q] * bi[(size_t)q * n + j];
            if (flags & VC_GEMM_ACCUMULATE) s += ref[(size_t)i * ldc + j];
            if (with_bias) s += bias[j];
            if ((flags & VC_GEMM_RELU) && s < 0) s = 0;
            ref[(size_t)i * ldc + j] = (float)s;
        }
    vc_gemm_b *g = make_b(b, count, k, n);
    if (g) {
        vc_gemm_b_run(m, a, lda, g, index, c, ldc, with_bias ? bias : NULL, flags);
        double e = max_rel_err(c, ref, (size_t)m * ldc);
        int same_pad = 1;
        for (int i = 0; i < m; i++)
            for (int j = n; j < ldc; j++)
                same_pad &= c[(size_t)i * ldc + j] == ref[(size_t)i * ldc + j];
        CHECK(e < 1e-5, "%s gemm m %d n %d k %d lda %d ldc %d flags %d bias %d: max rel err %.3g", vc_gemm_b_kind(g),
              m, n, k, lda, ldc, flags, with_bias, e);
        CHECK(same_pad, "%s gemm m %d n %d k %d: wrote past column %d", vc_gemm_b_kind(g), m, n, k, n);
    }
    vc_gemm_b_free(&g);
    free(a); free(b); free(bias); free(c); free(ref); free(ra); free(rb);
}

static void check_conv(struct vc_rng *r, struct vc_conv_desc d, int n, int h, int w, int flags)
{
    int oh = vc_conv_out_dim(h, d.kh, d.stride, d.pad), ow = vc_conv_out_dim(w, d.kw, d.stride, d.pad);
    size_t nx = (size_t)n * h * w * d.cin, nk = (size_t)d.kh * d.kw * d.cin * d.cout;
    size_t ny = (size_t)n * oh * ow * d.cout;
    float *x = malloc(sizeof(float) * nx), *k = malloc(sizeof(float) * nk);
    float *bias = malloc(sizeof(float) * d.cout);
    float *y = malloc(sizeof(float) * ny), *yref = malloc(sizeof(float) * ny);
    fill(r, x, nx);
    fill(r, k, nk);
    fill(r, bias, (size_t)d.cout);
    fill(r, y, ny);
    memcpy(yref, y, sizeof(float) * ny); /* same starting values for ACCUMULATE */
    vc_gemm_b *g = make_b(k, 1, d.kh * d.kw * d.cin, d.cout);
    /* the workspace these weights need, exactly (the bound for any weights is no smaller;
     * without a bf16 product it is one chunk of patch rows, no room for a rounded input, or,
     * where the product reads the patches in place (a kernel wider than a pixel, our fp32
     * product, K in one slice), the input with its zero border) */
    size_t wsn = vc_conv_workspace_floats_for(&d, g, n, h, w), rows = (size_t)n * oh * ow;
    if (rows > VC_CONV_CHUNK_ROWS) rows = VC_CONV_CHUNK_ROWS;
    const int pointwise = d.kh == 1 && d.kw == 1 && d.stride == 1 && d.pad == 0;
    const int pieces = d.kh * d.kw > 1 && vc_gemm_b_pieces_ok(g);
    const size_t padded = (size_t)n * (h + 2 * d.pad) * (w + 2 * d.pad) * d.cin;
    CHECK(wsn <= vc_conv_workspace_floats(&d, n, h, w), "workspace for these weights above the bound for any");
    if (g_prec != VC_PRECISION_BF16)
        CHECK(wsn == (pointwise ? 0 : pieces ? padded : rows * d.kh * d.kw * d.cin),
              "%s workspace of %zu floats for %zu patch rows (in place: %d)", vc_precision_name(g_prec), wsn, rows,
              pieces);
    CHECK(!pieces || g_prec == VC_PRECISION_FP32, "%s product takes rows in pieces", vc_precision_name(g_prec));
    float *ws = malloc(sizeof(float) * (wsn ? wsn : 1));
    int rc = vc_conv2d(&d, g, bias, x, n, h, w, y, flags, ws, wsn);
    vc_gemm_b_free(&g);
    float *rx = NULL, *rk = NULL;
    if (g_prec == VC_PRECISION_INT8) /* quantised per patch row: no exact reference (check_gemm has one) */
        naive_conv(&d, k, bias, x, n, h, w, yref, flags);
    else
        naive_conv(&d, as_multiplied(k, nk, &rk), bias, as_multiplied(x, nx, &rx), n, h, w, yref, flags);
    free(rx);
    free(rk);
    double e = max_rel_err(y, yref, ny);
    /* int8 on these uniform values: about 1% of the output scale, growing slowly with depth */
    const double bar = g_prec == VC_PRECISION_INT8 ? 2e-2 : 1e-5;
    CHECK(rc == VC_OK, "vc_conv2d failed: %s", vc_last_error());
    CHECK(e < bar, "k%dx%d s%d p%d cin %d cout %d in %dx%dx%d flags %d: max rel err %.3g",
          d.kh, d.kw, d.stride, d.pad, d.cin, d.cout, n, h, w, flags, e);
    printf("conv k%dx%d/%d pad %d, %d->%d, batch %d, %dx%d, flags %d: max rel err %.2e (rows %d, ws %zu floats%s)\n",
           d.kh, d.kw, d.stride, d.pad, d.cin, d.cout, n, h, w, flags, e, n * oh * ow, wsn,
           pieces ? ", patches in place" : "");
    free(x); free(k); free(bias); free(y); free(yref); free(ws);
}

static void check_winograd(struct vc_rng *r, int m, int cin, int cout, int n, int h, int w, int flags)
{
    struct vc_conv_desc d = { cin, cout, 3, 3, 1, 1 };
    size_t nx = (size_t)n * h * w * cin, nk = (size_t)9 * cin * cout, ny = (size_t)n * h * w * cout;
    float *x = malloc(sizeof(float) * nx), *k = malloc(sizeof(float) * nk), *b = malloc(sizeof(float) * cout);
    float *y = malloc(sizeof(float) * ny), *yref = malloc(sizeof(float) * ny);
    float *u = malloc(sizeof(float) * vc_conv_winograd_kernel_floats(&d, m));
    fill(r, x, nx); fill(r, k, nk); fill(r, b, (size_t)cout); fill(r, y, ny);
    memcpy(yref, y, sizeof(float) * ny);
    vc_conv_winograd_transform_kernel(&d, m, k, u);
    size_t wsn = vc_conv_winograd_workspace_floats(&d, m, vc_blas_get_threads());
    float *ws = malloc(sizeof(float) * wsn);
    vc_gemm_b *g = make_b(u, (m + 2) * (m + 2), cin, cout);
    int rc = vc_conv2d_winograd(&d, m, g, b, x, n, h, w, y, flags, ws, wsn);
    vc_gemm_b_free(&g);
    naive_conv(&d, k, b, x, n, h, w, yref, flags);
    /* bf16 and int8 round the transformed tiles and kernels, not the inputs: no exact
     * reference, and the error grows with the transforms' entries: F(2x2) measured 0.1-0.9%
     * of the output scale here in bf16, 0.6-1.3% in int8 (im2col int8 0.3-0.7%: the bar of
     * check_conv); F(4x4) 4-9% in bf16, which is why it is refused in both */
    if (g_prec != VC_PRECISION_FP32 && m == 4) {
        CHECK(rc == VC_ERR_UNSUPPORTED && strstr(vc_last_error(), "F(4x4)"), "F(4x4) ran with %s products",
              vc_precision_name(g_prec));
        free(x); free(k); free(b); free(y); free(yref); free(u); free(ws);
        return;
    }
    const double bar = g_prec == VC_PRECISION_FP32 ? 1e-5 : g_prec == VC_PRECISION_BF16 ? 1e-2 : 2e-2;
    double e = max_rel_err(y, yref, ny);
    printf("winograd F(%dx%d,3x3) %s %d->%d, batch %d, %dx%d, flags %d: max rel err %.2e\n", m, m,
           vc_precision_name(g_prec), cin, cout, n, h, w, flags, e);
    CHECK(rc == VC_OK, "winograd: %s", vc_last_error());
    CHECK(e < bar, "winograd F(%dx%d) %dx%d %s: max rel err %.3g", m, m, h, w, vc_precision_name(g_prec), e);
    CHECK(vc_conv_winograd_ok(&d), "3x3/1 pad 1 not accepted");
    free(x); free(k); free(b); free(y); free(yref); free(u); free(ws);
}

static void naive_maxpool(const float *x, int n, int h, int w, int c, int k, int s, int pad, float *y)
{
    int oh = vc_conv_out_dim(h, k, s, pad), ow = vc_conv_out_dim(w, k, s, pad);
    for (int b = 0; b < n; b++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
                for (int ch = 0; ch < c; ch++) {
                    float m = -INFINITY;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) {
                            int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
                            float v = (iy < 0 || iy >= h || ix < 0 || ix >= w) ? 0.0f
                                      : x[(((size_t)b * h + iy) * w + ix) * c + ch];
                            if (v > m) m = v;
                        }
                    y[(((size_t)b * oh + oy) * ow + ox) * c + ch] = m;
                }
}

int main(void)
{
    struct vc_rng r;
    vc_rng_seed(&r, 7, 0, 0);
    vc_blas_set_threads(2);

    /* VIDCLASS_GEMM is read whenever weights are prepared: each product in turn */
    setenv("VIDCLASS_GEMM", "bogus", 1);
    {
        float one = 1.0f;
        vc_gemm_b *g = NULL;
        CHECK(vc_gemm_b_create(&one, 1, 1, 1, VC_PRECISION_FP32, &g) == VC_ERR_INVALID_ARG && !g, "VIDCLASS_GEMM=bogus accepted");
    }
    /* what this CPU has, asked independently of src/gemm_packed.c */
    __builtin_cpu_init();
    const int has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    const int has_avx512 = __builtin_cpu_supports("avx512f");
    const char *best = has_avx512 ? "avx512" : has_avx2 ? "avx2" : "blas";
    static const char *const auto_values[3] = { "auto", "", "packed" };
    for (int i = 0; i < 3; i++) {
        setenv("VIDCLASS_GEMM", auto_values[i], 1);
        const char *kind = NULL;
        int rc = vc_gemm_choice(VC_PRECISION_FP32, &kind);
        if (i == 2 && !has_avx2 && !has_avx512)
            CHECK(rc == VC_ERR_UNSUPPORTED, "VIDCLASS_GEMM=packed accepted on a CPU without AVX2 or AVX-512");
        else
            CHECK(rc == VC_OK && strcmp(kind, best) == 0, "VIDCLASS_GEMM='%s' chose %s, not %s", auto_values[i],
                  kind ? kind : "nothing", best);
    }
    /* bf16: AVX512_BF16 for both kernels, AMX-BF16 and the kernel's grant of the tile state */
    const int has_bf16 = has_avx512 && __builtin_cpu_supports("avx512bf16");
    unsigned l7[4] = { 0 }; /* CPUID leaf 7: EDX bit 22 AMX-BF16, 24 AMX-TILE, 25 AMX-INT8 */
    __get_cpuid_count(7, 0, &l7[0], &l7[1], &l7[2], &l7[3]);
    const int has_tiles = has_avx512 && (l7[3] & (1u << 24)) &&
                          syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XTILEDATA */) == 0;
    const int has_amx = has_tiles && has_bf16 && (l7[3] & (1u << 22));
    const int has_amx_int8 = has_tiles && (l7[3] & (1u << 25));
    const char *best_bf16 = has_amx ? "amx" : has_bf16 ? "avx512bf16" : NULL;
    for (int i = 0; i < 3; i++) {
        setenv("VIDCLASS_GEMM", auto_values[i], 1);
        const char *kind = NULL;
        int rc = vc_gemm_choice(VC_PRECISION_BF16, &kind);
        if (!best_bf16) {
            CHECK(rc == VC_ERR_UNSUPPORTED && strstr(vc_last_error(), "use fp32"), "bf16 accepted on a CPU without it");
            printf("precision bf16: not on this CPU, refused: %s\n", vc_last_error());
        } else {
            CHECK(rc == VC_OK && strcmp(kind, best_bf16) == 0, "bf16 with VIDCLASS_GEMM='%s' chose %s, not %s",
                  auto_values[i], kind ? kind : "nothing", best_bf16);
        }
    }
    /* int8: AMX-INT8 (with the tile state granted) or AVX512_VNNI */
    const int has_vnni = has_avx512 && __builtin_cpu_supports("avx512vnni");
    const char *best_int8 = has_amx_int8 ? "amx-int8" : has_vnni ? "avx512vnni" : NULL;
    for (int i = 0; i < 3; i++) {
        setenv("VIDCLASS_GEMM", auto_values[i], 1);
        const char *kind = NULL;
        int rc = vc_gemm_choice(VC_PRECISION_INT8, &kind);
        if (!best_int8)
            CHECK(rc == VC_ERR_UNSUPPORTED && strstr(vc_last_error(), "use fp32"), "int8 accepted on a CPU without it");
        else
            CHECK(rc == VC_OK && strcmp(kind, best_int8) == 0, "int8 with VIDCLASS_GEMM='%s' chose %s, not %s",
                  auto_values[i], kind ? kind : "nothing", best_int8);
    }
    setenv("VIDCLASS_GEMM", "avx512vnni", 1);
    CHECK(vc_precision_check(VC_PRECISION_FP32) == VC_ERR_INVALID_ARG && strstr(vc_last_error(), "int8"),
          "VIDCLASS_GEMM=avx512vnni accepted for fp32");
    /* a kernel of the other precision is refused, with the reason */
    setenv("VIDCLASS_GEMM", "amx", 1);
    CHECK(vc_precision_check(VC_PRECISION_FP32) == VC_ERR_INVALID_ARG && strstr(vc_last_error(), "bf16"),
          "VIDCLASS_GEMM=amx accepted for fp32");
    setenv("VIDCLASS_GEMM", "avx2", 1);
    CHECK(vc_precision_check(VC_PRECISION_BF16) == VC_ERR_INVALID_ARG && strstr(vc_last_error(), "fp32"),
          "VIDCLASS_GEMM=avx2 accepted for bf16");
    enum vc_precision parsed;
    CHECK(vc_precision_parse("bf16", &parsed) == VC_OK && parsed == VC_PRECISION_BF16 &&
          vc_precision_parse("fp32", &parsed) == VC_OK && parsed == VC_PRECISION_FP32 &&
          vc_precision_parse("int8", &parsed) == VC_OK && parsed == VC_PRECISION_INT8 &&
          vc_precision_parse("fp16", &parsed) == VC_ERR_INVALID_ARG, "vc_precision_parse");
    /* this file's rounding: ties to even, and the first bit below bf16's 8-bit mantissa */
    CHECK(bf16_round(1.0f + 0x1p-8f) == 1.0f && bf16_round(1.0f + 0x1p-8f + 0x1p-7f) == 1.0f + 0x1p-6f &&
          bf16_round(1.0f + 0x1p-8f + 0x1p-20f) == 1.0f + 0x1p-7f && bf16_round(-3.0f) == -3.0f, "bf16_round");

    static const char *const kinds[7] = { "blas", "avx2", "avx512", "amx", "avx512bf16", "avx512vnni", "amx-int8" };
    const int available[7] = { 1, has_avx2, has_avx512, has_amx, has_bf16, has_vnni, has_amx_int8 };
    for (int ki = 0; ki < 7; ki++) {
        g_prec = ki >= 5 ? VC_PRECISION_INT8 : ki >= 3 ? VC_PRECISION_BF16 : VC_PRECISION_FP32;
        setenv("VIDCLASS_GEMM", kinds[ki], 1);
        const char *kind = NULL;
        int rc = vc_gemm_choice(g_prec, &kind);
        if (!available[ki]) {
            CHECK(rc == VC_ERR_UNSUPPORTED, "VIDCLASS_GEMM=%s accepted on a CPU without it", kinds[ki]);
            printf("product %s: not on this CPU, refused: %s\n", kinds[ki], vc_last_error());
            float one = 1.0f;
            vc_gemm_b *g = NULL;
            CHECK(vc_gemm_b_create(&one, 1, 1, 1, g_prec, &g) == VC_ERR_UNSUPPORTED && !g, "%s weights made", kinds[ki]);
            continue;
        }
        CHECK(rc == VC_OK && strcmp(kind, kinds[ki]) == 0, "VIDCLASS_GEMM=%s chose %s: %s", kinds[ki],
              kind ? kind : "nothing", vc_last_error());
        printf("product %s (%s)\n", kinds[ki], vc_precision_name(g_prec));
        /* tile, block and depth edges of both packed kernels; strided rows; every epilogue */
        static const int ms[] = { 1, 5, 6, 7, 8, 9, 13, 17, 49, 145, 300 }, ns[] = { 1, 9, 16, 17, 31, 32, 33, 40, 64 };
        static const int ks[] = { 1, 3, 127, 128, 129, 255, 256, 257, 511, 512, 513, 600 };
        const size_t nm = sizeof ms / sizeof ms[0], nn = sizeof ns / sizeof ns[0], nk = sizeof ks / sizeof ks[0];
        for (size_t i = 0; i < nm; i++)
            for (size_t j = 0; j < nn; j++)
                check_gemm(&r, ms[i], ns[j], ks[(i + j) % nk], ks[(i + j) % nk], ns[j], (int)((i + j) % 4), (int)(j % 2));
        for (size_t q = 0; q < nk; q++)
            check_gemm(&r, 11, 33, ks[q], ks[q] + 3, 35, VC_GEMM_ACCUMULATE | VC_GEMM_RELU, 1);
        check_gemm(&r, 16, 512, 512, 512, 512, 0, 0); /* Winograd stage 5 at batch 1 */
        /* deeper than one K slice of the bf16 product (1152), rows over its 64-row A block */
        check_gemm(&r, 70, 40, 2400, 2403, 41, VC_GEMM_ACCUMULATE | VC_GEMM_RELU, 1);
        /* wide B slices (avx2: N > 256, avx512: N > 512): A is copied in row blocks instead of read in place */
        check_gemm(&r, 1, 300, 257, 260, 301, VC_GEMM_ACCUMULATE, 1);
        check_gemm(&r, 7, 300, 600, 600, 300, VC_GEMM_RELU, 0);
        check_gemm(&r, 145, 300, 255, 255, 300, VC_GEMM_ACCUMULATE | VC_GEMM_RELU, 1);
        check_gemm(&r, 290, 300, 513, 520, 310, 0, 1);
        check_gemm(&r, 9, 530, 129, 131, 533, VC_GEMM_ACCUMULATE, 1);
        check_gemm(&r, 300, 520, 260, 260, 520, VC_GEMM_ACCUMULATE | VC_GEMM_RELU, 1);

        check_conv(&r, (struct vc_conv_desc){ 3, 8, 7, 7, 2, 3 }, 3, 19, 23, VC_CONV_RELU);     /* conv1-like */
        check_conv(&r, (struct vc_conv_desc){ 3, 40, 7, 7, 2, 3 }, 2, 24, 21, VC_CONV_ACCUMULATE); /* conv1, 2 panels */
        check_conv(&r, (struct vc_conv_desc){ 16, 8, 7, 7, 2, 3 }, 1, 13, 11, VC_CONV_RELU);    /* K 784: copied */
        check_conv(&r, (struct vc_conv_desc){ 24, 8, 5, 5, 1, 2 }, 2, 48, 48, VC_CONV_RELU);    /* copied, 2 chunks */
        check_conv(&r, (struct vc_conv_desc){ 5, 6, 3, 3, 1, 1 }, 3, 9, 7, VC_CONV_RELU);       /* 3x3 same   */
        check_conv(&r, (struct vc_conv_desc){ 5, 6, 3, 3, 2, 1 }, 2, 9, 8, 0);                  /* 3x3 /2     */
        check_conv(&r, (struct vc_conv_desc){ 7, 9, 1, 1, 1, 0 }, 3, 5, 6, VC_CONV_ACCUMULATE | VC_CONV_RELU);
        check_conv(&r, (struct vc_conv_desc){ 7, 9, 1, 1, 2, 0 }, 3, 9, 7, 0);                  /* projection */
        check_conv(&r, (struct vc_conv_desc){ 4, 5, 2, 3, 1, 0 }, 1, 6, 9, 0);                  /* non-square */
        /* K = 18: bf16's rows (padded to 32) take more room than the float ones, so a
         * thread's share holds fewer of them than its rows: several products per share */
        check_conv(&r, (struct vc_conv_desc){ 2, 5, 3, 3, 1, 1 }, 2, 9, 9, VC_CONV_RELU);
        /* 4920 rows, > 1 chunk: on 2 threads, rows taken 576 at a time from a shared counter */
        check_conv(&r, (struct vc_conv_desc){ 16, 16, 3, 3, 1, 1 }, 3, 40, 41, VC_CONV_RELU);
        check_conv(&r, (struct vc_conv_desc){ 16, 32, 1, 1, 1, 0 }, 3, 40, 41, VC_CONV_ACCUMULATE);
        check_conv(&r, (struct vc_conv_desc){ 64, 80, 1, 1, 1, 0 }, 1, 7, 7, VC_CONV_ACCUMULATE | VC_CONV_RELU);
        check_conv(&r, (struct vc_conv_desc){ 24, 96, 3, 3, 2, 1 }, 1, 9, 9, VC_CONV_RELU);

        /* 2 threads: up to one chunk of tiles (256 for F(2x2): all but the 41x39 case; 18 or 24 for
         * F(4x4): the 9x7, 7x7 and 6x10 cases) splits the products by xi between the threads,
         * more tiles are taken a few register tiles at a time from a shared counter */
        for (int m = 2; m <= 4; m += 2) {
            check_winograd(&r, m, 5, 7, 3, 9, 7, VC_CONV_RELU);                          /* partial tiles, scalar tail */
            check_winograd(&r, m, 16, 24, 2, 14, 14, VC_CONV_ACCUMULATE | VC_CONV_RELU); /* 8-wide channel loops */
            check_winograd(&r, m, 13, 21, 2, 7, 7, VC_CONV_ACCUMULATE);                  /* both loops, stage-5 size */
            check_winograd(&r, m, 8, 8, 3, 41, 39, 0);                                   /* > 1 chunk of tiles */
            check_winograd(&r, m, 3, 4, 1, 1, 1, 0);                                     /* a single pixel */
            check_winograd(&r, m, 64, 64, 1, 6, 10, VC_CONV_RELU);
        }
        {
            struct vc_conv_desc d = { 4, 4, 3, 3, 1, 1 };
            float x[4 * 4 * 4] = { 0 }, u[36 * 16] = { 0 }, y[4 * 4 * 4], ws[1];
            vc_gemm_b *g = make_b(u, 36, 4, 4);
            CHECK(vc_conv2d_winograd(&d, 3, g, NULL, x, 1, 4, 4, y, 0, ws, 1) == VC_ERR_INVALID_ARG, "tile size 3 accepted");
            CHECK(vc_conv2d_winograd(&d, 2, g, NULL, x, 1, 4, 4, y, 0, ws, 1) == VC_ERR_INVALID_ARG,
                  "F(4x4) weights accepted for F(2x2)");
            vc_gemm_b_free(&g);
        }
        {
            struct vc_conv_desc d2 = { 4, 4, 3, 3, 2, 1 };
            CHECK(!vc_conv_winograd_ok(&d2), "stride 2 accepted by winograd");
        }
        /* workspace too small is an error, not a crash */
        {
            struct vc_conv_desc d = { 3, 4, 3, 3, 1, 1 };
            float x[3 * 5 * 5] = { 0 }, k[3 * 3 * 3 * 4] = { 0 }, y[4 * 5 * 5], ws[4];
            vc_gemm_b *g = make_b(k, 1, 27, 4), *g1 = make_b(k, 1, 9, 4);
            rc = vc_conv2d(&d, g, NULL, x, 1, 5, 5, y, 0, ws, 4);
            CHECK(rc == VC_ERR_INVALID_ARG, "small workspace accepted (rc %d)", rc);
            rc = vc_conv2d(&d, g1, NULL, x, 1, 5, 5, y, 0, ws, 4);
            CHECK(rc == VC_ERR_INVALID_ARG, "weights of the wrong shape accepted (rc %d)", rc);
            vc_gemm_b_free(&g);
            vc_gemm_b_free(&g1);
        }
    }
    /* the Winograd transforms in each instruction set the CPU has (VIDCLASS_TRANSFORMS), against
     * the double loops with the default product; the others refused. Channels 29 and 45 run the
     * 8-wide loop and the one-channel tail. */
    unsetenv("VIDCLASS_GEMM");
    g_prec = VC_PRECISION_FP32;
    {
        static const char *const isas[2] = { "avx2", "sse2" };
        const int isa_ok[2] = { __builtin_cpu_supports("avx2"), 1 };
        for (int ii = 0; ii < 2; ii++) {
            setenv("VIDCLASS_TRANSFORMS", isas[ii], 1);
            const char *name = NULL;
            int rc = vc_conv_winograd_isa(&name);
            if (!isa_ok[ii]) {
                CHECK(rc == VC_ERR_UNSUPPORTED && !name, "VIDCLASS_TRANSFORMS=%s accepted on a CPU without it", isas[ii]);
                struct vc_conv_desc d = { 4, 4, 3, 3, 1, 1 };
                float x[4 * 4 * 4] = { 0 }, u[16 * 16] = { 0 }, y[4 * 4 * 4], ws[1];
                vc_gemm_b *g = make_b(u, 16, 4, 4);
                CHECK(vc_conv2d_winograd(&d, 2, g, NULL, x, 1, 4, 4, y, 0, ws, 1) == VC_ERR_UNSUPPORTED,
                      "winograd ran with VIDCLASS_TRANSFORMS=%s on a CPU without it", isas[ii]);
                vc_gemm_b_free(&g);
                printf("transforms %s: not on this CPU, refused: %s\n", isas[ii], vc_last_error());
                continue;
            }
            CHECK(rc == VC_OK && name && strcmp(name, isas[ii]) == 0, "VIDCLASS_TRANSFORMS=%s chose %s", isas[ii],
                  name ? name : vc_last_error());
            printf("transforms %s\n", isas[ii]);
            for (int m = 2; m <= 4; m += 2) {
                check_winograd(&r, m, 29, 45, 2, 11, 9, VC_CONV_ACCUMULATE | VC_CONV_RELU);
                check_winograd(&r, m, 45, 29, 1, 14, 14, VC_CONV_RELU);
                check_winograd(&r, m, 64, 32, 3, 7, 7, 0);
            }
        }
        setenv("VIDCLASS_TRANSFORMS", "avx3", 1);
        const char *name = "x";
        CHECK(vc_conv_winograd_isa(&name) == VC_ERR_INVALID_ARG && !name, "VIDCLASS_TRANSFORMS=avx3 accepted");
        unsetenv("VIDCLASS_TRANSFORMS");
        CHECK(vc_conv_winograd_isa(&name) == VC_OK &&
                  strcmp(name, __builtin_cpu_supports("avx2") ? "avx2" : "sse2") == 0,
              "auto chose the transforms %s", name ? name : "none");
    }
    /* max pool 3x3/2 pad 1 with zero padding, on values that may be negative, and the global
     * average (against a channel-by-channel double sum: the same additions, so equal), on
     * 1 and 2 threads (both split their work over the pool) */
    for (int threads = 1; threads <= 2; threads++) {
        vc_blas_set_threads(threads);
        int n = 2, h = 11, w = 8, c = 5;
        int oh = vc_conv_out_dim(h, 3, 2, 1), ow = vc_conv_out_dim(w, 3, 2, 1);
        float *x = malloc(sizeof(float) * n * h * w * c);
        float *y = malloc(sizeof(float) * n * oh * ow * c), *yr = malloc(sizeof(float) * n * oh * ow * c);
        fill(&r, x, (size_t)n * h * w * c);
        vc_maxpool2d(x, n, h, w, c, 3, 2, 1, y);
        naive_maxpool(x, n, h, w, c, 3, 2, 1, yr);
        CHECK(memcmp(y, yr, sizeof(float) * n * oh * ow * c) == 0, "maxpool differs from direct loops (%d threads)",
              threads);
        free(x); free(y); free(yr);
        /* 300 channels: a block of 256 and a partial one; 3 images: parts split unevenly */
        n = 3, h = 7, w = 5, c = 300;
        x = malloc(sizeof(float) * n * h * w * c);
        y = malloc(sizeof(float) * n * c);
        yr = malloc(sizeof(float) * n * c);
        fill(&r, x, (size_t)n * h * w * c);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++) {
                double sum = 0.0;
                for (int p = 0; p < h * w; p++) sum += x[((size_t)b * h * w + p) * c + ch];
                yr[b * c + ch] = (float)(sum / (h * w));
            }
        vc_global_avgpool(x, n, h, w, c, y);
        CHECK(memcmp(y, yr, sizeof(float) * n * c) == 0, "global average differs from a per-channel sum (%d threads)",
              threads);
        free(x); free(y); free(yr);
    }
    /* global average pool, values worked out by hand */
    {
        float x[2 * 3 * 3 * 2], y[4];
        for (int i = 0; i < 36; i++) x[i] = (float)i;
        vc_global_avgpool(x, 2, 3, 3, 2, y);
        CHECK(y[0] == 8.0f && y[1] == 9.0f && y[2] == 26.0f && y[3] == 27.0f,
              "avgpool got %g %g %g %g", y[0], y[1], y[2], y[3]);
    }
    return test_finish("test_conv");
}
