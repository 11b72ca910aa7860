/*
 * vidclass/resize.h - resize interleaved 8-bit RGB images to the network's input size.
 *
 * Two modes, the same for packed images and video frames:
 *   linear (default): exactly what OpenCV 4.x's cv2.resize(img, (w, h)) computes for an
 *          8-bit image with INTER_LINEAR, bit for bit: half-pixel centres, 2x2 taps,
 *          11-bit fixed-point weights, OpenCV's rounding (including the SIMD rounding it
 *          uses for most of each row) and its exact 2:1 shrink as a 2x2 mean. It does no
 *          area averaging, so a large frame shrunk to 224x224 aliases, as the reference
 *          tutorial's pixels do (train.py and predict_video.py call cv2.resize).
 *   area:  box filter: each output pixel is the mean of the source area it covers
 *          (fractional edge weights), rounded to nearest. Smoother on strong shrinks.
 * The mode a model was trained with is recorded in it (vidclass/model.h) and used again
 * at inference by default.
 *
 *     vc_resizer *r = NULL;
 *     if (vc_resizer_init(1920, 1080, 224, 224, 3, VC_RESIZE_LINEAR, &r) != VC_OK) ...
 *     vc_resizer_run(r, src, src_stride, dst);   // dst: 224 * 224 * 3 bytes
 *     vc_resizer_free(&r);
 *
 * A resizer holds only its tables and two rows of scratch: reuse it for every frame of
 * one size; not thread-safe (one per thread).
 */
#ifndef VIDCLASS_RESIZE_H
#define VIDCLASS_RESIZE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vc_resize_mode {
    VC_RESIZE_LINEAR = 0, /* cv2.resize INTER_LINEAR, bit-exact */
    VC_RESIZE_AREA   = 1, /* box filter                         */
};

/** Parse "linear" / "area". VC_ERR_INVALID_ARG with a message naming both otherwise. */
int vc_resize_parse(const char *name, enum vc_resize_mode *mode);

/** "linear" or "area". */
const char *vc_resize_name(enum vc_resize_mode mode);

typedef struct vc_resizer vc_resizer;

/** Tables for sw x sh -> dw x dh with cn interleaved channels (1..4). Owned by the caller. */
int vc_resizer_init(int sw, int sh, int dw, int dh, int cn, enum vc_resize_mode mode,
                    vc_resizer **out);

/** 1 if r was made for exactly these sizes and mode (so it can be reused). NULL: 0. */
int vc_resizer_matches(const vc_resizer *r, int sw, int sh, int dw, int dh, int cn,
                       enum vc_resize_mode mode);

/** src: sh rows of sw*cn bytes, `stride` bytes apart; dst: dh rows of dw*cn bytes, packed. */
void vc_resizer_run(vc_resizer *r, const uint8_t *src, ptrdiff_t stride, uint8_t *dst);

void vc_resizer_free(vc_resizer **r);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_RESIZE_H */
