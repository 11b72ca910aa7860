/*
 * vidclass/sink.h - where classified videos go. The per-video pipeline (vidclass/classify.h)
 * hands every video to a list of sinks, in order: begin, then (for sinks that want them)
 * every decoded frame with the smoothed label in force at it, then end with the video's
 * record (vidclass/record.h), and finish when the run ends. A new output format is one new
 * file that fills a struct vc_sink_ops.
 *
 * Built in: the results journal / HDF5 writer (src/results.c, rank 0 of vidclass-batch)
 * and the annotator (labelled copies of the videos, src/sink_annotate.c).
 *
 * Errors: a sink returns VC_OK or a VC_ERR_* code with a message. An error from begin,
 * frame or end fails that video (its record gets status 1 and the message, and the sinks
 * after it see that record); an error from finish fails the run.
 */
#ifndef VIDCLASS_SINK_H
#define VIDCLASS_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "vidclass/record.h"
#include "vidclass/video.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vc_sink_video {
    const char                 *path;        /* the input as listed                 */
    const char                 *name;        /* relative output name, unique in the run */
    const struct vc_video_info *info;        /* size, fps, duration, rotation, codec */
    const char *const          *class_names;
    int                         n_classes;
};

struct vc_sink_frame {
    int64_t     index;      /* frame number among all decoded frames                  */
    int         label;      /* smoothed label in force at this frame; -1 before the first */
    float       confidence; /* its smoothed probability                                */
    const void *av_frame;   /* the decoded frame (const AVFrame *), borrowed for the call */
};

struct vc_sink_ops {
    const char *name;
    int         wants_frames; /* 1: call frame() with every decoded frame */
    int  (*begin)(void *self, const struct vc_sink_video *v);
    int  (*frame)(void *self, const struct vc_sink_frame *f);
    int  (*end)(void *self, const struct vc_record *r); /* r->status != 0: the video failed */
    int  (*finish)(void *self);
    void (*destroy)(void *self);
};

typedef struct vc_sink vc_sink;

/** Wrap an implementation; the sink owns `self` (destroy is called by vc_sink_free). */
int vc_sink_create(const struct vc_sink_ops *ops, void *self, vc_sink **out);
void vc_sink_free(vc_sink **s);

const char *vc_sink_name(const vc_sink *s);
int vc_sink_wants_frames(const vc_sink *s);
int vc_sink_begin(vc_sink *s, const struct vc_sink_video *v);
int vc_sink_frame(vc_sink *s, const struct vc_sink_frame *f);
int vc_sink_end(vc_sink *s, const struct vc_record *r);
int vc_sink_finish(vc_sink *s);

/* ---- the annotator ---------------------------------------------------------------------- */

struct vc_annotate_params {
    const char *dir;   /* labelled copies go to DIR/<name>.labelled.mp4 (subfolders made), or ... */
    const char *file;  /* ... to this one file (single-video runs: vidclass-predict -o)  */
    int         force; /* replace existing files that are not labelled copies vidclass wrote */
    const char *const *protect; /* files never written over (model, weights; up to 4, copied), NULLs skipped */
    int         n_protect;
    const char *text;  /* what is drawn: "{label}" and "{confidence}" (2 decimals) are replaced;
                          NULL: the tutorial's "activity: {label}"                        */
    int         size;  /* font size in pixels; 0: a twelfth of the frame height          */
    const char *color; /* FFmpeg colour ("green", "0x00FF00", "white@0.8"); NULL: green  */
};

/** VC_ERR_INVALID_ARG with a message unless text (NULL: default) is one line of at most 100
 *  characters and color (NULL: default) is a colour in FFmpeg's syntax. */
int vc_annotate_style_check(const char *text, const char *color);

/** The text of one frame: format with {label} and {confidence} replaced (at most len-1 bytes). */
void vc_annotate_text(const char *format, const char *label, float confidence, char *out, size_t len);

/** A sink writing each video with its smoothed label drawn on every frame (libavfilter
 *  drawtext, H.264 MP4, same size and frame rate), atomically (temporary file + rename). */
int vc_sink_annotate(const struct vc_annotate_params *p, vc_sink **out);

#ifdef __cplusplus
}
#endif
#endif
