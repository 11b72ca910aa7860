/*
 * keras_config.h - vidclass internal: the `model_config` JSON a Keras HDF5 model file
 * carries (model.save(path, save_format="h5"), Keras 2.x / tf.keras / Keras 3), read with
 * jansson. Only what vidclass needs: the layers in order, each with its class, name,
 * config object and the names of the layers feeding it.
 *
 * Two JSON dialects occur: Keras 2 / tf.keras write inbound nodes as
 * [[["dense", 0, 0, {}]]]; Keras 3 as [{"args": [{"class_name": "__keras_tensor__",
 * "config": {"keras_history": ["dense", 0, 0]}}], "kwargs": {}}]. Both are read.
 */
#ifndef VIDCLASS_KERAS_CONFIG_H
#define VIDCLASS_KERAS_CONFIG_H

typedef struct vc_keras_config vc_keras_config;

struct vc_keras_layer {
    const char *name;       /* "dense_1"                                   */
    const char *class_name; /* "Dense", "BatchNormalization", ...          */
    const char *inbound;    /* the first inbound layer's name, or NULL     */
    int         n_inbound;  /* number of inbound tensors (Add has two)     */
    const void *config;     /* the layer's "config" object (json_t *)      */
};

/* Parse `json` (the attribute's text). `what` names the file in messages. */
int vc_keras_config_parse(const char *json, const char *what, vc_keras_config **out);
void vc_keras_config_free(vc_keras_config **c);

int vc_keras_config_count(const vc_keras_config *c);
const struct vc_keras_layer *vc_keras_config_layer(const vc_keras_config *c, int i);
/* Index of the layer called `name`, or -1. */
int vc_keras_config_find(const vc_keras_config *c, const char *name);

/* Typed lookups in a layer's config; each returns 1 when present with that type. */
int vc_keras_config_double(const struct vc_keras_layer *l, const char *key, double *v);
int vc_keras_config_string(const struct vc_keras_layer *l, const char *key, const char **v);
/* An integer pair ([7, 7]) or a single integer (7, given for both). */
int vc_keras_config_pair(const struct vc_keras_layer *l, const char *key, int v[2]);

/* The model's input shape (batch_input_shape / batch_shape of the first InputLayer):
 * height, width, channels; 0 where the model leaves it open (None). */
int vc_keras_config_input_shape(const vc_keras_config *c, int hwc[3]);

#endif
