/* preprocess.c - caffe and rgb_mean input preprocessing. */
#include "vidclass/preprocess.h"
#include "vidclass/status.h"

#include <string.h>

int vc_preprocess_parse(const char *name, enum vc_preprocess_mode *mode)
{
    if (name && strcmp(name, "caffe") == 0) {
        *mode = VC_PREPROCESS_CAFFE;
        return VC_OK;
    }
    if (name && strcmp(name, "rgb_mean") == 0) {
        *mode = VC_PREPROCESS_RGB_MEAN;
        return VC_OK;
    }
    return vc_error(VC_ERR_INVALID_ARG, "unknown preprocessing mode '%s' (expected 'caffe' or 'rgb_mean')",
                    name ? name : "(null)");
}

const char *vc_preprocess_name(enum vc_preprocess_mode mode)
{
    return mode == VC_PREPROCESS_RGB_MEAN ? "rgb_mean" : "caffe";
}

void vc_preprocess_rgb8(const uint8_t *rgb, size_t n_pixels, enum vc_preprocess_mode mode,
                        float *out)
{
    if (mode == VC_PREPROCESS_CAFFE) {
        for (size_t i = 0; i < n_pixels; i++) {
            out[3 * i + 0] = (float)rgb[3 * i + 2] - 103.939f;
            out[3 * i + 1] = (float)rgb[3 * i + 1] - 116.779f;
            out[3 * i + 2] = (float)rgb[3 * i + 0] - 123.68f;
        }
    } else {
        for (size_t i = 0; i < n_pixels; i++) {
            out[3 * i + 0] = (float)rgb[3 * i + 0] - 123.68f;
            out[3 * i + 1] = (float)rgb[3 * i + 1] - 116.779f;
            out[3 * i + 2] = (float)rgb[3 * i + 2] - 103.939f;
        }
    }
}

void vc_preprocess_rgbf(const float *rgb, size_t n_pixels, enum vc_preprocess_mode mode,
                        float *out)
{
    for (size_t i = 0; i < n_pixels; i++) {
        float r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
        if (mode == VC_PREPROCESS_CAFFE) {
            out[3 * i + 0] = b - 103.939f;
            out[3 * i + 1] = g - 116.779f;
            out[3 * i + 2] = r - 123.68f;
        } else {
            out[3 * i + 0] = r - 123.68f;
            out[3 * i + 1] = g - 116.779f;
            out[3 * i + 2] = b - 103.939f;
        }
    }
}
