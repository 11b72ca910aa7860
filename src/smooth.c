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
