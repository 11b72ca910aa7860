/* pipeline.c - what a run classifies with: the model, its class names, the resize, and
 * the backbone it needs (see vc_classify_open in vidclass/classify.h). */
#include "vidclass/classify.h"
#include "vidclass/hash.h"
#include "vidclass/log.h"
#include "vidclass/status.h"

#include <string.h>

/* The model, its class names, the resize it was trained with (or the requested one), and
 * for a vidclass model the check that --weights is the base it was trained on. */
static int open_model(const struct vc_classify_spec *p, vc_model **model, enum vc_resize_mode *resize)
{
    int rc = vc_model_load(p->model, model);
    if (rc != VC_OK) return rc;
    const struct vc_model_meta *meta = vc_model_meta(*model);
    if (p->n_classes > 0 && (rc = vc_model_set_class_names(*model, p->classes, p->n_classes)) != VC_OK)
        return vc_error(rc, "--classes for model '%s': %s", p->model, vc_last_error());
    if (!meta->has_class_names)
        return vc_error(VC_ERR_INVALID_ARG, "model '%s' is a Keras model file, which holds no class names: give them with "
                        "--classes in the order of its outputs (the tutorial's lb.pickle: sorted, e.g. "
                        "football,tennis,weight_lifting)", p->model);
    *resize = meta->resize;
    if (p->resize && (rc = vc_resize_parse(p->resize, resize)) != VC_OK) return rc;
    if (*resize != meta->resize && p->lead)
        VC_LOG_WARN("resizing frames with '%s', but model '%s' was trained on '%s' pixels", vc_resize_name(*resize),
                    p->model, vc_resize_name(meta->resize));
    if (meta->keras_file) {
        if (p->weights)
            return vc_error(VC_ERR_INVALID_ARG, "model '%s' is a Keras model file with its own ResNet50 base; drop --weights "
                            "'%s'", p->model, p->weights);
        return VC_OK;
    }
    if (!p->weights)
        return vc_error(VC_ERR_INVALID_ARG, "--weights is required: model '%s' was trained on base weights '%s'", p->model,
                        meta->base_weights);
    char wsha[65] = "";
    if (p->lead) { /* hashing a 100 MB file once (one rank) is enough */
        if ((rc = vc_sha256_file(p->weights, wsha)) != VC_OK) return rc;
        if (strcmp(wsha, meta->base_weights_sha256) != 0)
            return vc_error(VC_ERR_MISMATCH, "base weights '%s' (sha256 %.12s...) are not the ones model '%s' was trained on "
                            "('%s', sha256 %.12s...)", p->weights, wsha, p->model, meta->base_weights,
                            meta->base_weights_sha256);
    }
    return VC_OK;
}

int vc_classify_open(const struct vc_classify_spec *s, vc_model **model, vc_backbone **backbone,
                     enum vc_resize_mode *resize)
{
    *model = NULL;
    *backbone = NULL;
    struct vc_backbone_params bp = { NULL, VC_PRECISION_FP32 };
    int rc = s->precision ? vc_precision_parse(s->precision, &bp.precision) : VC_OK;
    if (rc == VC_OK && vc_precision_check(bp.precision) != VC_OK) /* before anything is loaded */
        rc = VC_ERR_INVALID_ARG;
    if (rc != VC_OK) rc = vc_error(VC_ERR_INVALID_ARG, "--precision: %s", vc_last_error());
    const char *note = rc == VC_OK && s->lead ? vc_precision_note(bp.precision) : NULL;
    if (note) VC_LOG_WARN("--precision %s: %s", vc_precision_name(bp.precision), note);
    if (rc == VC_OK) rc = open_model(s, model, resize);
    if (rc == VC_OK) {
        const struct vc_model_meta *meta = vc_model_meta(*model);
        bp.weights = meta->keras_file ? s->model : s->weights;
        rc = vc_backbone_load_params(s->backbone ? s->backbone : meta->backbone, &bp, backbone);
    }
    if (rc != VC_OK) vc_model_free(model);
    return rc;
}
