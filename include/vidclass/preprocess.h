/*
 * vidclass/preprocess.h - the two named input preprocessing modes.
 *
 *   caffe    (default; what the Keras ImageNet ResNet50 weights expect, keras
 *            imagenet_utils mode="caffe"): RGB -> BGR, then subtract the BGR means
 *            [103.939, 116.779, 123.68]. No scaling.
 *   rgb_mean (the reference tutorial's): keep RGB, subtract [123.68, 116.779, 103.939].
 *
 * The mode's name is recorded in every file the tools write (model, features) and applied
 * identically in training and inference.
 */
#ifndef VIDCLASS_PREPROCESS_H
#define VIDCLASS_PREPROCESS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vc_preprocess_mode {
    VC_PREPROCESS_CAFFE    = 0,
    VC_PREPROCESS_RGB_MEAN = 1,
};

/** Parse "caffe" / "rgb_mean". Returns VC_OK or VC_ERR_INVALID_ARG (message names both). */
int vc_preprocess_parse(const char *name, enum vc_preprocess_mode *mode);

/** The mode's name ("caffe", "rgb_mean"). */
const char *vc_preprocess_name(enum vc_preprocess_mode mode);

/** rgb: n_pixels interleaved RGB bytes; out: n_pixels * 3 floats in the mode's order. */
void vc_preprocess_rgb8(const uint8_t *rgb, size_t n_pixels, enum vc_preprocess_mode mode,
                        float *out);

/** Same for float RGB in 0..255 (augmented images); out may equal rgb. */
void vc_preprocess_rgbf(const float *rgb, size_t n_pixels, enum vc_preprocess_mode mode,
                        float *out);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_PREPROCESS_H */
