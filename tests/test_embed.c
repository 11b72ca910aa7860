/* test_embed.c - vc_embed_run over image files and over a pack holding the same pixels:
 * identical features, skipped bad inputs counted, nothing left behind on failure. */
#include "test_util.h"
#include "vidclass/embed.h"
#include "vidclass/gemm.h"
#include "vidclass/image.h"
#include "vidclass/resnet50.h"
#include "vidclass/status.h"

#include <hdf5.h>
#include <stdint.h>


static float *read_features(const char *path, int *rows)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return NULL;
    hid_t d = H5Dopen2(f, "features", H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    hsize_t dims[2];
    H5Sget_simple_extent_dims(s, dims, NULL);
    float *v = malloc(sizeof(float) * dims[0] * dims[1]);
    H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    *rows = (int)dims[0];
    H5Sclose(s); H5Dclose(d); H5Fclose(f);
    return v;
}

int main(void)
{
    char cmd[2048];
    vc_blas_set_threads(2);
    snprintf(g_dir, sizeof g_dir, "%s", test_tmpdir("embed"));
    struct vc_resnet50_gen_params gp = vc_resnet50_gen_default_params();
    CHECK(vc_resnet50_generate_weights(P("w.h5"), &gp) == VC_OK, "weights: %s", vc_last_error());
    const char *srcs[3] = { "testsrc", "mandelbrot", "rgbtestsrc" };
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "ffmpeg -v error -y -f lavfi -i %s=s=224x224 -frames:v 1 %s/img%d.png",
                 srcs[i], g_dir, i);
        CHECK(system(cmd) == 0, "ffmpeg %s", srcs[i]);
    }
    snprintf(cmd, sizeof cmd, ": > %s/bad.jpg", g_dir);
    CHECK(system(cmd) == 0, "touch");

    /* a pack with the same three images, decoded by the library */
    static uint8_t px[3][224 * 224 * 3];
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "img%d.png", i);
        CHECK(vc_image_load_rgb(P(name), 224, 224, NULL, px[i]) == VC_OK, "decode: %s", vc_last_error());
    }
    {
        hid_t f = H5Fcreate(P("pack.h5"), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        hsize_t dims[4] = { 3, 224, 224, 3 };
        hid_t s = H5Screate_simple(4, dims, NULL);
        hid_t d = H5Dcreate2(f, "images", H5T_STD_U8LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        CHECK(H5Dwrite(d, H5T_NATIVE_UINT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, px) >= 0, "write pack");
        H5Dclose(d); H5Sclose(s); H5Fclose(f);
    }

    struct vc_embed_params p = vc_embed_default_params();
    p.weights = P("w.h5");
    p.batch = 2; /* 3 images: one full batch and a partial one */
    p.quiet = 1;
    const char *imgs[4] = { P("img0.png"), P("bad.jpg"), P("img1.png"), P("img2.png") };
    p.inputs = imgs;
    p.n_inputs = 4;
    p.output = P("f_images.h5");
    struct vc_embed_result r1 = { 0, 0 }, r2 = { 0, 0 };
    CHECK(vc_embed_run(&p, &r1) == VC_OK, "embed images: %s", vc_last_error());
    CHECK(r1.n_ok == 3 && r1.n_failed == 1, "images: ok %lld failed %lld", (long long)r1.n_ok, (long long)r1.n_failed);

    const char *packs[1] = { P("pack.h5") };
    p.inputs = packs;
    p.n_inputs = 1;
    p.output = P("f_pack.h5");
    p.batch = 3;
    CHECK(vc_embed_run(&p, &r2) == VC_OK, "embed pack: %s", vc_last_error());
    CHECK(r2.n_ok == 3 && r2.n_failed == 0, "pack: ok %lld failed %lld", (long long)r2.n_ok, (long long)r2.n_failed);

    int n1 = 0, n2 = 0;
    float *a = read_features(P("f_images.h5"), &n1), *b = read_features(P("f_pack.h5"), &n2);
    CHECK(a && b && n1 == 3 && n2 == 3, "rows %d %d", n1, n2);
    if (a && b && n1 == 3 && n2 == 3) {
        double e = max_rel_err(a, b, 3 * VC_RESNET50_FEATURES);
        printf("images vs pack (batch 2 vs 3): max rel err %.2e\n", e);
        CHECK(e < 1e-5, "image-file and pack features differ: %.3g", e);
    }
    free(a);
    free(b);

    /* bad weights: error, and no output (final or temporary) left behind */
    p.weights = P("bad.jpg");
    p.output = P("f_fail.h5");
    int rc = vc_embed_run(&p, &r2);
    CHECK(rc != VC_OK, "embed with empty weights file succeeded");
    CHECK(access(P("f_fail.h5"), F_OK) != 0, "output left behind after failure");
    snprintf(cmd, sizeof cmd, "ls %s | grep -c tmp", g_dir);
    CHECK(system(cmd) != 0, "temporary file left behind");

    return test_finish("test_embed");
}
