/* resnet50.c - the Keras ResNet50-notop graph: manifest, weight loading with BN folding,
 * and the batched forward pass over one reusable workspace. */
#include "vidclass/resnet50.h"
#include "vidclass/conv.h"
#include "vidclass/gemm.h"
#include "vidclass/keras_weights.h"
#include "vidclass/log.h"
#include "vidclass/status.h"
#include "keras_config.h"
#include "resnet50_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- manifest --------------------------------------------------------------------- */

#define N_LAYERS 175
#define N_STAGES 4
#define N_BLOCKS 16

static const struct { int filters, blocks, stride; } k_stages[N_STAGES] = {
    { 64, 3, 1 }, { 128, 4, 2 }, { 256, 6, 2 }, { 512, 3, 2 },
};

static struct vc_resnet50_layer g_layers[N_LAYERS];
static char g_names[N_LAYERS][64];
static int g_n_layers;
static pthread_once_t g_manifest_once = PTHREAD_ONCE_INIT;

static void add_layer(const char *name, enum vc_layer_kind kind, int kh, int cin, int cout,
                      int stride, int pad, int channels)
{
    VC_ASSERT(g_n_layers < N_LAYERS);
    struct vc_resnet50_layer *l = &g_layers[g_n_layers];
    snprintf(g_names[g_n_layers], sizeof g_names[g_n_layers], "%s", name);
    l->name = g_names[g_n_layers];
    l->kind = kind;
    l->kh = l->kw = kh;
    l->cin = cin;
    l->cout = cout;
    l->stride = stride;
    l->pad = pad;
    l->channels = channels;
    g_n_layers++;
}

static void add_conv_bn(const char *prefix, int k, int cin, int cout, int stride, int pad)
{
    char name[64];
    snprintf(name, sizeof name, "%s_conv", prefix);
    add_layer(name, VC_LAYER_CONV, k, cin, cout, stride, pad, 0);
    snprintf(name, sizeof name, "%s_bn", prefix);
    add_layer(name, VC_LAYER_BN, 0, 0, 0, 0, 0, cout);
}

/* Keras's layer order (model.layers of the functional graph): the shortcut conv comes
 * after the second relu of block 1, and its BN after conv _3. */
static void build_manifest(void)
{
    char p[48], name[64];
    add_layer("input_1", VC_LAYER_INPUT, 0, 0, 0, 0, 0, 0);
    add_layer("conv1_pad", VC_LAYER_PAD, 0, 0, 0, 0, 3, 0);
    add_conv_bn("conv1", 7, 3, 64, 2, 0);
    add_layer("conv1_relu", VC_LAYER_RELU, 0, 0, 0, 0, 0, 0);
    add_layer("pool1_pad", VC_LAYER_PAD, 0, 0, 0, 0, 1, 0);
    add_layer("pool1_pool", VC_LAYER_POOL, 3, 0, 0, 2, 0, 0);
    int cin = 64;
    for (int s = 0; s < N_STAGES; s++) {
        int f = k_stages[s].filters;
        for (int b = 1; b <= k_stages[s].blocks; b++) {
            int stride = b == 1 ? k_stages[s].stride : 1;
            char base[24];
            snprintf(base, sizeof base, "conv%d_block%d", s + 2, b);
            snprintf(p, sizeof p, "%s_1", base);
            add_conv_bn(p, 1, cin, f, stride, 0);
            snprintf(name, sizeof name, "%s_1_relu", base);
            add_layer(name, VC_LAYER_RELU, 0, 0, 0, 0, 0, 0);
            snprintf(p, sizeof p, "%s_2", base);
            add_conv_bn(p, 3, f, f, 1, 1);
            snprintf(name, sizeof name, "%s_2_relu", base);
            add_layer(name, VC_LAYER_RELU, 0, 0, 0, 0, 0, 0);
            if (b == 1) {
                snprintf(name, sizeof name, "%s_0_conv", base);
                add_layer(name, VC_LAYER_CONV, 1, cin, 4 * f, stride, 0, 0);
                snprintf(name, sizeof name, "%s_3_conv", base);
                add_layer(name, VC_LAYER_CONV, 1, f, 4 * f, 1, 0, 0);
                snprintf(name, sizeof name, "%s_0_bn", base);
                add_layer(name, VC_LAYER_BN, 0, 0, 0, 0, 0, 4 * f);
                snprintf(name, sizeof name, "%s_3_bn", base);
                add_layer(name, VC_LAYER_BN, 0, 0, 0, 0, 0, 4 * f);
            } else {
                snprintf(p, sizeof p, "%s_3", base);
                add_conv_bn(p, 1, f, 4 * f, 1, 0);
            }
            snprintf(name, sizeof name, "%s_add", base);
            add_layer(name, VC_LAYER_ADD, 0, 0, 0, 0, 0, 0);
            snprintf(name, sizeof name, "%s_out", base);
            add_layer(name, VC_LAYER_RELU, 0, 0, 0, 0, 0, 0);
            cin = 4 * f;
        }
    }
    VC_ASSERT(g_n_layers == N_LAYERS);
}

int vc_resnet50_layer_count(void)
{
    pthread_once(&g_manifest_once, build_manifest);
    return g_n_layers;
}

const struct vc_resnet50_layer *vc_resnet50_layer_at(int i)
{
    pthread_once(&g_manifest_once, build_manifest);
    VC_ASSERT(i >= 0 && i < g_n_layers);
    return &g_layers[i];
}

static const struct vc_resnet50_layer *find_layer(const char *name)
{
    for (int i = 0; i < vc_resnet50_layer_count(); i++)
        if (strcmp(g_layers[i].name, name) == 0)
            return &g_layers[i];
    return NULL;
}

/* ---- the network -------------------------------------------------------------------- */

struct conv_layer {
    struct vc_conv_desc d;
    float              *kernel; /* [kh*kw*cin, cout], BN folded; only while loading        */
    float              *bias;   /* [cout], BN folded                                       */
    vc_gemm_b          *w;      /* the kernel prepared for the product (vc_gemm_b_create) */
    int                 wino_m; /* 0: w is the kernel; 2 or 4: w is its Winograd transform */
};

struct block {
    int               has_proj;
    struct conv_layer c0, c1, c2, c3;
};

struct vc_resnet50 {
    struct conv_layer conv1;
    struct block      blocks[N_BLOCKS];
    /* workspace, sized for (ws_n, ws_h, ws_w) and ws_threads compute threads */
    int    ws_n, ws_h, ws_w, ws_threads;
    float *buf_main[2];     /* block inputs/outputs and the projection shortcut */
    float *buf_mid[2];      /* bottleneck activations                           */
    float *col;             /* im2col patches                                   */
    size_t main_floats, mid_floats, col_floats;
    struct vc_resnet50_desc desc;
    struct vc_resnet50_timing timing;
};

/* ---- weights layouts ------------------------------------------------------------------ */

enum layout { LAYOUT_TF_KERAS, LAYOUT_KERAS22 };

/* What the loader needs while reading one file. */
struct reader {
    vc_keras_weights *kw;
    enum layout       layout;
    vc_keras_config  *config; /* the file's model_config, or NULL */
    struct vc_resnet50_desc *desc;
};

void vc_resnet50_keras22_name(const char *tf, char *out, size_t len)
{
    int st, blk, j;
    char kind[8];
    if (strcmp(tf, "conv1_conv") == 0) snprintf(out, len, "conv1");
    else if (strcmp(tf, "conv1_bn") == 0) snprintf(out, len, "bn_conv1");
    else if (sscanf(tf, "conv%d_block%d_%d_%7s", &st, &blk, &j, kind) == 4 && j >= 0 && j <= 3 &&
             (strcmp(kind, "bn") == 0 || strcmp(kind, "conv") == 0)) {
        char branch[4] = { '1', 0, 0, 0 };
        if (j > 0) { branch[0] = '2'; branch[1] = (char)('a' + j - 1); }
        snprintf(out, len, "%s%d%c_branch%s", strcmp(kind, "bn") == 0 ? "bn" : "res", st, 'a' + blk - 1, branch);
    } else snprintf(out, len, "%s", tf);
}

/* The file's name for manifest layer `tf` (tf.keras naming). */
static void file_layer_name(enum layout lay, const char *tf, char *out, size_t len)
{
    if (lay == LAYOUT_KERAS22) vc_resnet50_keras22_name(tf, out, len);
    else snprintf(out, len, "%s", tf);
}

static int detect_layout(struct reader *r, const char *path)
{
    vc_keras_weights *kw = r->kw;
    if (vc_keras_weights_has_layer(kw, "conv1_conv")) {
        r->layout = LAYOUT_TF_KERAS;
        *r->desc = (struct vc_resnet50_desc){ "tf.keras", VC_RESNET50_BN_EPSILON, 1, 0, 0, 0, VC_PRECISION_FP32, "" };
    } else if (vc_keras_weights_has_layer(kw, "conv1") && vc_keras_weights_has_layer(kw, "res2a_branch2a")) {
        r->layout = LAYOUT_KERAS22;
        /* keras_applications added pool1_pad (ZeroPadding2D(1)) in 1.0.8; before it, and in
         * the v0.2 files, the max pool runs on the unpadded map */
        int pad = vc_keras_weights_has_layer(kw, "pool1_pad");
        if (r->config) {
            int i = vc_keras_config_find(r->config, "pool1_pad");
            pad = i >= 0 && strcmp(vc_keras_config_layer(r->config, i)->class_name, "ZeroPadding2D") == 0;
        }
        *r->desc = (struct vc_resnet50_desc){ "keras2.2", 1e-3, pad, 0, 0, 0, VC_PRECISION_FP32, "" };
    } else {
        return vc_error(VC_ERR_MISSING, "weights file '%s' holds no ResNet50 in a known layout: no layer 'conv1_conv' "
                        "(tf.keras, Keras 3) and no 'conv1' + 'res2a_branch2a' (Keras 2.2, keras_applications); "
                        "layer 'conv1_conv' is missing", path);
    }
    r->desc->eps_min = INFINITY; /* the range of the epsilons used, filled per layer */
    r->desc->eps_max = 0.0;
    return VC_OK;
}

/* Epsilon of BN layer `name` (file naming): the model_config's when it states one. */
static double bn_epsilon(struct reader *r, const char *name)
{
    double eps;
    int i = r->config ? vc_keras_config_find(r->config, name) : -1;
    if (i >= 0 && vc_keras_config_double(vc_keras_config_layer(r->config, i), "epsilon", &eps) && eps > 0) {
        r->desc->eps_from_config++;
        return eps;
    }
    return r->desc->bn_epsilon;
}

/* Read conv `name` (manifest naming) and the BN after it, in the file's layout, taking
 * each layer's tensors in weight_names order; fold: W' = W*s, b' = (b - mean)*s + beta
 * with s = gamma / sqrt(var + eps), per output channel (the last HWIO axis). */
static int load_conv_bn(struct reader *rd, const char *conv_name, struct conv_layer *cl, int *n_tensors)
{
    const struct vc_resnet50_layer *l = find_layer(conv_name);
    VC_ASSERT(l && l->kind == VC_LAYER_CONV);
    char tf_bn[40], conv_file[40], bn_file[40];
    snprintf(tf_bn, sizeof tf_bn, "%.*s_bn", (int)(strlen(conv_name) - 5), conv_name);
    file_layer_name(rd->layout, conv_name, conv_file, sizeof conv_file);
    file_layer_name(rd->layout, tf_bn, bn_file, sizeof bn_file);

    cl->d = (struct vc_conv_desc){ l->cin, l->cout, l->kh, l->kw, l->stride, l->pad };
    size_t kn = (size_t)l->kh * l->kw * l->cin * l->cout;
    int co = l->cout;
    cl->kernel = malloc(sizeof(float) * kn);
    cl->bias = malloc(sizeof(float) * (size_t)co);
    float *bn = malloc(sizeof(float) * 4 * (size_t)co);
    if (!cl->kernel || !cl->bias || !bn) {
        free(bn);
        return vc_error(VC_ERR_NOMEM, "%s: out of memory for layer '%s'", __func__, conv_file);
    }
    int64_t kdims[4] = { l->kh, l->kw, l->cin, l->cout };
    int64_t vdims[1] = { co };
    static const char *conv_w = "kernel, bias", *bn_w = "gamma, beta, moving_mean, moving_variance";
    int rc = vc_keras_weights_read_at(rd->kw, conv_file, 0, 2, conv_w, 4, kdims, cl->kernel);
    if (rc == VC_OK) rc = vc_keras_weights_read_at(rd->kw, conv_file, 1, 2, conv_w, 1, vdims, cl->bias);
    for (int i = 0; i < 4 && rc == VC_OK; i++)
        rc = vc_keras_weights_read_at(rd->kw, bn_file, i, 4, bn_w, 1, vdims, bn + (size_t)i * co);
    if (rc == VC_OK) {
        *n_tensors += 6;
        const double eps = bn_epsilon(rd, bn_file);
        if (eps < rd->desc->eps_min) rd->desc->eps_min = eps;
        if (eps > rd->desc->eps_max) rd->desc->eps_max = eps;
        const float *gamma = bn, *beta = bn + co, *mean = bn + 2 * co, *var = bn + 3 * co;
        double *scale = malloc(sizeof(double) * (size_t)co);
        if (!scale) rc = vc_error(VC_ERR_NOMEM, "%s: out of memory for layer '%s'", __func__, bn_file);
        for (int c = 0; c < co && rc == VC_OK; c++) {
            if (!(var[c] >= 0.0f)) {
                rc = vc_error(VC_ERR_FORMAT, "weights file '%s': layer '%s' channel %d: negative moving_variance %g",
                              vc_keras_weights_path(rd->kw), bn_file, c, (double)var[c]);
                break;
            }
            scale[c] = (double)gamma[c] / sqrt((double)var[c] + eps);
            cl->bias[c] = (float)(((double)cl->bias[c] - (double)mean[c]) * scale[c] + (double)beta[c]);
        }
        for (size_t r = 0; rc == VC_OK && r < kn / (size_t)co; r++) /* row by row: contiguous */
            for (int c = 0; c < co; c++)
                cl->kernel[r * (size_t)co + c] = (float)((double)cl->kernel[r * (size_t)co + c] * scale[c]);
        free(scale);
    }
    free(bn);
    return rc;
}

static void conv_layer_free(struct conv_layer *cl)
{
    free(cl->kernel);
    free(cl->bias);
    vc_gemm_b_free(&cl->w);
    cl->kernel = cl->bias = NULL;
}

/* Winograd output tile per stage (conv2..conv5) for the 3x3 stride-1 convolutions, chosen
 * by measurement (docs/performance.md): F(4x4) where the maps are large, F(2x2) on
 * stage 5, whose 7x7 maps fit F(4x4)'s tiles badly and whose 512x512 kernels would take
 * 36 x 1 MB each transformed (in the network, F(4x4) on stages 4-5 gains only at batch 32:
 * bench/products --vary, docs/performance.md). VIDCLASS_WINOGRAD overrides it (winograd_plan;
 * tests compare the paths, benchmarks measure them). */
static const int k_wino_m[N_STAGES] = { 4, 4, 2, 2 };

/* With bf16 products: AMX multiplies so fast that the transforms would cost more than the
 * flops they save, and its tiles want many rows: im2col everywhere. vdpbf16ps (twice fp32's
 * rate) keeps Winograd where its arithmetic is mildest: F(2x2) (transform entries 0 and
 * +-1; F(4x4)'s reach 8 and 1/24 and would magnify bf16's rounding). Measured in
 * docs/performance.md. */
static const int k_wino_m_amx[N_STAGES] = { 0, 0, 0, 0 };
static const int k_wino_m_avx512bf16[N_STAGES] = { 2, 2, 2, 2 };

/* int8 multiplies the 3x3 convolutions in F(2x2) Winograd: its transforms' entries are 0
 * and +-1 (and 1/2 on the weights), so quantising the transformed tiles costs little more
 * than quantising the inputs, and it does 16 products where im2col does 36 (measured in
 * docs/performance.md). */
static const int k_wino_m_int8[N_STAGES] = { 2, 2, 2, 2 };

/* The precision of one layer (kernel size, Winograd tile m) in a network of precision
 * `net`. int8 multiplies the 1x1 convolutions (half the direct flops) and the 3x3 ones in
 * int8, except a 3x3 one in F(4x4) (VIDCLASS_WINOGRAD), whose transforms (entries up to 8
 * and 1/24) would magnify the bytes' rounding: it stays fp32, as does conv1 (7x7 over 3
 * channels: slower in int8 too, docs/performance.md). */
static enum vc_precision layer_precision(enum vc_precision net, const struct conv_layer *cl, int m)
{
    if (net != VC_PRECISION_INT8)
        return net;
    const int k1 = cl->d.kh == 1 && cl->d.kw == 1, k3 = cl->d.kh == 3 && cl->d.kw == 3 && m != 4;
    return k1 || k3 ? VC_PRECISION_INT8 : VC_PRECISION_FP32;
}

/* The layer's kernel (m = 0) or its F(m x m) transform (m = 2, 4) as the product's right
 * operand; the plain kernel is freed: only the prepared copy is kept. */
static int prepare_layer(struct conv_layer *cl, int m, enum vc_precision net)
{
    /* an fp32 layer of an int8 network takes fp32's own choice: VIDCLASS_GEMM names the int8 one */
    const enum vc_precision prec = layer_precision(net, cl, m);
    int (*make)(const float *, int, int, int, enum vc_precision, vc_gemm_b **) =
        prec == net ? vc_gemm_b_create : vc_gemm_b_create_auto;
    int rc;
    if (m) {
        const int a2 = (m + 2) * (m + 2);
        float *u = malloc(sizeof(float) * vc_conv_winograd_kernel_floats(&cl->d, m));
        if (!u)
            return vc_error(VC_ERR_NOMEM, "%s: out of memory for the Winograd kernels", __func__);
        vc_conv_winograd_transform_kernel(&cl->d, m, cl->kernel, u);
        rc = make(u, a2, cl->d.cin, cl->d.cout, prec, &cl->w);
        free(u);
    } else {
        rc = make(cl->kernel, 1, cl->d.kh * cl->d.kw * cl->d.cin, cl->d.cout, prec, &cl->w);
    }
    if (rc == VC_OK) {
        cl->wino_m = m;
        free(cl->kernel);
        cl->kernel = NULL;
    }
    return rc;
}

/* The Winograd tile per stage from VIDCLASS_WINOGRAD: unset or "auto" keeps the product's
 * table (k_wino_m for fp32, k_wino_m_int8 for int8, by the bf16 kernel's name for bf16); one value (0 =
 * im2col, 2, 4) forces every stage; four comma-separated values set each stage (for
 * benchmarks: bench/products --vary VIDCLASS_WINOGRAD=4,4,2,2:4,4,4,4). */
static int winograd_plan(enum vc_precision prec, const char *product, int m[N_STAGES])
{
    const char *env = getenv("VIDCLASS_WINOGRAD");
    const int *table = prec == VC_PRECISION_INT8        ? k_wino_m_int8
                       : prec == VC_PRECISION_FP32      ? k_wino_m
                       : strcmp(product, "amx") == 0 ? k_wino_m_amx
                                                       : k_wino_m_avx512bf16;
    memcpy(m, table, sizeof k_wino_m);
    if (!env || !*env || strcmp(env, "auto") == 0)
        return VC_OK;
    int n = 0;
    for (const char *p = env;; p += 2) {
        if ((p[0] != '0' && p[0] != '2' && p[0] != '4') || (p[1] != ',' && p[1] != '\0') || n == N_STAGES)
            return vc_error(VC_ERR_INVALID_ARG, "VIDCLASS_WINOGRAD='%s': use 0 (off), 2, 4, auto, or one of those "
                            "per stage (e.g. 4,4,2,2)", env);
        m[n++] = p[0] - '0';
        if (p[1] == '\0')
            break;
    }
    if (n == 1)
        for (int s = 1; s < N_STAGES; s++) m[s] = m[0];
    else if (n != N_STAGES)
        return vc_error(VC_ERR_INVALID_ARG, "VIDCLASS_WINOGRAD='%s': one value or %d (one per stage)", env, N_STAGES);
    for (int s = 0; s < N_STAGES; s++)
        if (m[s] == 4 && prec == VC_PRECISION_BF16)
            return vc_error(VC_ERR_INVALID_ARG, "VIDCLASS_WINOGRAD='%s' with bf16 products: F(4x4) magnifies bf16's "
                            "rounding too much (use 0 or 2 per stage)", env);
    return VC_OK;
}

/* Every layer's weights prepared, the 3x3 stride-1 ones in the Winograd form chosen for
 * their stage (winograd_plan). */
static int prepare_weights(vc_resnet50 *net, enum vc_precision prec)
{
    int plan[N_STAGES];
    const char *product = NULL;
    int rc = vc_gemm_choice(prec, &product);
    if (rc == VC_OK) rc = winograd_plan(prec, product, plan);
    if (rc == VC_OK) {
        net->desc.precision = prec;
        net->desc.product = product;
        rc = prepare_layer(&net->conv1, 0, prec);
    }
    for (int s = 0, bi = 0; s < N_STAGES && rc == VC_OK; s++) {
        for (int b = 0; b < k_stages[s].blocks && rc == VC_OK; b++, bi++) {
            struct block *blk = &net->blocks[bi];
            int m = plan[s];
            if (!vc_conv_winograd_ok(&blk->c2.d))
                m = 0;
            if (blk->has_proj) rc = prepare_layer(&blk->c0, 0, prec);
            if (rc == VC_OK) rc = prepare_layer(&blk->c1, 0, prec);
            if (rc == VC_OK) rc = prepare_layer(&blk->c2, m, prec);
            if (rc == VC_OK) rc = prepare_layer(&blk->c3, 0, prec);
        }
    }
    return rc;
}

struct vc_resnet50_params vc_resnet50_default_params(void)
{
    return (struct vc_resnet50_params){ /*.precision =*/ VC_PRECISION_FP32 };
}

int vc_resnet50_load(const char *path, const struct vc_resnet50_params *params, vc_resnet50 **out)
{
    *out = NULL;
    const struct vc_resnet50_params p = params ? *params : vc_resnet50_default_params();
    struct reader rd = { 0 };
    char *json = NULL;
    int rc = vc_keras_weights_open(path, &rd.kw);
    if (rc != VC_OK)
        return rc;
    vc_resnet50 *net = calloc(1, sizeof *net);
    if (!net) {
        vc_keras_weights_close(&rd.kw);
        return vc_error(VC_ERR_NOMEM, "%s: out of memory", __func__);
    }
    rd.desc = &net->desc;
    rc = vc_keras_weights_model_config(rd.kw, &json);
    if (rc == VC_OK && json) rc = vc_keras_config_parse(json, path, &rd.config);
    free(json);
    if (rc == VC_OK) rc = detect_layout(&rd, path);
    int n_tensors = 0;
    if (rc == VC_OK) rc = load_conv_bn(&rd, "conv1_conv", &net->conv1, &n_tensors);
    net->conv1.d.pad = 3; /* Keras pads in a separate layer (conv1_pad); we fold it in */
    int bi = 0;
    for (int s = 0; s < N_STAGES && rc == VC_OK; s++) {
        for (int b = 1; b <= k_stages[s].blocks && rc == VC_OK; b++, bi++) {
            struct block *blk = &net->blocks[bi];
            char name[40];
            blk->has_proj = b == 1;
            if (blk->has_proj) {
                snprintf(name, sizeof name, "conv%d_block%d_0_conv", s + 2, b);
                rc = load_conv_bn(&rd, name, &blk->c0, &n_tensors);
            }
            struct conv_layer *cls[3] = { &blk->c1, &blk->c2, &blk->c3 };
            for (int j = 0; j < 3 && rc == VC_OK; j++) {
                snprintf(name, sizeof name, "conv%d_block%d_%d_conv", s + 2, b, j + 1);
                rc = load_conv_bn(&rd, name, cls[j], &n_tensors);
            }
        }
    }
    vc_keras_config_free(&rd.config);
    vc_keras_weights_close(&rd.kw);
    if (rc == VC_OK) rc = prepare_weights(net, p.precision);
    if (rc != VC_OK) {
        vc_resnet50_free(&net);
        return rc;
    }
    VC_LOG_DEBUG("%s: %s layout, loaded %d/%d tensors, BatchNorm folded (epsilon %g..%g, %d from model_config); "
                 "%s products (%s)", path, net->desc.layout, n_tensors, 53 * 6, net->desc.eps_min, net->desc.eps_max,
                 net->desc.eps_from_config, vc_precision_name(net->desc.precision), net->desc.product);
    *out = net;
    return VC_OK;
}

struct vc_resnet50_desc vc_resnet50_describe(const vc_resnet50 *net) { return net->desc; }

void vc_resnet50_free(vc_resnet50 **netp)
{
    if (!netp || !*netp)
        return;
    vc_resnet50 *net = *netp;
    conv_layer_free(&net->conv1);
    for (int i = 0; i < N_BLOCKS; i++) {
        conv_layer_free(&net->blocks[i].c0);
        conv_layer_free(&net->blocks[i].c1);
        conv_layer_free(&net->blocks[i].c2);
        conv_layer_free(&net->blocks[i].c3);
    }
    for (int i = 0; i < 2; i++) {
        free(net->buf_main[i]);
        free(net->buf_mid[i]);
    }
    free(net->col);
    free(net);
    *netp = NULL;
}

static void output_hw(int pool_pad, int h, int w, int *oh, int *ow)
{
    /* conv1 7x7/2 pad 3, pool 3x3/2 pad 1 (or 0), then three stride-2 1x1 convs */
    int hh = vc_conv_out_dim(vc_conv_out_dim(h, 7, 2, 3), 3, 2, pool_pad);
    int ww = vc_conv_out_dim(vc_conv_out_dim(w, 7, 2, 3), 3, 2, pool_pad);
    for (int s = 1; s < N_STAGES; s++) {
        hh = vc_conv_out_dim(hh, 1, 2, 0);
        ww = vc_conv_out_dim(ww, 1, 2, 0);
    }
    *oh = hh;
    *ow = ww;
}

void vc_resnet50_output_hw(int h, int w, int *oh, int *ow) { output_hw(1, h, w, oh, ow); }

void vc_resnet50_map_hw(const vc_resnet50 *net, int h, int w, int *oh, int *ow)
{
    output_hw(net->desc.pool_pad, h, w, oh, ow);
}

static size_t max_sz(size_t a, size_t b) { return a > b ? a : b; }

/* Size the workspace for (n, h, w) by walking the graph's shapes; grow buffers only. */
static int ensure_workspace(vc_resnet50 *net, int n, int h, int w)
{
    const int threads = vc_blas_get_threads();
    if (net->ws_n >= n && net->ws_h == h && net->ws_w == w && net->ws_threads == threads)
        return VC_OK;
    size_t main_f = 0, mid_f = 0, col_f = 0;
    int ch = vc_conv_out_dim(h, 7, 2, 3), cw = vc_conv_out_dim(w, 7, 2, 3);
    main_f = (size_t)n * ch * cw * 64;
    col_f = vc_conv_workspace_floats_for(&net->conv1.d, net->conv1.w, n, h, w);
    ch = vc_conv_out_dim(ch, 3, 2, net->desc.pool_pad);
    cw = vc_conv_out_dim(cw, 3, 2, net->desc.pool_pad);
    main_f = max_sz(main_f, (size_t)n * ch * cw * 64);
    for (int i = 0; i < N_BLOCKS; i++) {
        const struct block *b = &net->blocks[i];
        int s = b->c1.d.stride;
        int oh = vc_conv_out_dim(ch, 1, s, 0), ow = vc_conv_out_dim(cw, 1, s, 0);
        col_f = max_sz(col_f, vc_conv_workspace_floats_for(&b->c1.d, b->c1.w, n, ch, cw));
        if (b->has_proj)
            col_f = max_sz(col_f, vc_conv_workspace_floats_for(&b->c0.d, b->c0.w, n, ch, cw));
        col_f = max_sz(col_f, b->c2.wino_m ? vc_conv_winograd_workspace_floats(&b->c2.d, b->c2.wino_m, threads)
                                         : vc_conv_workspace_floats_for(&b->c2.d, b->c2.w, n, oh, ow));
        mid_f = max_sz(mid_f, (size_t)n * oh * ow * b->c1.d.cout);
        main_f = max_sz(main_f, (size_t)n * oh * ow * b->c3.d.cout);
        ch = oh;
        cw = ow;
    }
    for (int i = 0; i < 2; i++) {
        free(net->buf_main[i]);
        free(net->buf_mid[i]);
        net->buf_main[i] = malloc(sizeof(float) * main_f);
        net->buf_mid[i] = malloc(sizeof(float) * mid_f);
    }
    free(net->col);
    net->col = malloc(sizeof(float) * (col_f ? col_f : 1));
    if (!net->buf_main[0] || !net->buf_main[1] || !net->buf_mid[0] || !net->buf_mid[1] || !net->col) {
        net->ws_n = 0;
        return vc_error(VC_ERR_NOMEM, "%s: cannot allocate the workspace for batch %d at %dx%d (%.1f MB)",
                        __func__, n, h, w, 4.0 * (2.0 * (double)(main_f + mid_f) + (double)col_f) / 1e6);
    }
    net->main_floats = main_f;
    net->mid_floats = mid_f;
    net->col_floats = col_f;
    net->ws_n = n;
    net->ws_h = h;
    net->ws_w = w;
    net->ws_threads = threads;
    return VC_OK;
}

size_t vc_resnet50_workspace_bytes(const vc_resnet50 *net)
{
    return sizeof(float) * (2 * (net->main_floats + net->mid_floats) + net->col_floats);
}

static int run_conv(vc_resnet50 *net, const struct conv_layer *cl, const float *x, int n,
                    int h, int w, float *y, int flags)
{
    double t0 = vc_time_now();
    int rc = cl->wino_m
                 ? vc_conv2d_winograd(&cl->d, cl->wino_m, cl->w, cl->bias, x, n, h, w, y, flags, net->col, net->col_floats)
                 : vc_conv2d(&cl->d, cl->w, cl->bias, x, n, h, w, y, flags, net->col, net->col_floats);
    net->timing.conv += vc_time_now() - t0;
    return rc;
}

/* Runs the graph; on success *final points at the [n, oh, ow, 2048] map inside the
 * workspace (valid until the next forward pass). */
static int forward_internal(vc_resnet50 *net, const float *x, int n, int h, int w,
                            const float **final, vc_resnet50_tap_fn tap, void *user)
{
    if (!net || !x || n < 1 || h < 32 || w < 32)
        return vc_error(VC_ERR_INVALID_ARG, "%s: need n >= 1 and an input of at least 32x32 (got n=%d, %dx%d)",
                        __func__, n, h, w);
    int rc = ensure_workspace(net, n, h, w);
    if (rc != VC_OK)
        return rc;
    double t_start = vc_time_now();
    float *cur = net->buf_main[0], *other = net->buf_main[1];
    float *t1 = net->buf_mid[0], *t2 = net->buf_mid[1];

    int ch = vc_conv_out_dim(h, 7, 2, 3), cw = vc_conv_out_dim(w, 7, 2, 3);
    rc = run_conv(net, &net->conv1, x, n, h, w, other, VC_CONV_RELU);
    if (rc != VC_OK) return rc;
    if (tap) tap("conv1_relu", other, n, ch, cw, 64, user);

    double t0 = vc_time_now();
    vc_maxpool2d(other, n, ch, cw, 64, 3, 2, net->desc.pool_pad, cur);
    double dt = vc_time_now() - t0;
    net->timing.pool += dt; /* the profile's pool share is added per thread in conv.c */
    ch = vc_conv_out_dim(ch, 3, 2, net->desc.pool_pad);
    cw = vc_conv_out_dim(cw, 3, 2, net->desc.pool_pad);
    if (tap) tap("pool1_pool", cur, n, ch, cw, 64, user);

    int bi = 0;
    for (int s = 0; s < N_STAGES; s++) {
        for (int b = 1; b <= k_stages[s].blocks; b++, bi++) {
            const struct block *blk = &net->blocks[bi];
            int st = blk->c1.d.stride;
            int oh = vc_conv_out_dim(ch, 1, st, 0), ow = vc_conv_out_dim(cw, 1, st, 0);
            float *res = cur; /* identity: accumulate onto the input itself */
            if (blk->has_proj) {
                rc = run_conv(net, &blk->c0, cur, n, ch, cw, other, 0);
                if (rc != VC_OK) return rc;
                res = other;
            }
            rc = run_conv(net, &blk->c1, cur, n, ch, cw, t1, VC_CONV_RELU);
            if (rc == VC_OK) rc = run_conv(net, &blk->c2, t1, n, oh, ow, t2, VC_CONV_RELU);
            if (rc == VC_OK) rc = run_conv(net, &blk->c3, t2, n, oh, ow, res, VC_CONV_ACCUMULATE | VC_CONV_RELU);
            if (rc != VC_OK) return rc;
            if (blk->has_proj) {
                other = cur;
                cur = res;
            }
            ch = oh;
            cw = ow;
            if (tap) {
                char name[32];
                snprintf(name, sizeof name, "conv%d_block%d_out", s + 2, b);
                tap(name, cur, n, ch, cw, blk->c3.d.cout, user);
            }
        }
    }
    net->timing.total += vc_time_now() - t_start;
    net->timing.images += n;
    *final = cur;
    return VC_OK;
}

int vc_resnet50_forward(vc_resnet50 *net, const float *x, int n, int h, int w, float *out,
                        vc_resnet50_tap_fn tap, void *user)
{
    const float *final = NULL;
    int rc = forward_internal(net, x, n, h, w, &final, tap, user);
    if (rc != VC_OK)
        return rc;
    if (out) {
        int oh, ow;
        vc_resnet50_map_hw(net, h, w, &oh, &ow);
        memcpy(out, final, sizeof(float) * (size_t)n * oh * ow * VC_RESNET50_FEATURES);
    }
    return VC_OK;
}

int vc_resnet50_features(vc_resnet50 *net, const float *x, int n, int h, int w, float *feat)
{
    const float *final = NULL;
    int rc = forward_internal(net, x, n, h, w, &final, NULL, NULL);
    if (rc != VC_OK)
        return rc;
    int oh, ow;
    vc_resnet50_map_hw(net, h, w, &oh, &ow);
    double t0 = vc_time_now();
    vc_global_avgpool(final, n, oh, ow, VC_RESNET50_FEATURES, feat);
    double dt = vc_time_now() - t0;
    net->timing.pool += dt;
    return VC_OK;
}

double vc_resnet50_flops(int h, int w)
{
    double flops = 0.0;
    int ch = vc_conv_out_dim(h, 7, 2, 3), cw = vc_conv_out_dim(w, 7, 2, 3);
    flops += 2.0 * ch * cw * 7 * 7 * 3 * 64;
    ch = vc_conv_out_dim(ch, 3, 2, 1);
    cw = vc_conv_out_dim(cw, 3, 2, 1);
    for (int i = 0; i < vc_resnet50_layer_count(); i++) {
        const struct vc_resnet50_layer *l = &g_layers[i];
        if (l->kind != VC_LAYER_CONV || strcmp(l->name, "conv1_conv") == 0)
            continue;
        /* Manifest order per block: _1 (carries the stride), _2, [_0], _3. Only _1 changes
         * the spatial size; _0 has the same stride, so it runs at the already-strided size. */
        int oh = ch, ow = cw;
        if (strstr(l->name, "_1_conv")) {
            oh = ch = vc_conv_out_dim(ch, 1, l->stride, 0);
            ow = cw = vc_conv_out_dim(cw, 1, l->stride, 0);
        }
        flops += 2.0 * oh * ow * l->kh * l->kw * l->cin * l->cout;
    }
    return flops;
}

/* 2 x multiply-adds of one convolution layer's GEMMs on an h x w input (one image). */
static double conv_gemm_flops(const struct conv_layer *cl, int h, int w)
{
    const struct vc_conv_desc *d = &cl->d;
    const double cc = (double)d->cin * d->cout;
    if (cl->wino_m) { /* (m + 2)^2 products per tile of ceil(h/m) x ceil(w/m) */
        const int m = cl->wino_m;
        return 2.0 * (m + 2) * (m + 2) * (double)((h + m - 1) / m) * ((w + m - 1) / m) * cc;
    }
    return 2.0 * vc_conv_out_dim(h, d->kh, d->stride, d->pad) * vc_conv_out_dim(w, d->kw, d->stride, d->pad) * d->kh *
           d->kw * cc;
}

double vc_resnet50_gemm_flops(const vc_resnet50 *net, int h, int w)
{
    double flops = conv_gemm_flops(&net->conv1, h, w);
    int ch = vc_conv_out_dim(vc_conv_out_dim(h, 7, 2, 3), 3, 2, net->desc.pool_pad);
    int cw = vc_conv_out_dim(vc_conv_out_dim(w, 7, 2, 3), 3, 2, net->desc.pool_pad);
    for (int i = 0; i < N_BLOCKS; i++) { /* the same walk as forward_internal */
        const struct block *b = &net->blocks[i];
        flops += conv_gemm_flops(&b->c1, ch, cw);
        if (b->has_proj) flops += conv_gemm_flops(&b->c0, ch, cw);
        ch = vc_conv_out_dim(ch, 1, b->c1.d.stride, 0);
        cw = vc_conv_out_dim(cw, 1, b->c1.d.stride, 0);
        flops += conv_gemm_flops(&b->c2, ch, cw) + conv_gemm_flops(&b->c3, ch, cw);
    }
    return flops;
}

struct vc_resnet50_timing vc_resnet50_get_timing(const vc_resnet50 *net)
{
    return net->timing;
}
