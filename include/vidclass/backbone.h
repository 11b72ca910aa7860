/*
 * vidclass/backbone.h - the network that turns preprocessed images into feature vectors,
 * behind one small interface (in the style of ggml's backends), so that a new backbone or
 * an accelerator backend is one new file that fills a struct vc_backbone_ops.
 *
 * Built in: "resnet50" (the Keras ResNet50 base on the CPU, vidclass/resnet50.h: weights
 * from a Keras HDF5 file, 2048 features = the global average of its last map) and "null"
 * (no network: 2048 features from the per-channel means of the input, costing nothing; for
 * tests of the scheduler at scale, never for real results). A model file records the
 * backbone it needs (vidclass/model.h).
 *
 *     vc_backbone *bb = NULL;
 *     if (vc_backbone_load("resnet50", "resnet50_notop.h5", &bb) != VC_OK) ...vc_last_error()...
 *     vc_backbone_features(bb, x, n, 224, 224, feat);   // feat: [n, vc_backbone_feature_size(bb)]
 *     vc_backbone_free(&bb);
 *
 * vc_backbone_load_params takes the precision too (struct vc_backbone_params: --precision).
 *
 * A loaded backbone is not thread-safe (it owns its workspace), and its forward pass uses
 * the process's compute threads (--threads): one forward pass at a time per process (rank).
 */
#ifndef VIDCLASS_BACKBONE_H
#define VIDCLASS_BACKBONE_H

#ifdef __cplusplus
extern "C" {
#endif

#include "vidclass/gemm.h"

/* How to load a backbone. */
struct vc_backbone_params {
    const char       *weights;   /* the weights file; may be NULL for "null"                     */
    enum vc_precision precision; /* of the network's products (vidclass/gemm.h); a backbone that
                                    cannot honour it refuses to load, with a message           */
};

/* What a backbone implementation provides. All functions return VC_OK or a VC_ERR_*
 * code with a message (vidclass/status.h). */
struct vc_backbone_ops {
    const char *name;                                               /* e.g. "resnet50"   */
    int (*load)(const struct vc_backbone_params *p, void **impl);
    int (*features)(void *impl, const float *x, int n, int h, int w, float *feat);
    int (*feature_size)(const void *impl);
    const char *(*layout)(const void *impl);                        /* weights layout, or "" */
    void (*free)(void *impl);
    const char *(*product)(const void *impl);                       /* optional: the kernel the
                                                                       products run on     */
};

/** Add a backbone (the ops must stay valid; up to 16). Replaces one of the same name. */
int vc_backbone_register(const struct vc_backbone_ops *ops);

/** The registered backbone called `name`, or NULL. */
const struct vc_backbone_ops *vc_backbone_find(const char *name);

typedef struct vc_backbone vc_backbone;

/** Load backbone `name` with `weights` in fp32. Owned by the caller (vc_backbone_free). */
int vc_backbone_load(const char *name, const char *weights, vc_backbone **out);

/** Load backbone `name` as p says. Owned by the caller (vc_backbone_free). */
int vc_backbone_load_params(const char *name, const struct vc_backbone_params *p, vc_backbone **out);

/** x: [n, h, w, 3] preprocessed; feat: [n, feature_size]. */
int vc_backbone_features(vc_backbone *b, const float *x, int n, int h, int w, float *feat);

int vc_backbone_feature_size(const vc_backbone *b);
const char *vc_backbone_name(const vc_backbone *b);
const char *vc_backbone_layout(const vc_backbone *b);
/** The kernel the backbone's products run on (e.g. "avx512", "amx"), or "" (none, or not said). */
const char *vc_backbone_product(const vc_backbone *b);

void vc_backbone_free(vc_backbone **b);

#ifdef __cplusplus
}
#endif
#endif
