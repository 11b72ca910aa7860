/*
 * vidclass/classify.h - classify every frame of one video: the pipeline that vidclass-batch
 * ranks, vidclass-predict and any library user run for each video.
 *
 * A decode thread fills a ring of frame batches (vidclass/video.h: the tutorial's pixels,
 * every stride-th frame) while the calling thread runs each batch through the backbone
 * (vidclass/backbone.h) and the model's head (vidclass/model.h), smooths the per-frame
 * probabilities with a rolling average of the last `window` (vidclass/smooth.h: the
 * tutorial's deque) and hands everything to the sinks (vidclass/sink.h). The video's label
 * is the argmax of the mean of all its frames' probabilities.
 *
 *     vc_classifier *c = NULL;
 *     vc_classifier_init(&params, backbone, model, &c);
 *     struct vc_record rec = { 0 };
 *     for each video: vc_classifier_run(c, path, NULL, sinks, n_sinks, &rec, NULL, NULL);
 *     vc_record_free(&rec); vc_classifier_free(&c);
 *
 * A bad input (not a video, a decode error, a sink that fails) is not an error of the run:
 * the record gets status 1 and the reason, and vc_classifier_run returns VC_OK. It returns
 * an error only when this process cannot go on (out of memory, a thread that cannot start,
 * a backbone failure). Memory: batch_size frames of image_size^2 RGB per slot (3 slots);
 * when a sink wants the decoded frames, at most `max_held_frames` of them per slot are held
 * (a slot is handed on early when it has that many), whatever the frame stride.
 */
#ifndef VIDCLASS_CLASSIFY_H
#define VIDCLASS_CLASSIFY_H

#include <stdint.h>

#include "vidclass/backbone.h"
#include "vidclass/model.h"
#include "vidclass/record.h"
#include "vidclass/sink.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vc_classify_params {
    int window;          /* rolling-average window K (128)                       */
    int frame_stride;    /* classify every s-th frame (1)                        */
    int batch_size;      /* frames per forward pass (16)                         */
    int decoder_threads; /* FFmpeg decoder threads, 0 = FFmpeg's choice          */
    enum vc_resize_mode resize;  /* how frames are resized (the model's)         */
    int max_held_frames; /* decoded frames held per slot for frame sinks (16)    */
    int smoothing;       /* enum vc_smoothing (vidclass/smooth.h): trailing (the tutorial's)
                            or centered (applied when the video is complete; frame sinks
                            see the trailing labels as frames stream)                      */
    float min_confidence; /* a frame (or video) whose smoothed maximum is below this gets
                             label -1, "unknown" (0: off)                                  */
};
struct vc_classify_params vc_classify_default_params(void);

struct vc_classifier_stats {
    double  busy_s;   /* wall time inside vc_classifier_run                      */
    double  decode_s; /* decode thread time in decoding + conversion (overlapped) */
    int64_t frames;   /* frames classified                                       */
    int64_t videos;
};

typedef struct vc_classifier vc_classifier;

/** backbone and model are borrowed and must outlive the classifier. */
int vc_classifier_init(const struct vc_classify_params *p, vc_backbone *backbone, const vc_model *model,
                       vc_classifier **out);

/**
 * Classify `path` into rec (reused between calls: arrays grow only) and give it to the
 * sinks. `name` is the video's relative output name, unique in the run (sinks that write a
 * file per video put it at DIR/<name>...); NULL: the file name of `path`. poll(user), if
 * given, is called between frame batches (rank 0 serves its workers there).
 */
int vc_classifier_run(vc_classifier *c, const char *path, const char *name, vc_sink *const *sinks, int n_sinks,
                      struct vc_record *rec, void (*poll)(void *user), void *user);

struct vc_classifier_stats vc_classifier_get_stats(const vc_classifier *c);

/* What a run classifies with (src/pipeline.c). */
struct vc_classify_spec {
    const char        *model;     /* vidclass model.h5 or a Keras model file              */
    const char        *weights;   /* base weights of a vidclass model; NULL for a Keras file */
    const char *const *classes;   /* class names in output order (required for Keras files) */
    int                n_classes;
    const char        *resize;    /* "linear" / "area" / NULL: the model's                  */
    const char        *backbone;  /* NULL: the model's                                      */
    const char        *precision; /* the backbone's products: "fp32" (NULL) or "bf16"       */
    int                lead;      /* 1 on one rank: checks the --weights SHA-256 and warns */
};

/**
 * Load the model, name its classes, decide the resize and load the backbone it needs
 * (a Keras model file's own base, or the vidclass model's --weights, checked). On
 * success *model and *backbone are owned by the caller.
 */
int vc_classify_open(const struct vc_classify_spec *s, vc_model **model, vc_backbone **backbone,
                     enum vc_resize_mode *resize);

void vc_classifier_free(vc_classifier **c);

#ifdef __cplusplus
}
#endif
#endif
