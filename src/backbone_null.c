/* backbone_null.c - the "null" backbone: no network, 2048 features from the input's three
 * channel means (repeated), so that the rest of the pipeline (decode, head, smoothing,
 * scheduling, results) can be measured at scale without the CNN's cost. Its features are
 * deterministic and input-dependent, but carry no learnt meaning: for tests only. */
#include "vidclass/backbone.h"
#include "vidclass/status.h"

#include <stdlib.h>

#define NULL_FEATURES 2048

static int load(const struct vc_backbone_params *p, void **impl)
{
    (void)p; /* no products: any precision is the same nothing */
    *impl = NULL;
    return VC_OK;
}

static int features(void *impl, const float *x, int n, int h, int w, float *feat)
{
    (void)impl;
    const size_t px = (size_t)h * w;
    for (int i = 0; i < n; i++) {
        double m[3] = { 0, 0, 0 };
        const float *xi = x + (size_t)i * px * 3;
        for (size_t p = 0; p < px; p++)
            for (int c = 0; c < 3; c++) m[c] += xi[3 * p + c];
        for (int k = 0; k < NULL_FEATURES; k++) feat[(size_t)i * NULL_FEATURES + k] = (float)(m[k % 3] / (double)px / 64.0);
    }
    return VC_OK;
}

static int feature_size(const void *impl) { (void)impl; return NULL_FEATURES; }
static const char *layout(const void *impl) { (void)impl; return ""; }
static void release(void *impl) { (void)impl; }

const struct vc_backbone_ops vc_backbone_null_ops = {
    /*.name         =*/ "null",
    /*.load         =*/ load,
    /*.features     =*/ features,
    /*.feature_size =*/ feature_size,
    /*.layout       =*/ layout,
    /*.free         =*/ release,
    /*.product      =*/ NULL, /* no products */
};
