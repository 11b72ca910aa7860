/* fuzz_h5 - our HDF5 readers on mutated files: the Keras weights reader (layer names,
 * weight names, shape and dtype checks of the first layers), the model reader (head
 * shape, class names, parameters, metadata) and the pack checks vidclass-train makes.
 * Seeds: a model.h5, a small pack and a truncated weights file (tests/bad_inputs/make.sh).
 * Note: this also fuzzes libhdf5 itself, which trusts much of a file's structure. */
#include "fuzz_util.h"
#include "vidclass/keras_weights.h"
#include "vidclass/log.h"
#include "vidclass/model.h"
#include "packread.h"

#include <hdf5.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); vc_log_set_level(VC_LOG_ERROR); init = 1; }
    const char *p = fuzz_write_tmp(data, size, ".h5");
    if (!p) return 0;
    vc_keras_weights *kw = NULL;
    if (vc_keras_weights_open(p, &kw) == 0) {
        static float buf[7 * 7 * 3 * 64];
        const int64_t k[4] = { 7, 7, 3, 64 }, b[1] = { 64 };
        (void)vc_keras_weights_layer_count(kw);
        (void)vc_keras_weights_read(kw, "conv1_conv", "kernel", 4, k, buf);
        (void)vc_keras_weights_read(kw, "conv1_conv", "bias", 1, b, buf);
        (void)vc_keras_weights_read(kw, "conv1_bn", "gamma", 1, b, buf);
        vc_keras_weights_close(&kw);
    }
    vc_model *m = NULL;
    if (vc_model_load(p, &m) == 0) vc_model_free(&m);
    struct vc_pack_in pk;
    if (vc_pack_in_open(p, 1000, &pk) == 0) {
        static uint8_t row[64 * 64 * 3];
        if (pk.S <= 64) (void)vc_h5_read_rows(pk.images, H5T_NATIVE_UINT8, (hsize_t)(pk.n - 1), 1, row);
        vc_pack_in_close(&pk);
    }
    return 0;
}
