/* test_augment.c - the ImageDataGenerator warp on cases with exact answers: identity,
 * flip, integer shifts with edge replication, a 90-degree rotation about Keras's centre
 * (rows/2 + 0.5), zoom; and that draws stay in the configured ranges. */
#include "test_util.h"
#include "vidclass/augment.h"

#define N 9 /* odd: Keras's centre 9/2 + 0.5 = 5 is a pixel, so rotations land on pixels */

static uint8_t src[N * N * 3];

static float at(const float *img, int r, int c, int ch) { return img[((size_t)r * N + c) * 3 + ch]; }
static float sv(int r, int c, int ch) { return src[((size_t)r * N + c) * 3 + ch]; }
static int clampi(int v) { return v < 0 ? 0 : v > N - 1 ? N - 1 : v; }

int main(void)
{
    for (int i = 0; i < N * N * 3; i++) src[i] = (uint8_t)((i * 37 + 11) % 251);
    float out[N * N * 3];
    struct vc_affine t = vc_affine_identity();
    vc_augment_apply(&t, src, N, N, out);
    int ok = 1;
    for (int i = 0; i < N * N * 3; i++) ok &= out[i] == src[i];
    CHECK(ok, "identity changed the image");

    t.flip = 1;
    vc_augment_apply(&t, src, N, N, out);
    ok = 1;
    for (int r = 0; r < N; r++) for (int c = 0; c < N; c++) for (int ch = 0; ch < 3; ch++)
        ok &= at(out, r, N - 1 - c, ch) == sv(r, c, ch);
    CHECK(ok, "horizontal flip");

    t = vc_affine_identity();
    t.tx = 3; /* rows */
    t.ty = -2; /* cols */
    vc_augment_apply(&t, src, N, N, out);
    ok = 1;
    for (int r = 0; r < N; r++) for (int c = 0; c < N; c++) for (int ch = 0; ch < 3; ch++)
        ok &= at(out, r, c, ch) == sv(clampi(r + 3), clampi(c - 2), ch);
    CHECK(ok, "shift (tx rows, ty cols) with nearest-edge fill");

    t = vc_affine_identity();
    t.theta = 90;
    vc_augment_apply(&t, src, N, N, out);
    /* input = R(90) (out - o) + o, o = (5, 5): in_r = o - (c - o), in_c = r - o + o */
    ok = 1;
    for (int r = 0; r < N; r++) for (int c = 0; c < N; c++) for (int ch = 0; ch < 3; ch++) {
        int ir = clampi(5 - (c - 5)), ic = clampi(r);
        ok &= fabsf(at(out, r, c, ch) - sv(ir, ic, ch)) < 1e-3f;
    }
    CHECK(ok, "rotation by 90 degrees about (rows/2+0.5, cols/2+0.5)");

    t = vc_affine_identity();
    t.zx = 2.0; /* rows: in_r = 2 (r - 5) + 5 */
    vc_augment_apply(&t, src, N, N, out);
    ok = 1;
    for (int r = 0; r < N; r++) for (int c = 0; c < N; c++)
        ok &= at(out, r, c, 0) == sv(clampi(2 * (r - 5) + 5), c, 0);
    CHECK(ok, "zoom zx = 2 along rows");

    t = vc_affine_identity();
    t.tx = 0.5; /* half a pixel: bilinear average of neighbouring rows */
    vc_augment_apply(&t, src, N, N, out);
    CHECK(fabsf(at(out, 2, 4, 1) - 0.5f * (sv(2, 4, 1) + sv(3, 4, 1))) < 1e-4f, "bilinear interpolation");

    struct vc_augment_params ap = vc_augment_default_params();
    struct vc_rng rng;
    vc_rng_seed(&rng, 1, 2, 3);
    int flips = 0, in_range = 1;
    for (int i = 0; i < 2000; i++) {
        vc_augment_draw(&ap, &rng, 224, 224, &t);
        in_range &= fabs(t.theta) <= 30 && fabs(t.tx) <= 0.2 * 224 && fabs(t.ty) <= 0.2 * 224 &&
                    fabs(t.shear) <= 0.15 && t.zx >= 0.85 && t.zx <= 1.15 && t.zy >= 0.85 && t.zy <= 1.15;
        flips += t.flip;
    }
    CHECK(in_range, "a draw fell outside the configured ranges");
    CHECK(flips > 900 && flips < 1100, "flips %d of 2000", flips);
    return test_finish("test_augment");
}
