/* test_keras_weights.c - the Keras weights layout: every accepted variant loads to the
 * same network, every malformed file fails with its own clear message, and generation is
 * deterministic (same seed -> byte-identical file). */
#include "test_util.h"
#include "test_weights.h"
#include "vidclass/gemm.h"
#include "vidclass/keras_weights.h"
#include "vidclass/resnet50.h"
#include "vidclass/rng.h"
#include "vidclass/status.h"

#include <hdf5.h>


static int gen(const char *path, uint64_t seed, int vlen, const char *root, int suffix)
{
    struct vc_resnet50_gen_params p = vc_resnet50_gen_default_params();
    p.seed = seed;
    p.vlen_strings = vlen;
    p.root_group = root;
    p.name_suffix = suffix;
    return gen_weights(path, &p);
}

/* 64x64 features of a fixed random input, for comparing variants. */
static int features_of(const char *path, float *feat)
{
    static float x[64 * 64 * 3];
    struct vc_rng r;
    vc_rng_seed(&r, 1, 2, 3);
    for (int i = 0; i < 64 * 64 * 3; i++)
        x[i] = (float)vc_rng_range(&r, -100, 100);
    vc_resnet50 *net = NULL;
    int rc = vc_resnet50_load(path, NULL, &net);
    if (rc == VC_OK)
        rc = vc_resnet50_features(net, x, 1, 64, 64, feat);
    vc_resnet50_free(&net);
    return rc;
}

/* Expect vc_resnet50_load(path) to fail with `status` and a message containing each
 * fragment. */
static void expect_load_error(const char *what, const char *path, int status, const char *frag1, const char *frag2)
{
    vc_resnet50 *net = NULL;
    vc_clear_error();
    int rc = vc_resnet50_load(path, NULL, &net);
    const char *msg = vc_last_error();
    printf("%-22s -> %s: %s\n", what, vc_strerror(rc), msg);
    CHECK(rc == status, "%s: status %d (%s), expected %d", what, rc, vc_strerror(rc), status);
    CHECK(net == NULL, "%s: handle returned on failure", what);
    CHECK(strstr(msg, path) != NULL, "%s: message does not name the file: %s", what, msg);
    CHECK(!frag1 || strstr(msg, frag1), "%s: message lacks '%s': %s", what, frag1, msg);
    CHECK(!frag2 || strstr(msg, frag2), "%s: message lacks '%s': %s", what, frag2, msg);
    vc_resnet50_free(&net);
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (n) fwrite(data, 1, n, f);
    fclose(f);
}

static int files_identical(const char *a, const char *b)
{
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    int same = fa && fb;
    while (same) {
        int ca = fgetc(fa), cb = fgetc(fb);
        if (ca != cb) same = 0;
        if (ca == EOF || cb == EOF) break;
    }
    if (fa) fclose(fa);
    if (fb) fclose(fb);
    return same;
}

/* Replace dataset `dpath` with one of another shape or type. */
static void replace_dataset(const char *file, const char *dpath, hid_t type, int nd, const hsize_t *dims)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(f, dpath, H5P_DEFAULT);
    size_t n = 1;
    for (int i = 0; i < nd; i++) n *= dims[i];
    float *zeros = calloc(n, sizeof(float));
    hid_t s = H5Screate_simple(nd, dims, NULL);
    hid_t d = H5Dcreate2(f, dpath, type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros);
    H5Dclose(d);
    H5Sclose(s);
    H5Fclose(f);
    free(zeros);
}

/* Rewrite the root layer_names without `drop`. */
static void drop_layer_name(const char *file, const char *drop)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
    const char *names[200];
    int n = 0;
    for (int i = 0; i < vc_resnet50_layer_count(); i++)
        if (strcmp(vc_resnet50_layer_at(i)->name, drop) != 0)
            names[n++] = vc_resnet50_layer_at(i)->name;
    H5Adelete(f, "layer_names");
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    hsize_t dims[1] = { (hsize_t)n };
    hid_t s = H5Screate_simple(1, dims, NULL);
    hid_t a = H5Acreate2(f, "layer_names", t, s, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, t, names);
    H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    H5Fclose(f);
}

int main(void)
{
    vc_blas_set_threads(1);
    snprintf(g_dir, sizeof g_dir, "%s", test_tmpdir("kw"));
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    /* determinism */
    const char *base = P("base.h5");
    gen(base, 42, 0, NULL, 1);
    gen(P("again.h5"), 42, 0, NULL, 1);
    gen(P("other.h5"), 43, 0, NULL, 1);
    CHECK(files_identical(base, P("again.h5")), "same seed gave different files");
    CHECK(!files_identical(base, P("other.h5")), "different seeds gave the same file");
    remove(P("again.h5")); /* each file is 100 MB: each goes once checked */
    remove(P("other.h5"));

    /* variants load to the same network */
    static float f0[VC_RESNET50_FEATURES], f1[VC_RESNET50_FEATURES];
    CHECK(features_of(base, f0) == VC_OK, "base: %s", vc_last_error());
    struct { const char *name; int vlen; const char *root; int suffix; } variants[] = {
        { "vlen.h5", 1, NULL, 1 },
        { "model_weights.h5", 0, "model_weights", 1 },
        { "keras3.h5", 1, NULL, 0 },
        { "all.h5", 1, "model_weights", 0 },
    };
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        const char *p = P(variants[i].name);
        gen(p, 42, variants[i].vlen, variants[i].root, variants[i].suffix);
        int rc = features_of(p, f1);
        CHECK(rc == VC_OK, "variant %s: %s", variants[i].name, vc_last_error());
        CHECK(memcmp(f0, f1, sizeof f0) == 0, "variant %s gives different features", variants[i].name);
        printf("variant %-18s loads, features identical\n", variants[i].name);
        remove(p);
    }

    /* error cases */
    expect_load_error("missing file", P("nope.h5"), VC_ERR_IO, "No such file", NULL);
    write_file(P("empty.h5"), "", 0);
    expect_load_error("empty file", P("empty.h5"), VC_ERR_FORMAT, "empty", NULL);
    write_file(P("text.h5"), "<html>not weights</html>\n", 25);
    expect_load_error("not HDF5", P("text.h5"), VC_ERR_FORMAT, "not an HDF5 file", NULL);
    {
        /* truncated: the first 1 MiB of a real weights file */
        FILE *in = fopen(base, "rb");
        char *buf = malloc(1 << 20);
        size_t n = fread(buf, 1, 1 << 20, in);
        fclose(in);
        write_file(P("truncated.h5"), buf, n);
        free(buf);
        vc_resnet50 *net = NULL;
        int rc = vc_resnet50_load(P("truncated.h5"), NULL, &net);
        printf("%-22s -> %s: %s\n", "truncated", vc_strerror(rc), vc_last_error());
        CHECK(rc != VC_OK && net == NULL, "truncated file loaded");
    }
    {
        hid_t f = H5Fcreate(P("plain.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        H5Fclose(f);
        expect_load_error("HDF5, not Keras", P("plain.h5"), VC_ERR_FORMAT, "not a Keras weights file", "layer_names");
    }
    {
        const char *p = P("shape.h5");
        gen(p, 42, 0, NULL, 1);
        hsize_t dims[4] = { 3, 3, 128, 64 };
        replace_dataset(p, "/conv3_block2_2_conv/conv3_block2_2_conv/kernel:0", H5T_IEEE_F32LE, 4, dims);
        expect_load_error("wrong shape", p, VC_ERR_SHAPE, "conv3_block2_2_conv/conv3_block2_2_conv/kernel:0",
                          "has shape [3,3,128,64], expected [3,3,128,128]");
        remove(p);
    }
    {
        const char *p = P("dtype.h5");
        gen(p, 42, 0, NULL, 1);
        hsize_t dims[1] = { 256 };
        replace_dataset(p, "/conv2_block1_0_bn/conv2_block1_0_bn/gamma:0", H5T_STD_I32LE, 1, dims);
        expect_load_error("wrong dtype", p, VC_ERR_SHAPE, "conv2_block1_0_bn/gamma:0", "not floating point");
        remove(p);
    }
    {
        const char *p = P("nodset.h5");
        gen(p, 42, 0, NULL, 1);
        hid_t f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
        H5Ldelete(f, "/conv4_block3_1_bn/conv4_block3_1_bn/moving_variance:0", H5P_DEFAULT);
        H5Fclose(f);
        expect_load_error("missing dataset", p, VC_ERR_MISSING, "conv4_block3_1_bn/moving_variance:0", "missing");
        remove(p);
    }
    {
        const char *p = P("nolayer.h5");
        gen(p, 42, 0, NULL, 1);
        drop_layer_name(p, "conv5_block2_3_conv");
        expect_load_error("missing layer", p, VC_ERR_MISSING, "layer 'conv5_block2_3_conv' is missing", NULL);
        remove(p);
    }
    return test_finish("test_keras_weights");
}
