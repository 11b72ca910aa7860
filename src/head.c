/* head.c - Dense-ReLU-Dropout-Dense-softmax head on one flat parameter buffer. */
#include "vidclass/head.h"
#include "vidclass/gemm.h"
#include "vidclass/rng.h"

#include <math.h>
#include <string.h>

size_t vc_head_param_count(const struct vc_head_shape *s)
{
    return (size_t)s->in * s->hidden + (size_t)s->hidden + (size_t)s->hidden * s->classes + (size_t)s->classes;
}

struct vc_head_offsets vc_head_offsets_of(const struct vc_head_shape *s)
{
    struct vc_head_offsets o;
    o.w1 = 0;
    o.b1 = (size_t)s->in * s->hidden;
    o.w2 = o.b1 + (size_t)s->hidden;
    o.b2 = o.w2 + (size_t)s->hidden * s->classes;
    return o;
}

void vc_head_init(const struct vc_head_shape *s, uint64_t seed, float *params)
{
    struct vc_head_offsets o = vc_head_offsets_of(s);
    struct vc_rng r;
    memset(params, 0, sizeof(float) * vc_head_param_count(s));
    double l1 = sqrt(6.0 / (double)(s->in + s->hidden)), l2 = sqrt(6.0 / (double)(s->hidden + s->classes));
    vc_rng_seed(&r, seed, 1, 0x48454144ull /* "HEAD" */);
    for (size_t i = 0; i < (size_t)s->in * s->hidden; i++)
        params[o.w1 + i] = (float)vc_rng_range(&r, -l1, l1);
    vc_rng_seed(&r, seed, 2, 0x48454144ull);
    for (size_t i = 0; i < (size_t)s->hidden * s->classes; i++)
        params[o.w2 + i] = (float)vc_rng_range(&r, -l2, l2);
}

size_t vc_head_workspace_floats(const struct vc_head_shape *s, int n)
{
    /* z1/h [n, hidden], dh [n, hidden], z2/p [n, classes] */
    return (size_t)n * (2 * (size_t)s->hidden + (size_t)s->classes);
}

static void softmax_rows(float *z, int n, int c)
{
    for (int i = 0; i < n; i++) {
        float *r = z + (size_t)i * c;
        float m = r[0];
        for (int k = 1; k < c; k++) if (r[k] > m) m = r[k];
        double sum = 0.0;
        for (int k = 0; k < c; k++) { r[k] = expf(r[k] - m); sum += r[k]; }
        for (int k = 0; k < c; k++) r[k] = (float)(r[k] / sum);
    }
}

/* h = relu(x W1 + b1) [* mask]; p = softmax(h W2 + b2). Keeps z1 > 0 information in h. */
static void forward(const struct vc_head_shape *s, const float *params, const float *x, int n,
                    const float *mask, float *h, float *p)
{
    struct vc_head_offsets o = vc_head_offsets_of(s);
    const int H = s->hidden, C = s->classes;
    for (int i = 0; i < n; i++) {
        memcpy(h + (size_t)i * H, params + o.b1, sizeof(float) * (size_t)H);
        memcpy(p + (size_t)i * C, params + o.b2, sizeof(float) * (size_t)C);
    }
    vc_sgemm(0, 0, n, H, s->in, 1.0f, x, s->in, params + o.w1, H, 1.0f, h, H);
    for (size_t i = 0; i < (size_t)n * H; i++) {
        float v = h[i] > 0.0f ? h[i] : 0.0f;
        h[i] = mask ? v * mask[i] : v;
    }
    vc_sgemm(0, 0, n, C, H, 1.0f, h, H, params + o.w2, C, 1.0f, p, C);
    softmax_rows(p, n, C);
}

void vc_head_predict(const struct vc_head_shape *s, const float *params, const float *x,
                     int n, float *probs, float *ws)
{
    forward(s, params, x, n, NULL, ws, probs);
}

void vc_head_train_batch(const struct vc_head_shape *s, const float *params, const float *x,
                         const int32_t *labels, int n, const float *mask, float scale,
                         float *grad, double *loss_sum, int64_t *correct, float *ws)
{
    if (n <= 0)
        return;
    struct vc_head_offsets o = vc_head_offsets_of(s);
    const int H = s->hidden, C = s->classes;
    float *h = ws, *dh = ws + (size_t)n * H, *p = dh + (size_t)n * H;
    forward(s, params, x, n, mask, h, p);
    /* loss, accuracy, and dz2 = scale * (p - onehot) in place of p */
    for (int i = 0; i < n; i++) {
        float *pi = p + (size_t)i * C;
        int best = 0;
        for (int k = 1; k < C; k++) if (pi[k] > pi[best]) best = k;
        *correct += best == labels[i];
        double py = pi[labels[i]];
        *loss_sum += -log(py > 1e-30 ? py : 1e-30);
        for (int k = 0; k < C; k++)
            pi[k] = scale * (pi[k] - (k == labels[i] ? 1.0f : 0.0f));
    }
    /* dW2 += h^T dz2, db2 += sum dz2 */
    vc_sgemm(1, 0, H, C, n, 1.0f, h, H, p, C, 1.0f, grad + o.w2, C);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < C; k++)
            grad[o.b2 + k] += p[(size_t)i * C + k];
    /* dh = dz2 W2^T; through dropout and ReLU: h > 0 exactly where the unit was active and kept */
    vc_sgemm(0, 1, n, H, C, 1.0f, p, C, params + o.w2, C, 0.0f, dh, H);
    for (size_t i = 0; i < (size_t)n * H; i++)
        dh[i] = h[i] > 0.0f ? dh[i] * (mask ? mask[i] : 1.0f) : 0.0f;
    /* dW1 += x^T dz1, db1 += sum dz1 */
    vc_sgemm(1, 0, s->in, H, n, 1.0f, x, s->in, dh, H, 1.0f, grad + o.w1, H);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < H; k++)
            grad[o.b1 + k] += dh[(size_t)i * H + k];
}

void vc_head_dropout_mask(int hidden, double rate, uint64_t seed, uint64_t epoch,
                          uint64_t index, float *mask)
{
    struct vc_rng r;
    vc_rng_seed(&r, seed ^ 0x44524F50ull /* "DROP" */, epoch, index);
    float keep = (float)(1.0 / (1.0 - rate));
    for (int k = 0; k < hidden; k++)
        mask[k] = vc_rng_uniform(&r) < rate ? 0.0f : keep;
}

void vc_sgd_step(float *params, const float *grad, float *velocity, size_t n, double lr,
                 double momentum, double decay, int64_t iteration)
{
    const float lr_t = (float)(lr / (1.0 + decay * (double)iteration));
    const float m = (float)momentum;
    for (size_t i = 0; i < n; i++) {
        velocity[i] = m * velocity[i] - lr_t * grad[i];
        params[i] += velocity[i];
    }
}
