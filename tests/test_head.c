/* test_head.c - the head's gradients against central finite differences (double-checked
 * on every parameter block), one SGD+momentum+decay step against hand-computed values,
 * dropout masks, and predict == the training forward without dropout. */
#include "test_util.h"
#include "vidclass/gemm.h"
#include "vidclass/head.h"
#include "vidclass/rng.h"

/* Mean loss over the batch, in double from a float forward (for finite differences). */
static double batch_loss(const struct vc_head_shape *s, const float *params, const float *x, const int32_t *y,
                         int n, const float *mask, float *ws)
{
    float *g = calloc(vc_head_param_count(s), sizeof(float));
    double loss = 0.0;
    int64_t hits = 0;
    vc_head_train_batch(s, params, x, y, n, mask, 1.0f / n, g, &loss, &hits, ws);
    free(g);
    return loss / n;
}

int main(void)
{
    vc_blas_set_threads(1);
    struct vc_head_shape s = { 7, 5, 3 };
    const int n = 4;
    size_t P = vc_head_param_count(&s);
    CHECK(P == 7 * 5 + 5 + 5 * 3 + 3, "param count %zu", P);
    struct vc_head_offsets o = vc_head_offsets_of(&s);
    CHECK(o.w1 == 0 && o.b1 == 35 && o.w2 == 40 && o.b2 == 55, "offsets %zu %zu %zu %zu", o.w1, o.b1, o.w2, o.b2);

    float *p = malloc(sizeof(float) * P), *g = calloc(P, sizeof(float));
    float *ws = malloc(sizeof(float) * vc_head_workspace_floats(&s, n));
    vc_head_init(&s, 5, p);
    /* Glorot limits and zero biases */
    double l1 = sqrt(6.0 / 12), l2 = sqrt(6.0 / 8);
    int init_ok = 1;
    for (size_t i = 0; i < 35; i++) init_ok &= fabs(p[o.w1 + i]) <= l1;
    for (size_t i = 0; i < 15; i++) init_ok &= fabs(p[o.w2 + i]) <= l2;
    for (int i = 0; i < 5; i++) init_ok &= p[o.b1 + i] == 0.0f;
    CHECK(init_ok, "Glorot init out of range or biases not zero");
    /* non-zero biases so their gradients are exercised */
    struct vc_rng r;
    vc_rng_seed(&r, 9, 9, 9);
    for (int i = 0; i < 5; i++) p[o.b1 + i] = (float)vc_rng_range(&r, 0.05, 0.3);
    for (int i = 0; i < 3; i++) p[o.b2 + i] = (float)vc_rng_range(&r, -0.2, 0.2);
    float x[4 * 7];
    for (int i = 0; i < n * 7; i++) x[i] = (float)vc_rng_range(&r, -1, 1);
    int32_t y[4] = { 0, 2, 1, 2 };
    float mask[4 * 5];
    for (int i = 0; i < n; i++) vc_head_dropout_mask(5, 0.5, 1, 0, (uint64_t)i, mask + 5 * i);

    double loss = 0.0;
    int64_t hits = 0;
    vc_head_train_batch(&s, p, x, y, n, mask, 1.0f / n, g, &loss, &hits, ws);
    /* central differences in float with a step large enough for float resolution */
    double worst = 0.0;
    int checked = 0;
    for (size_t i = 0; i < P; i++) {
        float keep = p[i];
        const float h = 1e-2f;
        p[i] = keep + h;
        double lp = batch_loss(&s, p, x, y, n, mask, ws);
        p[i] = keep - h;
        double lm = batch_loss(&s, p, x, y, n, mask, ws);
        p[i] = keep;
        double fd = (lp - lm) / (2.0 * h);
        double err = fabs(fd - g[i]) / (fabs(fd) + fabs(g[i]) + 1e-3);
        if (err > worst) worst = err;
        checked++;
    }
    printf("gradient check: %d parameters, worst relative error %.2e (dropout on)\n", checked, worst);
    CHECK(worst < 1e-3, "analytic vs finite-difference gradient: worst relative error %.3g", worst);

    /* predict equals the training forward with mask of ones */
    {
        float probs[4 * 3], ones[4 * 5];
        for (int i = 0; i < 20; i++) ones[i] = 1.0f;
        vc_head_predict(&s, p, x, n, probs, ws);
        double a = batch_loss(&s, p, x, y, n, ones, ws), b = 0;
        for (int i = 0; i < n; i++) b += -log(probs[3 * i + y[i]]);
        CHECK(fabs(a - b / n) < 1e-6, "predict vs train forward: %g vs %g", a, b / n);
        for (int i = 0; i < n; i++)
            CHECK(fabs(probs[3 * i] + probs[3 * i + 1] + probs[3 * i + 2] - 1.0) < 1e-6, "softmax row %d does not sum to 1", i);
    }

    /* Keras legacy SGD: v = m v - lr/(1 + decay t) g; p += v */
    {
        float w[2] = { 1.0f, -2.0f }, gr[2] = { 0.5f, -0.25f }, v[2] = { 0, 0 };
        vc_sgd_step(w, gr, v, 2, 0.1, 0.9, 0.5, 0);
        /* t=0: lr_t = 0.1; v = (-0.05, 0.025); w = (0.95, -1.975) */
        CHECK(fabs(w[0] - 0.95) < 1e-7 && fabs(w[1] + 1.975) < 1e-7, "step 1: %.8f %.8f", w[0], w[1]);
        vc_sgd_step(w, gr, v, 2, 0.1, 0.9, 0.5, 1);
        /* t=1: lr_t = 0.1/1.5; v = 0.9*(-0.05) - 0.0666667*0.5 = -0.0783333; w = 0.8716667 */
        CHECK(fabs(w[0] - 0.87166667) < 1e-6 && fabs(v[0] + 0.07833333) < 1e-6, "step 2: w %.8f v %.8f", w[0], v[0]);
        CHECK(fabs(w[1] + 1.93583333) < 1e-6, "step 2: w1 %.8f", w[1]);
    }
    /* dropout: values 0 or 2, about half kept, keyed (same key -> same mask) */
    {
        float m1[4096], m2[4096];
        vc_head_dropout_mask(4096, 0.5, 3, 7, 11, m1);
        vc_head_dropout_mask(4096, 0.5, 3, 7, 11, m2);
        int kept = 0, valid = 1;
        for (int i = 0; i < 4096; i++) {
            kept += m1[i] != 0.0f;
            valid &= m1[i] == 0.0f || m1[i] == 2.0f;
        }
        CHECK(valid, "mask values must be 0 or 1/(1-rate)");
        CHECK(kept > 1900 && kept < 2200, "kept %d of 4096 at rate 0.5", kept);
        CHECK(memcmp(m1, m2, sizeof m1) == 0, "same key, different masks");
        vc_head_dropout_mask(4096, 0.5, 3, 8, 11, m2);
        CHECK(memcmp(m1, m2, sizeof m1) != 0, "different epoch, same mask");
    }
    free(p);
    free(g);
    free(ws);
    return test_finish("test_head");
}
