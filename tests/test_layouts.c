/* test_layouts.c REF.h5 - ResNet50 weights layouts: the Keras 2.2 layout (conv1, bn_conv1,
 * res2a_branch2a, ...) loads as standalone Keras 2.2 builds the graph (BN epsilon 1e-3, max
 * pool without padding) and gives the features of an independent float64 PyTorch
 * reference (tests/reference/make_reference.py, /k22/features) within 1e-4 relative L2, in
 * every string encoding and with Keras 1's weight names; a model_config's BatchNormalization
 * epsilon wins over the layout's; non-finite and mis-counted tensors are refused by name. */
#include "test_util.h"
#include "test_weights.h"
#include "vidclass/gemm.h"
#include "vidclass/keras_weights.h"
#include "vidclass/preprocess.h"
#include "vidclass/resnet50.h"
#include "vidclass/status.h"

#include <hdf5.h>
#include <stdint.h>

#define FEAT VC_RESNET50_FEATURES

static uint8_t g_img[2 * 224 * 224 * 3];
static float g_ref[2 * FEAT];

static int read_ds(hid_t f, const char *name, hid_t mtype, void *buf)
{
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT);
    int ok = d >= 0 && H5Dread(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
    if (d >= 0) H5Dclose(d);
    return ok;
}

static int gen(const char *path, enum vc_resnet50_gen_layout layout, int vlen, int keras1, const char *root)
{
    struct vc_resnet50_gen_params p = vc_resnet50_gen_default_params();
    p.layout = layout;
    p.vlen_strings = vlen;
    p.keras1_names = keras1;
    p.root_group = root;
    return gen_weights(path, &p);
}

/* Features of the two reference images (caffe preprocessing) with the weights in path. */
static int features(const char *path, float *feat, struct vc_resnet50_desc *desc)
{
    static float x[2 * 224 * 224 * 3];
    vc_preprocess_rgb8(g_img, 2 * 224 * 224, VC_PREPROCESS_CAFFE, x);
    vc_resnet50 *net = NULL;
    int rc = vc_resnet50_load(path, NULL, &net);
    if (rc == VC_OK) rc = vc_resnet50_features(net, x, 2, 224, 224, feat);
    if (rc == VC_OK && desc) *desc = vc_resnet50_describe(net);
    vc_resnet50_free(&net);
    CHECK(rc == VC_OK, "%s: %s", path, vc_last_error());
    return rc;
}

static double rel_l2(const float *a, const float *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
        den += (double)b[i] * b[i];
    }
    return sqrt(num / den);
}

/* Root attribute model_config: a functional model whose BatchNormalization layers (named
 * as in the tf.keras layout) state epsilon `eps`. */
static void add_model_config(const char *file, double eps)
{
    size_t cap = 1 << 16, k = 0;
    char *json = malloc(cap);
    k += (size_t)snprintf(json + k, cap - k, "{\"class_name\": \"Functional\", \"config\": {\"layers\": [");
    int first = 1;
    for (int i = 0; i < vc_resnet50_layer_count(); i++) {
        const struct vc_resnet50_layer *l = vc_resnet50_layer_at(i);
        if (l->kind != VC_LAYER_BN) continue;
        k += (size_t)snprintf(json + k, cap - k, "%s{\"class_name\": \"BatchNormalization\", \"name\": \"%s\", "
                              "\"config\": {\"name\": \"%s\", \"epsilon\": %.17g}, \"inbound_nodes\": []}",
                              first ? "" : ", ", l->name, l->name, eps);
        first = 0;
    }
    snprintf(json + k, cap - k, "]}}");
    hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, strlen(json) + 1);
    hid_t s = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "model_config", t, s, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(a >= 0 && H5Awrite(a, t, json) >= 0, "cannot write model_config");
    H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    H5Fclose(f);
    free(json);
}

/* Overwrite element 0 of dataset dpath with v. */
static void poke(const char *file, const char *dpath, float v)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT), d = H5Dopen2(f, dpath, H5P_DEFAULT);
    hid_t fs = H5Dget_space(d);
    hsize_t start[4] = { 0, 0, 0, 0 }, one[4] = { 1, 1, 1, 1 };
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, one, NULL);
    hid_t ms = H5Screate_simple(1, one, NULL);
    CHECK(H5Dwrite(d, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, &v) >= 0, "poke %s", dpath);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    H5Fclose(f);
}

static void expect_error(const char *what, const char *path, const char *frag)
{
    vc_resnet50 *net = NULL;
    int rc = vc_resnet50_load(path, NULL, &net);
    printf("%-28s -> %s: %s\n", what, vc_strerror(rc), vc_last_error());
    CHECK(rc != VC_OK && net == NULL, "%s: loaded", what);
    CHECK(strstr(vc_last_error(), frag) != NULL, "%s: message lacks '%s'", what, frag);
    vc_resnet50_free(&net);
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: test_layouts REF.h5\n"); return 2; }
    vc_blas_set_threads(2);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    snprintf(g_dir, sizeof g_dir, "%s", test_tmpdir("layouts"));
    hid_t ref = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(ref >= 0 && read_ds(ref, "full/input", H5T_NATIVE_UINT8, g_img) && read_ds(ref, "k22/features", H5T_NATIVE_FLOAT, g_ref),
          "cannot read %s", argv[1]);
    if (ref >= 0) H5Fclose(ref);

    static float f0[2 * FEAT], f1[2 * FEAT], ftf[2 * FEAT];
    struct vc_resnet50_desc d;
    /* Keras 2.2 layout, fixed-length strings, as the v0.2 file stores its names */
    if (gen(P("k22.h5"), VC_GEN_KERAS22, 0, 0, NULL) == VC_OK && features(P("k22.h5"), f0, &d) == VC_OK) {
        double e = rel_l2(f0, g_ref, 2 * FEAT);
        printf("keras2.2 layout: features vs float64 reference (eps 1e-3, unpadded pool): rel L2 %.3e (bar 1e-4)\n", e);
        CHECK(e < 1e-4, "keras2.2 features off by %.3e", e);
        CHECK(strcmp(d.layout, "keras2.2") == 0 && d.bn_epsilon == 1e-3 && d.pool_pad == 0 && d.eps_from_config == 0,
              "described as %s eps %g pool_pad %d", d.layout, d.bn_epsilon, d.pool_pad);
        struct { const char *name; int vlen, keras1; const char *root; } v[] = {
            { "k22_vlen.h5", 1, 0, NULL }, { "k22_keras1.h5", 0, 1, NULL }, { "k22_keras1_vlen.h5", 1, 1, NULL },
            { "k22_model.h5", 0, 0, "model_weights" },
        };
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
            if (gen(P(v[i].name), VC_GEN_KERAS22, v[i].vlen, v[i].keras1, v[i].root) == VC_OK &&
                features(P(v[i].name), f1, NULL) == VC_OK)
                CHECK(memcmp(f0, f1, sizeof f0) == 0, "%s: other features than the fixed-string file", v[i].name);
            remove(P(v[i].name)); /* 100 MB each: each goes once checked */
        }
        printf("keras2.2 variants (vlen strings, Keras 1 weight names, /model_weights): identical features\n");
    }
    /* the graph's details matter: tf.keras's epsilon and padding give other numbers */
    if (gen(P("tf.h5"), VC_GEN_TF_KERAS, 0, 0, NULL) == VC_OK && features(P("tf.h5"), ftf, NULL) == VC_OK) {
        double e = rel_l2(ftf, g_ref, 2 * FEAT);
        printf("tf.keras graph on the same tensors vs the keras2.2 reference: rel L2 %.3e (must differ)\n", e);
        CHECK(e > 1e-3, "tf.keras and keras2.2 graphs agree (%.3e): the layout is not applied", e);
    }
    remove(P("k22.h5"));
    remove(P("tf.h5"));
    /* a model_config's epsilon wins: tf.keras names + epsilon 1e-3 == keras2.2 with pool1_pad */
    if (gen(P("k22pad.h5"), VC_GEN_KERAS22_POOLPAD, 0, 0, NULL) == VC_OK && features(P("k22pad.h5"), f0, &d) == VC_OK &&
        gen(P("tf_eps.h5"), VC_GEN_TF_KERAS, 0, 0, NULL) == VC_OK) {
        CHECK(d.pool_pad == 1, "keras2.2 with pool1_pad: pool_pad %d", d.pool_pad);
        add_model_config(P("tf_eps.h5"), 1e-3);
        if (features(P("tf_eps.h5"), f1, &d) == VC_OK) {
            CHECK(memcmp(f0, f1, sizeof f0) == 0, "model_config epsilon 1e-3 not applied");
            CHECK(d.eps_from_config == 53 && d.eps_min == 1e-3 && d.eps_max == 1e-3, "%d epsilons from model_config, %g..%g",
                  d.eps_from_config, d.eps_min, d.eps_max);
            printf("model_config epsilon 1e-3 on tf.keras names == keras2.2 (pool1_pad) layout: identical features\n");
        }
    }
    remove(P("k22pad.h5"));
    remove(P("tf_eps.h5"));
    /* refused by name: a NaN, an Inf, a layer with the wrong number of tensors */
    if (gen(P("nan.h5"), VC_GEN_KERAS22, 0, 0, NULL) == VC_OK) {
        poke(P("nan.h5"), "/res3b_branch2b/res3b_branch2b/kernel:0", NAN);
        expect_error("NaN in a kernel", P("nan.h5"), "res3b_branch2b/res3b_branch2b/kernel:0");
        remove(P("nan.h5"));
    }
    if (gen(P("inf.h5"), VC_GEN_TF_KERAS, 0, 0, NULL) == VC_OK) {
        poke(P("inf.h5"), "/conv4_block2_2_bn/conv4_block2_2_bn/moving_variance:0", INFINITY);
        expect_error("Inf in a BN variance", P("inf.h5"), "conv4_block2_2_bn/moving_variance:0' holds a non-finite value");
        remove(P("inf.h5"));
    }
    if (gen(P("count.h5"), VC_GEN_KERAS22, 1, 0, NULL) == VC_OK) {
        hid_t f = H5Fopen(P("count.h5"), H5F_ACC_RDWR, H5P_DEFAULT), g = H5Gopen2(f, "bn2a_branch1", H5P_DEFAULT);
        const char *three[3] = { "bn2a_branch1/gamma:0", "bn2a_branch1/beta:0", "bn2a_branch1/moving_mean:0" };
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, H5T_VARIABLE);
        hsize_t n = 3;
        hid_t s = H5Screate_simple(1, &n, NULL);
        H5Adelete(g, "weight_names");
        hid_t a = H5Acreate2(g, "weight_names", t, s, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, t, three);
        H5Aclose(a);
        H5Sclose(s);
        H5Tclose(t);
        H5Gclose(g);
        H5Fclose(f);
        expect_error("BN with 3 weights", P("count.h5"), "layer 'bn2a_branch1' has 3 weights, expected 4");
        remove(P("count.h5"));
    }
    {
        vc_keras_writer *w = NULL;
        const char *names[1] = { "kernel" };
        int nd[1] = { 1 };
        int64_t dim[1] = { 4 };
        const int64_t *dims[1] = { dim };
        float v[4] = { 1, 2, 3, 4 };
        const float *data[1] = { v };
        CHECK(vc_keras_writer_open(P("other.h5"), NULL, &w) == VC_OK &&
              vc_keras_writer_add_layer(w, "block1_conv1", 1, names, nd, dims, data) == VC_OK &&
              vc_keras_writer_close(&w) == VC_OK, "writing a VGG-like file: %s", vc_last_error());
        expect_error("a VGG-named file", P("other.h5"), "no ResNet50 in a known layout");
    }
    return test_finish("test_layouts");
}
