/* resnet50_gen.c - deterministic pseudo-random ResNet50 weights in the Keras layout.
 *
 * Pretrained ImageNet weights cannot be downloaded on our machines, so tests and the demo
 * use these. Every layer draws from its own RNG stream keyed by (seed, layer index), so the
 * values do not depend on the order of writing. Choices, per layer kind:
 *   kernels   He-uniform, limit sqrt(6 / fan_in): keeps E[x^2] through a ReLU chain;
 *   conv bias U(-0.05, 0.05): exercises the bias path;
 *   BN        gamma U(0.6, 1.2), beta U(-0.1, 0.1), moving_mean U(-0.2, 0.2)*sigma,
 *             moving_variance U(0.8, 1.6)*sigma^2, where sigma is the typical scale of the
 *             conv output before it (about 80 after conv1 on caffe-preprocessed pixels,
 *             about 1 elsewhere); the last BN of each residual branch (_3_bn) has gamma
 *             U(0.15, 0.35) so 16 residual additions do not blow the activations up.
 * The result keeps activations finite and input-dependent through all blocks (checked by
 * tests/test_resnet50.c).
 */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "vidclass/keras_weights.h"
#include "vidclass/resnet50.h"
#include "vidclass/rng.h"
#include "vidclass/status.h"
#include "resnet50_internal.h"
#include "fsutil.h"

#include <limits.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vc_resnet50_gen_params vc_resnet50_gen_default_params(void)
{
    struct vc_resnet50_gen_params p = {
        /*.seed         =*/ 1234,
        /*.vlen_strings =*/ 0,
        /*.root_group   =*/ NULL,
        /*.name_suffix  =*/ 1,
        /*.layout       =*/ VC_GEN_TF_KERAS,
        /*.keras1_names =*/ 0,
    };
    return p;
}

static void fill_uniform(struct vc_rng *r, float *v, size_t n, double lo, double hi)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (float)vc_rng_range(r, lo, hi);
}

/* The file's name of manifest layer l in the generated layout, and Keras 1's weight
 * names ("<layer>_W", "<layer>_running_std", ...) when asked for. */
struct gen_names {
    char layer[48];
    char weights[4][64];
};

/* Keras 2.2 names: conv/BN layers as the loader maps them; the weightless layers with
 * Keras's automatic names (activation_N, add_N, max_pooling2d_1). */
static void keras22_name(const struct vc_resnet50_layer *l, int *counters, char *out, size_t len)
{
    if (l->kind == VC_LAYER_RELU) snprintf(out, len, "activation_%d", ++counters[0]);
    else if (l->kind == VC_LAYER_ADD) snprintf(out, len, "add_%d", ++counters[1]);
    else if (l->kind == VC_LAYER_POOL) snprintf(out, len, "max_pooling2d_1");
    else vc_resnet50_keras22_name(l->name, out, len); /* convs, BNs; input_1, conv1_pad, pool1_pad as they are */
}

static void gen_names_of(const struct vc_resnet50_gen_params *gp, const struct vc_resnet50_layer *l, int *counters,
                         struct gen_names *n)
{
    static const char *k2[2][4] = { { "kernel", "bias" }, { "gamma", "beta", "moving_mean", "moving_variance" } };
    static const char *k1[2][4] = { { "W", "b" }, { "gamma", "beta", "running_mean", "running_std" } };
    if (gp->layout == VC_GEN_TF_KERAS) snprintf(n->layer, sizeof n->layer, "%s", l->name);
    else keras22_name(l, counters, n->layer, sizeof n->layer);
    int bn = l->kind == VC_LAYER_BN;
    for (int i = 0; i < 4; i++) {
        if (gp->keras1_names) snprintf(n->weights[i], sizeof n->weights[i], "%.40s_%s", n->layer, k1[bn][i] ? k1[bn][i] : "");
        else snprintf(n->weights[i], sizeof n->weights[i], "%s", k2[bn][i] ? k2[bn][i] : "");
    }
}

static int write_conv(vc_keras_writer *w, const struct vc_resnet50_layer *l, const struct gen_names *gn, struct vc_rng *r)
{
    size_t fan_in = (size_t)l->kh * l->kw * l->cin;
    size_t kn = fan_in * (size_t)l->cout;
    float *k = malloc(sizeof(float) * kn);
    float *b = malloc(sizeof(float) * (size_t)l->cout);
    if (!k || !b) {
        free(k);
        free(b);
        return VC_NOMEM;
    }
    double limit = sqrt(6.0 / (double)fan_in); /* sqrt is correctly rounded: portable */
    fill_uniform(r, k, kn, -limit, limit);
    fill_uniform(r, b, (size_t)l->cout, -0.05, 0.05);
    const char *names[2] = { gn->weights[0], gn->weights[1] };
    int ndims[2] = { 4, 1 };
    int64_t kd[4] = { l->kh, l->kw, l->cin, l->cout }, bd[1] = { l->cout };
    const int64_t *dims[2] = { kd, bd };
    const float *data[2] = { k, b };
    int rc = vc_keras_writer_add_layer(w, gn->layer, 2, names, ndims, dims, data);
    free(k);
    free(b);
    return rc;
}

static int write_bn(vc_keras_writer *w, const struct vc_resnet50_layer *l, const struct gen_names *gn, struct vc_rng *r)
{
    size_t c = (size_t)l->channels;
    float *v = malloc(sizeof(float) * 4 * c);
    if (!v)
        return VC_NOMEM;
    size_t len = strlen(l->name);
    int is_residual_end = len > 5 && strcmp(l->name + len - 5, "_3_bn") == 0;
    double sigma = strcmp(l->name, "conv1_bn") == 0 ? 80.0 : 1.0;
    fill_uniform(r, v, c, is_residual_end ? 0.15 : 0.6, is_residual_end ? 0.35 : 1.2); /* gamma */
    fill_uniform(r, v + c, c, -0.1, 0.1);                                              /* beta  */
    fill_uniform(r, v + 2 * c, c, -0.2 * sigma, 0.2 * sigma);                          /* mean  */
    fill_uniform(r, v + 3 * c, c, 0.8 * sigma * sigma, 1.6 * sigma * sigma);           /* var   */
    const char *names[4] = { gn->weights[0], gn->weights[1], gn->weights[2], gn->weights[3] };
    int ndims[4] = { 1, 1, 1, 1 };
    int64_t d[1] = { (int64_t)c };
    const int64_t *dims[4] = { d, d, d, d };
    const float *data[4] = { v, v + c, v + 2 * c, v + 3 * c };
    int rc = vc_keras_writer_add_layer(w, gn->layer, 4, names, ndims, dims, data);
    free(v);
    return rc;
}

int vc_resnet50_generate_weights(const char *path, const struct vc_resnet50_gen_params *p)
{
    struct vc_resnet50_gen_params gp = p ? *p : vc_resnet50_gen_default_params();
    struct vc_keras_writer_params wp = vc_keras_writer_default_params();
    wp.vlen_strings = gp.vlen_strings;
    wp.root_group = gp.root_group;
    wp.name_suffix = gp.name_suffix;
    wp.flat_names = gp.keras1_names;
    wp.generator = "vidclass-weights";
    for (int i = 0; i < vc_resnet50_layer_count(); i++) {
        const struct vc_resnet50_layer *l = vc_resnet50_layer_at(i);
        int64_t n = l->kind == VC_LAYER_CONV  ? (int64_t)l->kh * l->kw * l->cin * l->cout + l->cout
                    : l->kind == VC_LAYER_BN ? 4 * (int64_t)l->channels : 0;
        wp.reserve += n * (int64_t)sizeof(float);
    }
    vc_keras_writer *w = NULL;
    char tmp[PATH_MAX + 64];
    int rc = vc_tmp_create(path, tmp, sizeof tmp);
    if (rc == VC_OK) rc = vc_keras_writer_open(tmp, &wp, &w);
    if (rc != VC_OK) {
        vc_tmp_discard(tmp);
        return rc;
    }
    int counters[2] = { 0, 0 }; /* Keras 2.2's activation_N and add_N */
    for (int i = 0; i < vc_resnet50_layer_count() && rc == VC_OK; i++) {
        const struct vc_resnet50_layer *l = vc_resnet50_layer_at(i);
        struct vc_rng r;
        struct gen_names gn;
        if (gp.layout == VC_GEN_KERAS22 && strcmp(l->name, "pool1_pad") == 0) continue; /* keras_applications <= 1.0.7 */
        gen_names_of(&gp, l, counters, &gn);
        vc_rng_seed(&r, gp.seed, (uint64_t)i, 0x5745494748545331ull /* "WEIGHTS1" */);
        if (l->kind == VC_LAYER_CONV)
            rc = write_conv(w, l, &gn, &r);
        else if (l->kind == VC_LAYER_BN)
            rc = write_bn(w, l, &gn, &r);
        else
            rc = vc_keras_writer_add_layer(w, gn.layer, 0, NULL, NULL, NULL, NULL);
    }
    int rc_close = vc_keras_writer_close(&w);
    if (rc == VC_OK) rc = rc_close;
    if (rc == VC_OK) rc = vc_tmp_commit(tmp, path);
    if (rc != VC_OK) vc_tmp_discard(tmp);
    return rc;
}
