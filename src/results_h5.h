/*
 * results_h5.h - the HDF5 results file (docs/formats.md "Results file"), written row by
 * row and read video by video (vidclass internal, never installed). Every HDF5 call is
 * checked, to the last close. Files of format 1 (no times, smoothed confidences,
 * durations, segments or path bytes) are read too: times come from the frame numbers and
 * the average rate, confidences from the probabilities again.
 */
#ifndef VIDCLASS_RESULTS_H5_H
#define VIDCLASS_RESULTS_H5_H

#include <hdf5.h>

#include "vidclass/record.h"

struct vc_results_info;

/* ---- writing ---- */
typedef struct vc_h5out vc_h5out;

/* Create `path` (an existing empty temporary file) with the attributes and empty datasets. */
int vc_h5out_create(const char *path, const struct vc_results_info *info, vc_h5out **out);

/* Append one video's rows: /videos, /frames, and its segments (info->min_segment). */
int vc_h5out_append(vc_h5out *o, const struct vc_record *r);

/* Append every video of a previous results file (checked first), one at a time, except
 * those for which skip(path, user) says 1 (skip may be NULL). Settings are the caller's
 * to compare. */
int vc_h5out_copy(vc_h5out *o, const char *src_path, int (*skip)(const char *path, void *user), void *user);

/* Videos with status != 0 appended so far. */
int64_t vc_h5out_n_failed(const vc_h5out *o);

/* Reserve `bytes` of disk for the file being written (vc_h5_reserve): a full disk is found
 * here, cleanly, and not by HDF5 at its writes. */
int vc_h5out_reserve(vc_h5out *o, int64_t bytes);

/* Close everything; VC_OK only if every close succeeded (then the reservation's unused
 * blocks are given back). discard: the caller failed and removes the file, which is left
 * empty (see vc_h5_close_written). Frees o, sets *o = NULL. */
int vc_h5out_close(vc_h5out **o, int discard);

/* A path as valid UTF-8 (malloc'ed): each byte that is not part of a valid UTF-8 sequence
 * becomes the four characters \xHH. NULL when out of memory. */
char *vc_utf8_form(const char *s);

/* ---- checking and reading ---- */

typedef struct vc_h5in vc_h5in;

/* Open a results file for reading, checked: every dataset there and readable, each group's
 * datasets of one length, probabilities of the class count's columns, frame_start /
 * n_frames describing exactly the frame rows. */
int vc_h5in_open(const char *path, vc_h5in **out);
int64_t vc_h5in_videos(const vc_h5in *in);
/* What the file was made with (borrowed from in). */
const struct vc_results_info *vc_h5in_info(const vc_h5in *in);
/* Video v (0-based row of /videos) with all its frames into r (reused). */
int vc_h5in_read(vc_h5in *in, int64_t v, struct vc_record *r);
void vc_h5in_close(vc_h5in **in);

/* The paths and statuses of the file's videos, for resume: add(path, status, user). */
int vc_h5in_read_paths(vc_h5in *in, int (*add)(const char *p, int status, void *user), void *user);

#endif
