/*
 * vidclass/augment.h - Keras ImageDataGenerator's random affine augmentation.
 *
 * Semantics of keras_preprocessing ImageDataGenerator.get_random_transform +
 * apply_affine_transform (order 1, fill_mode "nearest"):
 *   theta ~ U(-rotation_range, rotation_range) degrees
 *   tx ~ U(-height_shift_range, +) * rows   (Keras: tx moves along rows)
 *   ty ~ U(-width_shift_range, +) * cols
 *   shear ~ U(-shear_range, +) degrees
 *   zx, zy ~ U(1 - zoom_range, 1 + zoom_range), independently
 *   flip_horizontal with probability 1/2 (applied after the warp)
 * The warp maps each OUTPUT pixel (row, col) to an input coordinate
 *   M = C * R(theta) * T(tx, ty) * Shear(shear) * Z(zx, zy) * C^-1,  C = shift by (rows/2+0.5, cols/2+0.5)
 * sampled bilinearly, coordinates outside the image clamped to the edge (scipy
 * ndimage mode="nearest").
 */
#ifndef VIDCLASS_AUGMENT_H
#define VIDCLASS_AUGMENT_H

#include <stdint.h>

#include "vidclass/rng.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vc_augment_params {
    double rotation_range;     /* degrees, 30  */
    double zoom_range;         /* 0.15         */
    double width_shift_range;  /* fraction, 0.2 */
    double height_shift_range; /* fraction, 0.2 */
    double shear_range;        /* degrees, 0.15 */
    int    horizontal_flip;    /* 1            */
};
/** The reference tutorial's settings (listed above). */
struct vc_augment_params vc_augment_default_params(void);

/** One drawn transform. */
struct vc_affine {
    double theta, tx, ty, shear, zx, zy; /* degrees / pixels / factors */
    int    flip;
};

/** Identity transform. */
struct vc_affine vc_affine_identity(void);

/** Draw a transform for a rows x cols image from r (Keras's order of draws). */
void vc_augment_draw(const struct vc_augment_params *p, struct vc_rng *r, int rows, int cols,
                     struct vc_affine *t);

/** Warp src (rows x cols x 3 uint8 RGB) into dst (same size, float 0..255). */
void vc_augment_apply(const struct vc_affine *t, const uint8_t *src, int rows, int cols,
                      float *dst);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_AUGMENT_H */
