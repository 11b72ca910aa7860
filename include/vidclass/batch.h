/*
 * vidclass/batch.h - classify every frame of many videos across MPI ranks.
 *
 * Collective over `comm`. Rank 0 lists the inputs, hands out videos longest first (by file
 * size) to ranks that ask, receives their results and records each finished video in a
 * journal on disk at once (fdatasync), and writes ONE HDF5 results file from it when the
 * run ends (temporary file + rename; src/results.h); it also classifies videos
 * itself between serving requests, so one rank works alone. Each rank decodes on a
 * separate thread into a bounded queue of frame batches while the main thread runs
 * ResNet50 + the head on the previous batch. Per video: per-frame softmax, rolling
 * average over the last `window` predictions (vidclass/smooth.h) for the per-frame label,
 * and the argmax of the mean of all frames' probabilities for the video label.
 * A bad input (unreadable, not a video, no video stream, decode error) is recorded with
 * status 1 and its error; the run goes on. With annotate_dir, each video is also written
 * there with its smoothed label drawn on every frame (libavfilter drawtext, H.264 MP4,
 * same size and frame rate). With resume, videos already in the results
 * file or its journal are not processed again. Layout: docs/formats.md "Results file"; design and message
 * costs: docs/design.md.
 */
#ifndef VIDCLASS_BATCH_H
#define VIDCLASS_BATCH_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vc_batch_params {
    const char        *model;           /* vidclass-train model.h5, or a Keras model file (vidclass/model.h) */
    const char        *weights;         /* base weights; must match the model's SHA-256; NULL for a Keras model file */
    const char *const *classes;         /* class names in the model's label order (required for a Keras model file) */
    int                n_classes;
    const char        *resize;          /* "linear" or "area"; NULL: the one the model was trained with */
    const char        *backbone;        /* NULL: the model's; "null" for scheduler tests (vidclass/backbone.h) */
    const char        *precision;       /* the backbone's products: "fp32" (NULL) or "bf16" (vidclass/gemm.h) */
    const char        *output;          /* results HDF5 (NULL: none, e.g. vidclass-predict) */
    const char *const *inputs;          /* video files and/or directories (recursive)   */
    int                n_inputs;
    const char        *manifest;        /* file with one path per line, or NULL         */
    const char *const *extensions;      /* directory scan filter (NULL: common video)   */
    int                n_extensions;
    int                window;          /* smoothing window K (128)                     */
    const char        *smoothing;       /* "trailing" (the tutorial's) or "centered"; NULL: trailing */
    double             min_confidence;  /* frames/videos/segments below: label -1 "unknown" (0: off) */
    double             min_segment;     /* seconds: shorter segments merge into a neighbour (0: off) */
    int                retry_failed;    /* resume: classify videos that failed before again (1) */
    int                shard_index;     /* with shard_count > 0: this run takes shard shard_index */
    int                shard_count;     /* (0-based) of shard_count of the listed videos (vc_inputs_shard) */
    int                frame_stride;    /* classify every s-th frame (1)                */
    int                batch_size;      /* frames per forward pass (16)                 */
    int                decoder_threads; /* 0: FFmpeg's choice alone on a node, else 1  */
    int                resume;          /* skip videos already in the results (1)      */
    const char        *annotate_dir;    /* write labelled copies of the videos here (MP4, H.264); NULL: off */
    const char        *annotate_file;   /* single-video runs: the labelled copy's file name instead */
    const char        *annotate_text;   /* drawn text, {label} and {confidence} replaced; NULL: "activity: {label}" */
    int                annotate_size;   /* font size in pixels, 0: a twelfth of the frame height */
    const char        *annotate_color;  /* FFmpeg colour syntax; NULL: green */
    int                quiet;
    int                force;           /* replace annotated outputs vidclass did not write */
    const char        *summary_json;    /* also write the run's figures here as JSON (NULL: off) */
};
struct vc_batch_params vc_batch_default_params(void);

struct vc_batch_result {
    int32_t last_label;      /* single-video runs: the video label (-1 if failed)    */
    float   last_confidence;
    int64_t last_frames;
    int64_t n_videos;   /* listed                                 */
    int64_t n_done;     /* processed in this run                  */
    int64_t n_failed;   /* of those, recorded with status 1       */
    int64_t n_resumed;  /* already complete in the results file   */
    int64_t n_failed_in_file; /* videos with status 1 in the results file when it was written */
    int64_t frames;     /* frames classified in this run          */
    double  seconds;
};

/** Collective. VC_OK when the run completed (some videos may have failed: n_failed). */
int vc_batch_run(const struct vc_batch_params *p, MPI_Comm comm, struct vc_batch_result *r);

#ifdef __cplusplus
}
#endif
#endif
