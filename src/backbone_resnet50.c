/* backbone_resnet50.c - the "resnet50" backbone: vidclass/resnet50.h behind
 * vidclass/backbone.h. */
#include "vidclass/backbone.h"
#include "vidclass/resnet50.h"
#include "vidclass/status.h"

static int load(const struct vc_backbone_params *p, void **impl)
{
    if (!p->weights) return vc_error(VC_ERR_INVALID_ARG, "backbone resnet50 needs a weights file");
    struct vc_resnet50_params rp = vc_resnet50_default_params();
    rp.precision = p->precision;
    return vc_resnet50_load(p->weights, &rp, (vc_resnet50 **)impl);
}

static int features(void *impl, const float *x, int n, int h, int w, float *feat)
{
    return vc_resnet50_features(impl, x, n, h, w, feat);
}

static int feature_size(const void *impl) { (void)impl; return VC_RESNET50_FEATURES; }
static const char *layout(const void *impl) { return vc_resnet50_describe(impl).layout; }
static const char *product(const void *impl) { return vc_resnet50_describe(impl).product; }

static void release(void *impl)
{
    vc_resnet50 *net = impl;
    vc_resnet50_free(&net);
}

const struct vc_backbone_ops vc_backbone_resnet50_ops = {
    /*.name         =*/ "resnet50",
    /*.load         =*/ load,
    /*.features     =*/ features,
    /*.feature_size =*/ feature_size,
    /*.layout       =*/ layout,
    /*.free         =*/ release,
    /*.product      =*/ product,
};
