/*
 * vidclass/smooth.h - the rolling average that removes prediction flicker.
 *
 * Exactly the reference tutorial's deque: keep the last K prediction vectors; the
 * smoothed vector at frame i is the mean of predictions max(0, i-K+1) .. i, and its
 * argmax is frame i's label. K = 1 is no smoothing. Sums are kept in double with the
 * oldest vector subtracted as it leaves the window.
 */
#ifndef VIDCLASS_SMOOTH_H
#define VIDCLASS_SMOOTH_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_smoother vc_smoother;

/** K >= 1 window, C >= 1 classes. Owned by the caller (vc_smoother_free). */
int vc_smoother_init(int window, int classes, vc_smoother **out);
void vc_smoother_free(vc_smoother **s);

/** Forget all history (start of a new video). */
void vc_smoother_reset(vc_smoother *s);

/** Add one prediction (C floats); writes the smoothed mean to `mean` (C floats, may be
 *  NULL) and returns its argmax. */
int vc_smoother_push(vc_smoother *s, const float *probs, float *mean);

#ifdef __cplusplus
}
#endif
#endif
