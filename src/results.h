/*
 * results.h - vidclass-batch's results: a crash-safe journal while the run goes on, one
 * HDF5 results file when it ends (vidclass internal, rank 0 only, never installed).
 *
 * Why a journal: HDF5 1.10 writes its metadata in place, so a SIGKILL inside a write (or
 * a node failure) can leave an appended-to HDF5 file unreadable, losing every finished
 * video. Instead, each finished video is one self-checking record (length + CRC-32)
 * appended to OUT.journal and fdatasync'ed. A torn last record (a kill mid-write) fails
 * its check on resume and is dropped; that one video is redone. When the run ends,
 * OUT.partial is written from the previous OUT (if any) plus the journal, fsync'ed,
 * renamed over OUT, and the journal removed. So OUT is always either absent, the previous
 * complete file or the new complete file, and every finished video is in exactly one of
 * OUT and the journal (a kill between the rename and the unlink leaves videos in both: the
 * copy in OUT wins, duplicates are skipped). Layouts: docs/formats.md.
 */
#ifndef VIDCLASS_RESULTS_H
#define VIDCLASS_RESULTS_H

#include <stdint.h>

typedef struct vc_results vc_results;

/* What the results were made with; a resumed run must match. */
struct vc_results_info {
    const char *const *class_names;
    int                n_classes;
    int                window, frame_stride;
    const char        *model;      /* path, recorded as given (absolute if resolvable) */
    const char        *model_sha;  /* 64 hex digits */
};

/* One finished video. n frames: idx[n], probs[n * n_classes], label[n]. */
struct vc_video_result {
    const char    *path;
    int            status;      /* 0 ok, 1 failed (error says why) */
    const char    *error;       /* "" if none */
    int32_t        label;       /* video label, -1 if none */
    float          confidence;
    double         fps;
    int64_t        n;
    const int64_t *idx;
    const float   *probs;
    const int32_t *frame_label;
};

/* Open for a run writing `path`. With resume, videos in an existing `path` and in its
 * journal count as done (a torn journal tail is dropped with a warning); without resume
 * an existing `path` or journal is an error. Mismatching settings are VC_ERR_MISMATCH. */
int vc_results_open(const char *path, const struct vc_results_info *info, int resume, vc_results **out);

/* Number of videos already done (from the results file and the journal). */
int64_t vc_results_n_done(const vc_results *r);

/* 1 if `video_path` is already done. */
int vc_results_has(const vc_results *r, const char *video_path);

/* Append one finished video to the journal and make it durable (fdatasync). */
int vc_results_append(vc_results *r, const struct vc_video_result *v);

/* Write the complete results file (previous file + journal) atomically and remove the
 * journal. Safe to call when nothing new was appended. */
int vc_results_finish(vc_results *r);

/* Release the handle (does not finish). NULL is fine. */
void vc_results_close(vc_results *r);

#endif /* VIDCLASS_RESULTS_H */
