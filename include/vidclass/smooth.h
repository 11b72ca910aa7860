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

#include <stdint.h>

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

/** How a video's per-frame predictions are smoothed. */
enum vc_smoothing {
    VC_SMOOTH_TRAILING = 0, /* the tutorial's: the window ends at the frame (live; boundaries late by ~K/2) */
    VC_SMOOTH_CENTERED = 1, /* offline: the window is centred on the frame (boundaries in place) */
};

/** "trailing" / "centered" -> the mode; -1 for anything else. */
int vc_smoothing_parse(const char *name);
const char *vc_smoothing_name(int mode);

/**
 * Centred smoothing of a whole video's n predictions [n, C]: frame i's label is the
 * argmax of the mean of predictions i - (K-1)/2 .. i + K/2 (integer division; clipped at
 * the video's ends, where fewer are averaged); label[i] and conf[i] (its mean
 * probability) are written. Sums in double, O(n C) time, O(C) memory.
 */
int vc_smooth_centered(const float *probs, int64_t n, int classes, int window, int32_t *label, float *conf);

#ifdef __cplusplus
}
#endif
#endif
