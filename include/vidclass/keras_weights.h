/*
 * vidclass/keras_weights.h - read and write Keras HDF5 weight files.
 *
 * Layout (Keras `model.save_weights("x.h5")` / the applications' *_notop.h5 files):
 *   root attribute `layer_names`: every layer, weightless ones included
 *   group /<layer> with attribute `weight_names`, e.g. ["conv1_conv/kernel:0", ...]
 *   dataset /<layer>/<weight_name>, e.g. /conv1_conv/conv1_conv/kernel:0 (HWIO)
 * Accepted variants: everything nested under /model_weights (a whole model saved with
 * model.save(..., save_format="h5")); Keras 3 names without the ":0" suffix; fixed-length
 * or variable-length string attributes; empty float64 `weight_names` for weightless layers.
 * Tensors are looked up by layer name; inside a layer either by weight name
 * (vc_keras_weights_read) or by position in weight_names (vc_keras_weights_read_at, what
 * Keras's legacy loader does). Every tensor read is checked for shape, type and
 * finiteness (a NaN or Inf is refused with the dataset's name).
 *
 *     vc_keras_weights *kw = NULL;
 *     if (vc_keras_weights_open(path, &kw) != VC_OK) { report vc_last_error(); }
 *     int64_t dims[4] = {7, 7, 3, 64};
 *     vc_keras_weights_read(kw, "conv1_conv", "kernel", 4, dims, buf);
 *     vc_keras_weights_close(&kw);
 */
#ifndef VIDCLASS_KERAS_WEIGHTS_H
#define VIDCLASS_KERAS_WEIGHTS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_keras_weights vc_keras_weights;

/** Open `path` read-only. On success *out is owned by the caller (vc_keras_weights_close). */
int vc_keras_weights_open(const char *path, vc_keras_weights **out);

/** Close and set *kw to NULL. NULL-safe. */
void vc_keras_weights_close(vc_keras_weights **kw);

/** Number of names in the root `layer_names` attribute. */
int vc_keras_weights_layer_count(const vc_keras_weights *kw);

/**
 * Read weight `weight` ("kernel", "bias", "gamma", "beta", "moving_mean",
 * "moving_variance") of layer `layer` into dst (caller buffer of prod(dims) floats),
 * checking that the dataset is floating point with exactly `ndim` dims equal to `dims`.
 * Errors name the file, the dataset and expected vs found shape.
 */
int vc_keras_weights_read(vc_keras_weights *kw, const char *layer, const char *weight,
                          int ndim, const int64_t *dims, float *dst);

/**
 * Read weight number `index` of `layer` (0-based, in the order of its weight_names
 * attribute, as Keras's own HDF5 loader assigns them, whatever their spelling), after
 * checking that the layer lists exactly `count` weights (`role` names them in the
 * message, e.g. "kernel, bias"). Same shape and finiteness checks as vc_keras_weights_read.
 */
int vc_keras_weights_read_at(vc_keras_weights *kw, const char *layer, int index, int count,
                             const char *role, int ndim, const int64_t *dims, float *dst);

/** 1 if the file's layer_names lists `name`. */
int vc_keras_weights_has_layer(const vc_keras_weights *kw, const char *name);

/** Layer name i of layer_names (borrowed), NULL out of range. */
const char *vc_keras_weights_layer_name(const vc_keras_weights *kw, int i);

/** The path the file was opened with (borrowed). */
const char *vc_keras_weights_path(const vc_keras_weights *kw);

/**
 * The root attribute `model_config` (JSON) of a whole-model file (model.save(...,
 * save_format="h5")): *json is malloc'ed text owned by the caller, or NULL when the file
 * has none (a weights-only file).
 */
int vc_keras_weights_model_config(vc_keras_weights *kw, char **json);

/* ---- writing ------------------------------------------------------------------------ */

typedef struct vc_keras_writer vc_keras_writer;

struct vc_keras_writer_params {
    int         vlen_strings; /* 0: fixed-length NUL-padded attributes (Keras/h5py default) */
    const char *root_group;   /* NULL or "" for "/", else e.g. "model_weights"             */
    int         name_suffix;  /* 1: "kernel:0" (TF Keras), 0: "kernel" (Keras 3)           */
    int         flat_names;   /* 1: weight names without the "layer/" prefix (Keras 1)     */
    const char *generator;    /* NULL, or a root attribute `generator` naming the writer   */
    int64_t     reserve;      /* bytes the weights will take (0: unknown): reserved at open,
                                 so a full disk is refused there, not met half-way    */
};
struct vc_keras_writer_params vc_keras_writer_default_params(void);

/** Create (truncate) `path` for writing. Owned by the caller; finish with _close. */
int vc_keras_writer_open(const char *path, const struct vc_keras_writer_params *p,
                         vc_keras_writer **out);

/**
 * Add one layer with n_weights tensors (n_weights may be 0 for a weightless layer).
 * names[i] is the short weight name ("kernel"), data[i] its float32 values with
 * ndims[i] dims in dims[i].
 */
int vc_keras_writer_add_layer(vc_keras_writer *w, const char *layer, int n_weights,
                              const char *const *names, const int *ndims,
                              const int64_t *const *dims, const float *const *data);

/** Write `layer_names` and the root attributes, close the file, set *w = NULL. If a write
 *  failed (here or in an earlier add_layer), the file is left empty, for the caller to remove:
 *  a full disk gives VC_ERR_IO, never a half-written file. */
int vc_keras_writer_close(vc_keras_writer **w);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_KERAS_WEIGHTS_H */
