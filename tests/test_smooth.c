/* test_smooth.c - the rolling average against a direct computation, K = 1, 3, 128,
 * shorter and longer than the video; and that K > 1 removes flicker K = 1 shows. */
#include "test_util.h"

#include <math.h>
#include "vidclass/rng.h"
#include "vidclass/smooth.h"
#include "vidclass/status.h"

static void check_window(int k, int frames, int c, struct vc_rng *r)
{
    float *p = malloc(sizeof(float) * (size_t)frames * c), mean[8];
    for (int i = 0; i < frames * c; i++) p[i] = (float)vc_rng_uniform(r);
    vc_smoother *s = NULL;
    CHECK(vc_smoother_init(k, c, &s) == VC_OK, "init");
    double worst = 0.0;
    int label_ok = 1;
    for (int i = 0; i < frames; i++) {
        int lab = vc_smoother_push(s, p + (size_t)i * c, mean);
        int lo = i - k + 1 > 0 ? i - k + 1 : 0, best = 0;
        double direct[8] = { 0 };
        for (int j = 0; j < c; j++) {
            for (int f = lo; f <= i; f++) direct[j] += p[(size_t)f * c + j];
            direct[j] /= (i - lo + 1);
            if (fabs(direct[j] - mean[j]) > worst) worst = fabs(direct[j] - mean[j]);
            if (direct[j] > direct[best]) best = j;
        }
        label_ok &= lab == best;
    }
    printf("K=%-4d frames=%-4d: max |rolling - direct| = %.2e\n", k, frames, worst);
    CHECK(worst < 1e-6, "K=%d frames=%d: error %.3g", k, frames, worst);
    CHECK(label_ok, "K=%d: argmax differs from the direct mean's", k);
    vc_smoother_free(&s);
    free(p);
}

/* Centred smoothing against the definition, brute force in double: frame i averages
 * predictions i - (K-1)/2 .. i + K/2 clipped to the video. */
static void check_centered(int k, int n, int c, struct vc_rng *r)
{
    float *p = malloc(sizeof(float) * (size_t)n * c), *conf = malloc(sizeof(float) * (size_t)n);
    int32_t *lab = malloc(sizeof(int32_t) * (size_t)n);
    for (int i = 0; i < n * c; i++) p[i] = (float)vc_rng_uniform(r);
    CHECK(vc_smooth_centered(p, n, c, k, lab, conf) == VC_OK, "vc_smooth_centered failed");
    int bad = 0;
    for (int i = 0; i < n; i++) {
        int lo = i - (k - 1) / 2 < 0 ? 0 : i - (k - 1) / 2, hi = i + k / 2 > n - 1 ? n - 1 : i + k / 2, best = 0;
        double m[16] = { 0 };
        for (int t = lo; t <= hi; t++)
            for (int j = 0; j < c; j++) m[j] += p[t * c + j];
        for (int j = 1; j < c; j++) if (m[j] > m[best]) best = j;
        if (lab[i] != best || fabs(conf[i] - m[best] / (hi - lo + 1)) > 1e-6) bad++;
    }
    CHECK(bad == 0, "centred, window %d, %d frames: %d frames differ from the definition", k, n, bad);
    free(p);
    free(conf);
    free(lab);
}

int main(void)
{
    struct vc_rng r;
    vc_rng_seed(&r, 1, 2, 3);
    check_window(1, 50, 3, &r);
    check_window(3, 50, 3, &r);
    check_window(128, 50, 3, &r);   /* window longer than the video */
    check_window(128, 1000, 5, &r); /* much shorter than the video  */
    check_centered(1, 40, 3, &r);
    check_centered(4, 40, 3, &r);
    check_centered(7, 40, 5, &r);
    check_centered(128, 40, 3, &r); /* longer than the video: every frame averages all */
    CHECK(vc_smoothing_parse("centered") == VC_SMOOTH_CENTERED && vc_smoothing_parse("trailing") == VC_SMOOTH_TRAILING &&
          vc_smoothing_parse("centred") == -1, "smoothing names");
    vc_smoother *s = NULL;
    CHECK(vc_smoother_init(0, 3, &s) == VC_ERR_INVALID_ARG, "window 0 accepted");
    /* flicker: class 0 is right on most frames, every 4th frame a confident class 1 */
    int changes[2] = { 0, 0 }, ks[2] = { 1, 16 };
    for (int w = 0; w < 2; w++) {
        vc_smoother_init(ks[w], 2, &s);
        int prev = -1;
        for (int i = 0; i < 200; i++) {
            float p[2] = { 0.7f, 0.3f };
            if (i % 4 == 3) { p[0] = 0.1f; p[1] = 0.9f; }
            int lab = vc_smoother_push(s, p, NULL);
            if (prev >= 0 && lab != prev) changes[w]++;
            prev = lab;
        }
        vc_smoother_free(&s);
    }
    printf("label changes over 200 frames: window 1: %d, window 16: %d\n", changes[0], changes[1]);
    CHECK(changes[0] > 50 && changes[1] == 0, "flicker: %d (K=1) and %d (K=16)", changes[0], changes[1]);
    vc_smoother_init(3, 2, &s);
    float a[2] = { 1, 0 }, b[2] = { 0, 1 };
    vc_smoother_push(s, a, NULL);
    vc_smoother_reset(s);
    float m[2];
    vc_smoother_push(s, b, m);
    CHECK(m[0] == 0.0f && m[1] == 1.0f, "reset kept history: %g %g", m[0], m[1]);
    vc_smoother_free(&s);
    return test_finish("test_smooth");
}
