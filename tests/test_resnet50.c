/* test_resnet50.c - our ResNet50 against PyTorch float64 reference vectors.
 *
 * usage: test_resnet50 tests/reference/resnet50_ref.h5
 * Regenerates the seed-1234 weights with the library, proves they are the ones the
 * reference was computed from (per-tensor sums), then compares per-layer activations of a
 * 64x64 image and the 7x7x2048 maps + 2048-d features of two 224x224 images. Tolerance:
 * max |ours - ref| / max |ref| <= 1e-4 per tensor (the bound) in fp32. The bf16
 * products (--precision bf16, where the CPU has them) are held to a wider bar, BF16_TOL,
 * on the same tensors; where the CPU has none, loading in bf16 must be refused.
 */
#include "test_util.h"
#include "vidclass/gemm.h"
#include "vidclass/keras_weights.h"
#include "vidclass/preprocess.h"
#include "vidclass/resnet50.h"
#include "vidclass/status.h"

#include <hdf5.h>

#define TOL 1e-4
/* bf16 keeps 8 of float32's 24 mantissa bits: each product's operands are off by up to
 * 2^-9 relative, and 53 layers compound it. Measured here on the reference inputs: see the
 * printed errors (docs/performance.md has the figures). */
#define BF16_TOL 1e-2 /* worst measured on a Sapphire Rapids: 6.0e-3 (conv4_block1_out, amx, F(2x2)) */
#define INT8_TOL 3e-2 /* int8: worst measured 1.43e-2 (the 7x7x2048 map, F(2x2) in int8; Sapphire Rapids) */

static double g_tol = TOL; /* the bar of the path under test */

static hid_t g_ref = -1;

static void *read_ref(const char *name, hid_t mtype, size_t elem, size_t *n_out, hsize_t *dims_out)
{
    hid_t d = H5Dopen2(g_ref, name, H5P_DEFAULT);
    if (d < 0) {
        fprintf(stderr, "reference dataset %s missing\n", name);
        exit(1);
    }
    hid_t s = H5Dget_space(d);
    hsize_t dims[8];
    int nd = H5Sget_simple_extent_dims(s, dims, NULL);
    size_t n = 1;
    for (int i = 0; i < nd; i++) {
        n *= dims[i];
        if (dims_out) dims_out[i] = dims[i];
    }
    void *buf = malloc(elem * n);
    if (H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
        fprintf(stderr, "cannot read %s\n", name);
        exit(1);
    }
    H5Sclose(s);
    H5Dclose(d);
    *n_out = n;
    return buf;
}

static void tap_compare(const char *name, const float *data, int n, int h, int w, int c, void *user)
{
    char path[128];
    snprintf(path, sizeof path, "small/%s", name);
    if (H5Lexists(g_ref, path, H5P_DEFAULT) <= 0)
        return;
    size_t nref;
    float *ref = read_ref(path, H5T_NATIVE_FLOAT, sizeof(float), &nref, NULL);
    CHECK(nref == (size_t)n * h * w * c, "%s: %zu reference values, we have %d*%d*%d*%d", name, nref, n, h, w, c);
    if (nref == (size_t)n * h * w * c) {
        double e = max_rel_err(data, ref, nref);
        printf("  %-18s [%d,%d,%d,%d] max rel err %.2e  nmse %.2e\n", name, n, h, w, c, e, nmse(data, ref, nref));
        CHECK(e <= g_tol, "%s: max rel err %.3g > %g", name, e, g_tol);
    }
    (*(int *)user)++;
    free(ref);
}

/* The per-tensor sums, in the order the reference script walks the file. */
static void check_weights_are_the_reference_ones(const char *wpath)
{
    size_t nsum;
    double *sums = read_ref("weights_checksums", H5T_NATIVE_DOUBLE, sizeof(double), &nsum, NULL);
    vc_keras_weights *kw = NULL;
    CHECK(vc_keras_weights_open(wpath, &kw) == VC_OK, "open: %s", vc_last_error());
    size_t k = 0, bad = 0;
    static const char *conv_w[2] = { "kernel", "bias" };
    static const char *bn_w[4] = { "gamma", "beta", "moving_mean", "moving_variance" };
    for (int i = 0; i < vc_resnet50_layer_count() && kw; i++) {
        const struct vc_resnet50_layer *l = vc_resnet50_layer_at(i);
        int nw = l->kind == VC_LAYER_CONV ? 2 : l->kind == VC_LAYER_BN ? 4 : 0;
        for (int j = 0; j < nw; j++, k++) {
            int64_t dims[4];
            int nd;
            size_t cnt;
            if (l->kind == VC_LAYER_CONV && j == 0) {
                dims[0] = l->kh; dims[1] = l->kw; dims[2] = l->cin; dims[3] = l->cout; nd = 4;
                cnt = (size_t)l->kh * l->kw * l->cin * l->cout;
            } else {
                dims[0] = l->kind == VC_LAYER_CONV ? l->cout : l->channels; nd = 1;
                cnt = (size_t)dims[0];
            }
            float *v = malloc(sizeof(float) * cnt);
            int rc = vc_keras_weights_read(kw, l->name, l->kind == VC_LAYER_CONV ? conv_w[j] : bn_w[j], nd, dims, v);
            double s = 0.0;
            for (size_t q = 0; q < cnt; q++) s += v[q];
            if (rc != VC_OK || k >= nsum || fabs(s - sums[k]) > 1e-9 * (1.0 + fabs(sums[k])))
                bad++;
            free(v);
        }
    }
    CHECK(k == nsum, "walked %zu tensors, reference has %zu", k, nsum);
    CHECK(bad == 0, "%zu tensors differ from the weights the reference was made with: "
                    "the generator changed; regenerate tests/reference (see make_reference.py)", bad);
    vc_keras_weights_close(&kw);
    free(sums);
}

/* What the 3x3 stride-1 layers' GEMMs save at 224x224 against direct convolution (3.699e9
 * flops): stages 2-5 have 3, 4, 6, 3 such layers on 56, 28, 14, 7 maps of 64..512 channels;
 * Winograd F(m x m) does 2 (m+2)^2 cin cout flops per tile of ceil(hw/m)^2 (worked out
 * independently of src/resnet50.c, in Python, for these four choices). */
static double winograd_saving(const char *winograd)
{
    if (!winograd || strcmp(winograd, "4,4,2,2") == 0)
        return 2275540992.0;                              /* F(4x4) on stages 2-3, F(2x2) on 4-5 */
    if (strcmp(winograd, "2") == 0) return 1960837120.0; /* F(2x2) everywhere */
    if (strcmp(winograd, "4") == 0) return 2615279616.0; /* F(4x4) everywhere */
    if (strcmp(winograd, "2,4,0,4") == 0) return 1546125312.0; /* one tile size per stage */
    return 0.0;                                           /* im2col + GEMM */
}

/* Loads the weights with the convolution paths VIDCLASS_WINOGRAD selects and the product
 * VIDCLASS_GEMM selects (NULL: the default choice) and checks every tap and the 224x224
 * outputs against the reference. */
static void check_path(const char *wpath, const char *winograd, const char *gemm, enum vc_precision prec)
{
    g_tol = prec == VC_PRECISION_FP32 ? TOL : prec == VC_PRECISION_BF16 ? BF16_TOL : INT8_TOL;
    if (winograd) setenv("VIDCLASS_WINOGRAD", winograd, 1);
    else unsetenv("VIDCLASS_WINOGRAD");
    if (gemm) setenv("VIDCLASS_GEMM", gemm, 1);
    else unsetenv("VIDCLASS_GEMM");
    const char *kind = NULL;
    CHECK(vc_gemm_choice(prec, &kind) == VC_OK, "VIDCLASS_GEMM=%s: %s", gemm ? gemm : "(unset)", vc_last_error());
    printf("== convolution path: VIDCLASS_WINOGRAD=%s, %s product %s (VIDCLASS_GEMM=%s), bar %g\n",
           winograd ? winograd : "(unset: per-stage choice)", vc_precision_name(prec), kind ? kind : "?",
           gemm ? gemm : "(unset)", g_tol);
    vc_resnet50 *net = NULL;
    struct vc_resnet50_params np = vc_resnet50_default_params();
    np.precision = prec;
    CHECK(vc_resnet50_load(wpath, &np, &net) == VC_OK, "load: %s", vc_last_error());
    if (!net)
        return;
    const struct vc_resnet50_desc desc = vc_resnet50_describe(net);
    CHECK(desc.precision == prec && kind && strcmp(desc.product, kind) == 0, "loaded as %s %s, asked %s %s",
          vc_precision_name(desc.precision), desc.product, vc_precision_name(prec), kind ? kind : "?");
    double saved = vc_resnet50_flops(224, 224) - vc_resnet50_gemm_flops(net, 224, 224);
    printf("GEMM flops at 224x224: %.4g (direct convolution %.4g)\n", vc_resnet50_gemm_flops(net, 224, 224),
           vc_resnet50_flops(224, 224));
    /* bf16's default plans differ per kernel; int8's is F(2x2) everywhere */
    const double expect = winograd_saving(!winograd && prec == VC_PRECISION_INT8 ? "2" : winograd);
    if (prec != VC_PRECISION_BF16 || winograd)
        CHECK(fabs(saved - expect) < 1.0, "Winograd saves %.0f flops, expected %.0f", saved, expect);

    /* per-layer activations of a 64x64 image */
    {
        hsize_t dims[4];
        size_t n;
        uint8_t *img = read_ref("small/input", H5T_NATIVE_UINT8, 1, &n, dims);
        float *x = malloc(sizeof(float) * n);
        vc_preprocess_rgb8(img, n / 3, VC_PREPROCESS_CAFFE, x);
        int taps = 0;
        printf("per-layer, input [%d,%d,%d,3]:\n", (int)dims[0], (int)dims[1], (int)dims[2]);
        CHECK(vc_resnet50_forward(net, x, (int)dims[0], (int)dims[1], (int)dims[2], NULL, tap_compare, &taps) == VC_OK,
              "forward: %s", vc_last_error());
        CHECK(taps == 8, "compared %d taps, expected 8", taps);
        free(img);
        free(x);
    }
    /* full 224x224 batch of 2: the 7x7x2048 map and the pooled features */
    {
        hsize_t dims[4];
        size_t n, nref, nfeat;
        uint8_t *img = read_ref("full/input", H5T_NATIVE_UINT8, 1, &n, dims);
        float *ref = read_ref("full/output", H5T_NATIVE_FLOAT, sizeof(float), &nref, NULL);
        float *fref = read_ref("full/features", H5T_NATIVE_FLOAT, sizeof(float), &nfeat, NULL);
        int nb = (int)dims[0];
        float *x = malloc(sizeof(float) * n);
        float *out = malloc(sizeof(float) * nref);
        float *feat = malloc(sizeof(float) * nfeat);
        vc_preprocess_rgb8(img, n / 3, VC_PREPROCESS_CAFFE, x);
        int oh, ow;
        vc_resnet50_output_hw(224, 224, &oh, &ow);
        CHECK(oh == 7 && ow == 7, "output %dx%d", oh, ow);
        CHECK(vc_resnet50_forward(net, x, nb, 224, 224, out, NULL, NULL) == VC_OK, "forward: %s", vc_last_error());
        double e = max_rel_err(out, ref, nref);
        printf("224x224 batch %d: 7x7x2048 map max rel err %.2e, nmse %.2e\n", nb, e, nmse(out, ref, nref));
        CHECK(e <= g_tol, "7x7x2048 map: max rel err %.3g > %g", e, g_tol);
        size_t ws_bytes = vc_resnet50_workspace_bytes(net);
        CHECK(vc_resnet50_features(net, x, nb, 224, 224, feat) == VC_OK, "features: %s", vc_last_error());
        e = max_rel_err(feat, fref, nfeat);
        printf("224x224 batch %d: 2048-d features max rel err %.2e\n", nb, e);
        CHECK(e <= g_tol, "features: max rel err %.3g > %g", e, g_tol);
        CHECK(vc_resnet50_workspace_bytes(net) == ws_bytes, "workspace reallocated for the same shape");
        /* batch 1 gives the same features as inside the batch of 2 (no cross-talk) */
        float one[VC_RESNET50_FEATURES];
        CHECK(vc_resnet50_features(net, x + (size_t)224 * 224 * 3, 1, 224, 224, one) == VC_OK, "batch 1");
        e = max_rel_err(one, feat + VC_RESNET50_FEATURES, VC_RESNET50_FEATURES);
        CHECK(e < 1e-5, "image 2 alone vs in batch: %.3g", e);
        CHECK(vc_resnet50_workspace_bytes(net) == ws_bytes, "workspace reallocated for a smaller batch");
        /* features are input-dependent */
        double diff = 0;
        for (int i = 0; i < VC_RESNET50_FEATURES; i++) diff += fabs(feat[i] - feat[i + VC_RESNET50_FEATURES]);
        CHECK(diff > 1.0, "the two images give (nearly) the same features: sum |diff| %g", diff);
        free(img); free(ref); free(fref); free(x); free(out); free(feat);
    }
    /* too-small input is a clear error */
    {
        float x[16 * 16 * 3] = { 0 };
        CHECK(vc_resnet50_forward(net, x, 1, 16, 16, NULL, NULL, NULL) == VC_ERR_INVALID_ARG, "16x16 accepted");
    }
    vc_resnet50_free(&net);
    CHECK(net == NULL, "free did not clear the handle");
}

/* check_path for each of n kernels of precision prec the CPU has: row i is the kernel's name,
 * then up to two VIDCLASS_WINOGRAD plans to check besides the default one (NULL: none).
 * Prints the kernels the CPU lacks; returns how many it has. Leaves VIDCLASS_GEMM unset. */
static int check_kernels(const char *wpath, enum vc_precision prec, const char *const rows[][3], int n)
{
    int found = 0;
    for (int i = 0; i < n; i++) {
        setenv("VIDCLASS_GEMM", rows[i][0], 1);
        if (vc_precision_check(prec) != VC_OK) {
            printf("%s product %s: not on this CPU: %s\n", vc_precision_name(prec), rows[i][0], vc_last_error());
            continue;
        }
        check_path(wpath, NULL, rows[i][0], prec);
        for (int p = 1; p < 3; p++)
            if (rows[i][p])
                check_path(wpath, rows[i][p], rows[i][0], prec);
        found++;
    }
    unsetenv("VIDCLASS_GEMM");
    return found;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s resnet50_ref.h5\n", argv[0]);
        return 2;
    }
    vc_blas_set_threads(2);
    g_ref = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (g_ref < 0) {
        fprintf(stderr, "cannot open %s\n", argv[1]);
        return 1;
    }
    CHECK(vc_resnet50_layer_count() == 175, "manifest has %d layers, Keras has 175", vc_resnet50_layer_count());
    CHECK(strcmp(vc_resnet50_layer_at(0)->name, "input_1") == 0, "first layer %s", vc_resnet50_layer_at(0)->name);
    CHECK(strcmp(vc_resnet50_layer_at(174)->name, "conv5_block3_out") == 0, "last layer %s",
          vc_resnet50_layer_at(174)->name);
    double gflop = vc_resnet50_flops(224, 224) / 1e9;
    CHECK(gflop > 7.6 && gflop < 7.8, "ResNet50-notop at 224: %.3f GFLOP, expected ~7.7", gflop);

    char wpath[600];
    snprintf(wpath, sizeof wpath, "%s/w1234.h5", test_tmpdir("resnet50"));
    struct vc_resnet50_gen_params gp = vc_resnet50_gen_default_params();
    gp.seed = 1234;
    CHECK(vc_resnet50_generate_weights(wpath, &gp) == VC_OK, "generate: %s", vc_last_error());
    check_weights_are_the_reference_ones(wpath);

    /* every convolution path this machine has: im2col + GEMM, Winograd F(2x2) and F(4x4)
     * everywhere, the default per-stage mix and a mix of all three (2,4,0,4), with the
     * default product (the fastest packed kernel the CPU has); then the default mix and
     * im2col with OpenBLAS, and the default mix with the AVX2 kernel where AVX-512 is the
     * default (test_conv checks every product on every path layer by layer) */
    const char *paths[][2] = { { NULL, NULL }, { "0", NULL }, { "2", NULL }, { "4", NULL }, { "2,4,0,4", NULL },
                               { NULL, "blas" }, { "0", "blas" } };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        check_path(wpath, paths[i][0], paths[i][1], VC_PRECISION_FP32);
    const char *best = NULL;
    unsetenv("VIDCLASS_GEMM");
    if (vc_gemm_choice(VC_PRECISION_FP32, &best) == VC_OK && strcmp(best, "avx512") == 0)
        check_path(wpath, NULL, "avx2", VC_PRECISION_FP32);
    /* bf16: each kernel this CPU has, with its default plan and with F(2x2) everywhere (the
     * other kernel's plan); none: loading in bf16 is refused and says what to use */
    static const char *const bf16_plans[][3] = { { "amx", "2", NULL }, { "avx512bf16", "0", NULL } };
    const int bf16_paths = check_kernels(wpath, VC_PRECISION_BF16, bf16_plans, 2);
    {
        struct vc_resnet50_params np = vc_resnet50_default_params();
        np.precision = VC_PRECISION_BF16;
        vc_resnet50 *net = NULL;
        if (!bf16_paths) {
            CHECK(vc_resnet50_load(wpath, &np, &net) == VC_ERR_UNSUPPORTED && !net && strstr(vc_last_error(), "fp32"),
                  "bf16 loaded on a CPU without bf16 products");
            printf("precision bf16 refused: %s\n", vc_last_error());
        }
        setenv("VIDCLASS_WINOGRAD", "2,4,2,2", 1); /* F(4x4) in bf16: refused whatever the CPU */
        CHECK(vc_resnet50_load(wpath, &np, &net) != VC_OK && !net, "bf16 with F(4x4) loaded");
        printf("bf16 with VIDCLASS_WINOGRAD=2,4,2,2: %s\n", vc_last_error());
        unsetenv("VIDCLASS_WINOGRAD");
    }
    /* int8 (every convolution but conv1 in int8): with its default plan (F(2x2) for the 3x3
     * layers), with im2col everywhere, and with F(4x4) on stages 2-3 (those 3x3 layers then
     * fp32); none: refused, saying what to use */
    static const char *const int8_plans[][3] = { { "amx-int8", "0", "4,4,2,2" }, { "avx512vnni", "0", "4,4,2,2" } };
    if (!check_kernels(wpath, VC_PRECISION_INT8, int8_plans, 2)) {
        struct vc_resnet50_params np = vc_resnet50_default_params();
        np.precision = VC_PRECISION_INT8;
        vc_resnet50 *net = NULL;
        CHECK(vc_resnet50_load(wpath, &np, &net) == VC_ERR_UNSUPPORTED && !net && strstr(vc_last_error(), "fp32"),
              "int8 loaded on a CPU without AVX512_VNNI or AMX-INT8");
    }
    unsetenv("VIDCLASS_GEMM");
    static const char *const bad_values[] = { "3", "4,4,2", "4,4,2,2,2", "4,,2,2", "4,4,2,2,", "44", "auto,2" };
    for (size_t i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
        setenv("VIDCLASS_WINOGRAD", bad_values[i], 1);
        vc_resnet50 *bad = NULL;
        CHECK(vc_resnet50_load(wpath, NULL, &bad) == VC_ERR_INVALID_ARG && !bad, "VIDCLASS_WINOGRAD=%s accepted", bad_values[i]);
        printf("VIDCLASS_WINOGRAD=%s: %s\n", bad_values[i], vc_last_error());
    }
    unsetenv("VIDCLASS_WINOGRAD");
    H5Fclose(g_ref);
    return test_finish("test_resnet50");
}
