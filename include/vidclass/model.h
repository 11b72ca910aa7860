/*
 * vidclass/model.h - a trained classifier: the head on top of the backbone, the class
 * names and what its inputs must look like. Two kinds of files load:
 *
 *   vidclass model.h5 (vidclass-train): Keras weights layout with layer_names
 *     [average_pooling2d, flatten, dense, dropout, dense_1]: dense/dense/kernel:0
 *     [in, hidden], dense/dense/bias:0, dense_1/dense_1/kernel:0 [hidden, classes],
 *     dense_1/dense_1/bias:0. Root attributes: class_names (label order), preprocess,
 *     resize, image_size, dropout, backbone ("resnet50"), weights_layout, base_weights
 *     (path) and base_weights_sha256 (inference refuses another base), format
 *     "vidclass-model", format_version 2 (version 1 files, without resize, backbone and
 *     weights_layout, load as resize "area", resnet50, tf.keras). Written atomically.
 *
 *   a Keras model file (model.save(path, save_format="h5"), e.g. the reference tutorial's
 *     activity.model, tf.keras or standalone Keras 2.2 naming): root attributes
 *     model_config (JSON), keras_version, backend; every weight under /model_weights. The
 *     base (ResNet50, vidclass/resnet50.h) is read from the same file; the head is the
 *     chain of layers after the base's last block, run only when it can be run exactly:
 *     AveragePooling2D whose window covers the whole map (= global average) or
 *     GlobalAveragePooling2D, Flatten, Dropout (inactive at inference), Dense with
 *     linear/relu/sigmoid/tanh/softmax activations, Activation layers of those kinds, the
 *     last one softmax. Anything else is refused with the layer's name. The file holds no
 *     class names: vc_model_set_class_names gives them (the tutorial's lb.pickle order:
 *     sorted). Its preprocessing is the tutorial's (rgb_mean) and resize linear (cv2.resize).
 */
#ifndef VIDCLASS_MODEL_H
#define VIDCLASS_MODEL_H

#include "vidclass/head.h"
#include "vidclass/preprocess.h"
#include "vidclass/resize.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VC_MAX_CLASSES 1024

struct vc_model_meta {
    int                     n_classes;
    const char             *class_names[VC_MAX_CLASSES]; /* borrowed when saving */
    enum vc_preprocess_mode preprocess;
    enum vc_resize_mode     resize;
    int                     image_size;
    double                  dropout;
    char                    backbone[32];       /* "resnet50"                            */
    char                    weights_layout[16]; /* "tf.keras" or "keras2.2"              */
    char                    base_weights[4096]; /* path; for a Keras file, the file itself */
    char                    base_weights_sha256[65]; /* "" for a Keras file (base inside) */
    int                     keras_file;         /* 1: a Keras model file (base inside)   */
    int                     has_class_names;    /* 0: a Keras file before set_class_names */
};

/** Save head parameters (flat layout of vidclass/head.h) and meta to `path` atomically. */
int vc_model_save(const char *path, const struct vc_head_shape *shape, const float *params,
                  const struct vc_model_meta *meta);

typedef struct vc_model vc_model;

/** Load either kind; checks every shape and value. Owned by the caller (vc_model_free). */
int vc_model_load(const char *path, vc_model **out);
void vc_model_free(vc_model **m);

/**
 * Name the classes of a model (required for a Keras model file, which has none; for a
 * vidclass model the names must equal its own). n must equal the head's output count.
 * The strings are copied.
 */
int vc_model_set_class_names(vc_model *m, const char *const *names, int n);

/** vidclass models: the 2-layer head's shape and flat parameters (NULL for Keras files). */
const struct vc_head_shape *vc_model_shape(const vc_model *m);
const float *vc_model_params(const vc_model *m);
/** Meta with class_names pointing into the model (valid until vc_model_free). */
const struct vc_model_meta *vc_model_meta(const vc_model *m);

/** Features the head takes (2048 for ResNet50). */
int vc_model_input_size(const vc_model *m);

/** Floats of workspace vc_model_predict needs for a batch of n. */
size_t vc_model_workspace_floats(const vc_model *m, int n);

/** Inference: feat [n, input_size] (the backbone's global average) -> probs [n, classes]. */
void vc_model_predict(const vc_model *m, const float *feat, int n, float *probs, float *ws);

/** One line describing the head ("Dense 512 relu -> Dense 3 softmax"), borrowed. */
const char *vc_model_head_summary(const vc_model *m);

#ifdef __cplusplus
}
#endif
#endif
