/* make_seed_weights OUT.h5 - a small Keras-layout weights file (conv1_conv, conv1_bn) as a
 * seed for fuzz_h5: the full ResNet50 file (94 MB) is too big to mutate usefully. */
#include "vidclass/keras_weights.h"
#include "vidclass/status.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: make_seed_weights OUT.h5\n  writes a small Keras-layout weights file (a seed for fuzz_h5)\n");
        return 0;
    }
    if (argc != 2 || argv[1][0] == '-') { /* an option is never taken for the file to write */
        fprintf(stderr, "usage: make_seed_weights OUT.h5\n");
        return 2;
    }
    static float k[7 * 7 * 3 * 64], v[64];
    for (int i = 0; i < 7 * 7 * 3 * 64; i++) k[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
    for (int i = 0; i < 64; i++) v[i] = 1.0f + (float)i / 64.0f;
    struct vc_keras_writer_params p = vc_keras_writer_default_params();
    vc_keras_writer *w = NULL;
    const int64_t kd[4] = { 7, 7, 3, 64 }, bd[1] = { 64 };
    const char *cn[2] = { "kernel", "bias" }, *bn[4] = { "gamma", "beta", "moving_mean", "moving_variance" };
    const int cnd[2] = { 4, 1 }, bnd[4] = { 1, 1, 1, 1 };
    const int64_t *cdims[2] = { kd, bd }, *bdims[4] = { bd, bd, bd, bd };
    const float *cdata[2] = { k, v }, *bdata[4] = { v, v, v, v };
    int rc = vc_keras_writer_open(argv[1], &p, &w);
    if (rc == VC_OK) rc = vc_keras_writer_add_layer(w, "input_1", 0, NULL, NULL, NULL, NULL);
    if (rc == VC_OK) rc = vc_keras_writer_add_layer(w, "conv1_conv", 2, cn, cnd, cdims, cdata);
    if (rc == VC_OK) rc = vc_keras_writer_add_layer(w, "conv1_bn", 4, bn, bnd, bdims, bdata);
    if (rc == VC_OK) rc = vc_keras_writer_close(&w);
    if (rc != VC_OK) { fprintf(stderr, "make_seed_weights: %s\n", vc_last_error()); return 1; }
    return 0;
}
