/* augment.c - ImageDataGenerator-equivalent random affine warp (see vidclass/augment.h). */
#include "vidclass/augment.h"

#include <math.h>
#include <string.h>

struct vc_augment_params vc_augment_default_params(void)
{
    struct vc_augment_params p = {
        /*.rotation_range     =*/ 30.0,
        /*.zoom_range         =*/ 0.15,
        /*.width_shift_range  =*/ 0.2,
        /*.height_shift_range =*/ 0.2,
        /*.shear_range        =*/ 0.15,
        /*.horizontal_flip    =*/ 1,
    };
    return p;
}

struct vc_affine vc_affine_identity(void)
{
    struct vc_affine t = { 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0 };
    return t;
}

void vc_augment_draw(const struct vc_augment_params *p, struct vc_rng *r, int rows, int cols,
                     struct vc_affine *t)
{
    *t = vc_affine_identity();
    if (p->rotation_range > 0) t->theta = vc_rng_range(r, -p->rotation_range, p->rotation_range);
    if (p->height_shift_range > 0) t->tx = vc_rng_range(r, -p->height_shift_range, p->height_shift_range) * rows;
    if (p->width_shift_range > 0) t->ty = vc_rng_range(r, -p->width_shift_range, p->width_shift_range) * cols;
    if (p->shear_range > 0) t->shear = vc_rng_range(r, -p->shear_range, p->shear_range);
    if (p->zoom_range > 0) {
        t->zx = vc_rng_range(r, 1.0 - p->zoom_range, 1.0 + p->zoom_range);
        t->zy = vc_rng_range(r, 1.0 - p->zoom_range, 1.0 + p->zoom_range);
    }
    t->flip = p->horizontal_flip && vc_rng_uniform(r) < 0.5;
}

static void mat_mul(const double a[3][3], const double b[3][3], double out[3][3])
{
    double t[3][3];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            t[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j] + a[i][2] * b[2][j];
    memcpy(out, t, sizeof t);
}

void vc_augment_apply(const struct vc_affine *t, const uint8_t *src, int rows, int cols,
                      float *dst)
{
    const double d2r = 3.14159265358979323846 / 180.0;
    double th = t->theta * d2r, sh = t->shear * d2r;
    double m[3][3] = { { cos(th), -sin(th), 0 }, { sin(th), cos(th), 0 }, { 0, 0, 1 } };
    const double shift[3][3] = { { 1, 0, t->tx }, { 0, 1, t->ty }, { 0, 0, 1 } };
    const double shear[3][3] = { { 1, -sin(sh), 0 }, { 0, cos(sh), 0 }, { 0, 0, 1 } };
    const double zoom[3][3] = { { t->zx, 0, 0 }, { 0, t->zy, 0 }, { 0, 0, 1 } };
    mat_mul(m, shift, m);
    mat_mul(m, shear, m);
    mat_mul(m, zoom, m);
    /* Keras transform_matrix_offset_center(m, rows, cols): o = size/2 + 0.5 */
    const double ox = rows / 2.0 + 0.5, oy = cols / 2.0 + 0.5;
    const double off[3][3] = { { 1, 0, ox }, { 0, 1, oy }, { 0, 0, 1 } };
    const double reset[3][3] = { { 1, 0, -ox }, { 0, 1, -oy }, { 0, 0, 1 } };
    mat_mul(off, m, m);
    mat_mul(m, reset, m);

    for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            double ir = m[0][0] * r + m[0][1] * c + m[0][2];
            double ic = m[1][0] * r + m[1][1] * c + m[1][2];
            /* mode "nearest": clamp the sample position to the image */
            if (ir < 0) ir = 0;
            if (ir > rows - 1) ir = rows - 1;
            if (ic < 0) ic = 0;
            if (ic > cols - 1) ic = cols - 1;
            int r0 = (int)floor(ir), c0 = (int)floor(ic);
            int r1 = r0 + 1 < rows ? r0 + 1 : r0, c1 = c0 + 1 < cols ? c0 + 1 : c0;
            double fr = ir - r0, fc = ic - c0;
            int oc = t->flip ? cols - 1 - c : c; /* flip_axis(cols) after the warp */
            float *o = dst + ((size_t)r * cols + oc) * 3;
            for (int ch = 0; ch < 3; ch++) {
                double v00 = src[((size_t)r0 * cols + c0) * 3 + ch], v01 = src[((size_t)r0 * cols + c1) * 3 + ch];
                double v10 = src[((size_t)r1 * cols + c0) * 3 + ch], v11 = src[((size_t)r1 * cols + c1) * 3 + ch];
                o[ch] = (float)((1 - fr) * ((1 - fc) * v00 + fc * v01) + fr * ((1 - fc) * v10 + fc * v11));
            }
        }
    }
}
