/* backbone.c - the backbone registry and the generic handle (see vidclass/backbone.h).
 * The built-in implementations live in backbone_resnet50.c and backbone_null.c. */
#include "vidclass/backbone.h"
#include "vidclass/status.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BACKBONES 16

extern const struct vc_backbone_ops vc_backbone_resnet50_ops; /* backbone_resnet50.c */
extern const struct vc_backbone_ops vc_backbone_null_ops;     /* backbone_null.c     */

static const struct vc_backbone_ops *g_ops[MAX_BACKBONES] = { &vc_backbone_resnet50_ops, &vc_backbone_null_ops };
static int g_n = 2;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

struct vc_backbone {
    const struct vc_backbone_ops *ops;
    void                         *impl;
};

int vc_backbone_register(const struct vc_backbone_ops *ops)
{
    if (!ops || !ops->name || !ops->load || !ops->features || !ops->feature_size || !ops->free)
        return vc_error(VC_ERR_INVALID_ARG, "%s: incomplete backbone ops", __func__);
    int rc = VC_OK, i;
    pthread_mutex_lock(&g_mu);
    for (i = 0; i < g_n && strcmp(g_ops[i]->name, ops->name) != 0; i++) {}
    if (i == g_n && g_n == MAX_BACKBONES) rc = vc_error(VC_ERR_UNSUPPORTED, "%s: more than %d backbones", __func__, MAX_BACKBONES);
    else g_ops[i == g_n ? g_n++ : i] = ops;
    pthread_mutex_unlock(&g_mu);
    return rc;
}

const struct vc_backbone_ops *vc_backbone_find(const char *name)
{
    const struct vc_backbone_ops *found = NULL;
    pthread_mutex_lock(&g_mu);
    for (int i = 0; i < g_n && !found; i++)
        if (name && strcmp(g_ops[i]->name, name) == 0) found = g_ops[i];
    pthread_mutex_unlock(&g_mu);
    return found;
}

int vc_backbone_load(const char *name, const char *weights, vc_backbone **out)
{
    const struct vc_backbone_params p = { weights, VC_PRECISION_FP32 };
    return vc_backbone_load_params(name, &p, out);
}

int vc_backbone_load_params(const char *name, const struct vc_backbone_params *p, vc_backbone **out)
{
    *out = NULL;
    const struct vc_backbone_ops *ops = vc_backbone_find(name);
    if (!ops) return vc_error(VC_ERR_UNSUPPORTED, "no backbone called '%s' in this vidclass (built in: resnet50, null)",
                              name ? name : "(null)");
    vc_backbone *b = calloc(1, sizeof *b);
    if (!b) return vc_error(VC_ERR_NOMEM, "out of memory loading backbone '%s'", name);
    b->ops = ops;
    int rc = ops->load(p, &b->impl);
    if (rc != VC_OK) {
        free(b);
        return rc;
    }
    *out = b;
    return VC_OK;
}

int vc_backbone_features(vc_backbone *b, const float *x, int n, int h, int w, float *feat)
{
    return b->ops->features(b->impl, x, n, h, w, feat);
}

int vc_backbone_feature_size(const vc_backbone *b) { return b->ops->feature_size(b->impl); }
const char *vc_backbone_name(const vc_backbone *b) { return b->ops->name; }
const char *vc_backbone_layout(const vc_backbone *b) { return b->ops->layout ? b->ops->layout(b->impl) : ""; }
const char *vc_backbone_product(const vc_backbone *b) { return b->ops->product ? b->ops->product(b->impl) : ""; }

void vc_backbone_free(vc_backbone **bp)
{
    if (!bp || !*bp) return;
    (*bp)->ops->free((*bp)->impl);
    free(*bp);
    *bp = NULL;
}
