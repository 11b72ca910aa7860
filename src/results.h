/*
 * results.h - vidclass-batch's results: a crash-safe journal while the run goes on, one
 * HDF5 results file when it ends (vidclass internal, rank 0 only, never installed).
 *
 * Why a journal: HDF5 1.10 writes its metadata in place, so a SIGKILL inside a write (or
 * a node failure) can leave an appended-to HDF5 file unreadable, losing every finished
 * video. Instead, each finished video is one self-checking record (journal.h: length +
 * CRC-32; the payload is the vidclass/record.h encoding, the same bytes a worker rank
 * sends) appended to OUT.journal and fdatasync'ed. A damaged record (a kill mid-write, a
 * flipped bit) fails its check on resume and is skipped, the reader resynchronising on the
 * next valid one; only its video is redone. The journal is not read again until the run
 * ends: then a temporary file next to OUT is written from the previous OUT (if any,
 * copied block by block) plus the journal (streamed one record at a time: memory is
 * bounded by the largest single video's record, plus 65,536 rows per dataset for the
 * copy), every HDF5 close checked, fsync'ed, renamed over OUT, and the journal removed.
 * If anything fails (a full disk), the temporary file is deleted and OUT and the journal
 * stay as they were: a rerun finishes from them. So OUT is always either absent, the
 * previous complete file or the new complete file, and every finished video is in OUT or
 * the journal (a kill between the rename and the unlink leaves videos in both: the copy in
 * OUT wins, duplicates are skipped). Layouts: docs/formats.md.
 */
#ifndef VIDCLASS_RESULTS_H
#define VIDCLASS_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "vidclass/record.h"

typedef struct vc_results vc_results;

/* What the results were made with; a resumed run must match. */
struct vc_results_info {
    const char *const *class_names;
    int                n_classes;
    int                window, frame_stride;
    int                smoothing;      /* enum vc_smoothing */
    double             min_confidence; /* 0: off */
    double             min_segment;    /* seconds, 0: off */
    int                precision;      /* enum vc_precision of the backbone's products (fp32: 0) */
    const char        *model;      /* path, recorded as given (absolute if resolvable) */
    const char        *model_sha;  /* 64 hex digits */
};

/* Open for a run writing `path`. With resume, videos in an existing `path` and in its
 * journal count as done (a torn journal tail is dropped with a warning); without resume
 * an existing `path` or journal is an error. Mismatching settings are VC_ERR_MISMATCH. */
int vc_results_open(const char *path, const struct vc_results_info *info, int resume, int retry_failed,
                    vc_results **out);

/* Videos with status 1 in the results file as last written by vc_results_finish. */
int64_t vc_results_n_failed(const vc_results *r);

/* Number of videos already done (from the results file and the journal). */
int64_t vc_results_n_done(const vc_results *r);

/* 1 if `video_path` is already done. */
int vc_results_has(const vc_results *r, const char *video_path);

/* Append one finished video to the journal and make it durable (fdatasync). */
int vc_results_append(vc_results *r, const struct vc_record *v);

/* The same for a video already encoded (vc_record_encode: a worker's message), whose
 * path is given. */
int vc_results_append_encoded(vc_results *r, const uint8_t *payload, size_t len, const char *path);

/* Write the complete results file (previous file + journal) atomically and remove the
 * journal. Safe to call when nothing new was appended. On failure OUT and the journal
 * are as they were. */
int vc_results_finish(vc_results *r);

/* The results as a sink (vidclass/sink.h): end() appends the video to the journal,
 * finish() is vc_results_finish. r stays owned by the caller and must outlive the sink. */
struct vc_sink;
int vc_results_sink(vc_results *r, struct vc_sink **out);

/* Release the handle (does not finish). NULL is fine. */
void vc_results_close(vc_results *r);

#endif /* VIDCLASS_RESULTS_H */
