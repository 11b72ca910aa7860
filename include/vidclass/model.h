/*
 * vidclass/model.h - the trained model file (model.h5): head weights + what they need.
 *
 * Keras layout (vidclass/keras_weights.h) with layer_names [average_pooling2d, flatten,
 * dense, dropout, dense_1]: dense/dense/kernel:0 [in, hidden], dense/dense/bias:0,
 * dense_1/dense_1/kernel:0 [hidden, classes], dense_1/dense_1/bias:0. Root attributes:
 * class_names (label order), preprocess, image_size, dropout, base_weights (path) and
 * base_weights_sha256 (so inference can refuse a different base), format
 * "vidclass-model", format_version 1. Written to a temporary name and renamed.
 */
#ifndef VIDCLASS_MODEL_H
#define VIDCLASS_MODEL_H

#include "vidclass/head.h"
#include "vidclass/preprocess.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VC_MAX_CLASSES 1024

struct vc_model_meta {
    int                     n_classes;
    const char             *class_names[VC_MAX_CLASSES]; /* borrowed when saving */
    enum vc_preprocess_mode preprocess;
    int                     image_size;
    double                  dropout;
    char                    base_weights[4096];
    char                    base_weights_sha256[65];
};

/** Save head parameters (flat layout of vidclass/head.h) and meta to `path` atomically. */
int vc_model_save(const char *path, const struct vc_head_shape *shape, const float *params,
                  const struct vc_model_meta *meta);

typedef struct vc_model vc_model;

/** Load; checks every shape. Owned by the caller (vc_model_free). */
int vc_model_load(const char *path, vc_model **out);
void vc_model_free(vc_model **m);

const struct vc_head_shape *vc_model_shape(const vc_model *m);
const float *vc_model_params(const vc_model *m);
/** Meta with class_names pointing into the model (valid until vc_model_free). */
const struct vc_model_meta *vc_model_meta(const vc_model *m);

#ifdef __cplusplus
}
#endif
#endif
