/* smooth.c - rolling mean of the last K prediction vectors. */
#include "vidclass/smooth.h"
#include "vidclass/status.h"

#include <stdlib.h>
#include <string.h>

struct vc_smoother {
    int     k, c, count, head;
    float  *ring; /* [k, c] */
    double *sum;  /* [c]    */
};

int vc_smoother_init(int window, int classes, vc_smoother **out)
{
    *out = NULL;
    if (window < 1 || classes < 1)
        return vc_error(VC_ERR_INVALID_ARG, "smoothing window must be >= 1 (got %d)", window);
    vc_smoother *s = calloc(1, sizeof *s);
    if (!s) return VC_NOMEM;
    s->k = window;
    s->c = classes;
    s->ring = malloc(sizeof(float) * (size_t)window * classes);
    s->sum = calloc((size_t)classes, sizeof(double));
    if (!s->ring || !s->sum) {
        vc_smoother_free(&s);
        return VC_NOMEM;
    }
    *out = s;
    return VC_OK;
}

void vc_smoother_free(vc_smoother **sp)
{
    if (!sp || !*sp) return;
    free((*sp)->ring);
    free((*sp)->sum);
    free(*sp);
    *sp = NULL;
}

void vc_smoother_reset(vc_smoother *s)
{
    s->count = s->head = 0;
    memset(s->sum, 0, sizeof(double) * (size_t)s->c);
}

int vc_smoothing_parse(const char *name)
{
    if (name && strcmp(name, "trailing") == 0) return VC_SMOOTH_TRAILING;
    if (name && strcmp(name, "centered") == 0) return VC_SMOOTH_CENTERED;
    return -1;
}

const char *vc_smoothing_name(int mode) { return mode == VC_SMOOTH_CENTERED ? "centered" : "trailing"; }

int vc_smooth_centered(const float *probs, int64_t n, int classes, int window, int32_t *label, float *conf)
{
    if (window < 1 || classes < 1) return vc_error(VC_ERR_INVALID_ARG, "smoothing window must be >= 1 (got %d)", window);
    double *sum = calloc((size_t)classes, sizeof(double));
    if (!sum) return VC_NOMEM;
    const int64_t back = (window - 1) / 2, ahead = window / 2;
    int64_t lo = 0, hi = -1; /* the rows in sum: lo .. hi */
    for (int64_t i = 0; i < n; i++) {
        const int64_t want_lo = i - back > 0 ? i - back : 0, want_hi = i + ahead < n - 1 ? i + ahead : n - 1;
        for (; hi < want_hi; hi++)
            for (int j = 0; j < classes; j++) sum[j] += probs[(size_t)(hi + 1) * classes + j];
        for (; lo < want_lo; lo++)
            for (int j = 0; j < classes; j++) sum[j] -= probs[(size_t)lo * classes + j];
        int best = 0;
        for (int j = 1; j < classes; j++)
            if (sum[j] > sum[best]) best = j;
        label[i] = best;
        conf[i] = (float)(sum[best] / (double)(hi - lo + 1));
    }
    free(sum);
    return VC_OK;
}

int vc_smoother_push(vc_smoother *s, const float *probs, float *mean)
{
    float *slot = s->ring + (size_t)s->head * s->c;
    if (s->count == s->k) /* window full: the oldest leaves */
        for (int j = 0; j < s->c; j++) s->sum[j] -= slot[j];
    else
        s->count++;
    for (int j = 0; j < s->c; j++) {
        slot[j] = probs[j];
        s->sum[j] += probs[j];
    }
    s->head = (s->head + 1) % s->k;
    int best = 0;
    for (int j = 0; j < s->c; j++) {
        double m = s->sum[j] / s->count;
        if (mean) mean[j] = (float)m;
        if (m > s->sum[best] / s->count) best = j;
    }
    return best;
}
