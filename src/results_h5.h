/*
 * results_h5.h - write the HDF5 results file (docs/formats.md "Results file") row by row
 * (vidclass internal, never installed). Every HDF5 call is checked, to the last close:
 * HDF5 writes its cached data when datasets and the file are closed, so a full disk
 * shows up there and must fail the write.
 */
#ifndef VIDCLASS_RESULTS_H5_H
#define VIDCLASS_RESULTS_H5_H

#include <hdf5.h>

#include "vidclass/record.h"

struct vc_results_info;
typedef struct vc_h5out vc_h5out;

/* Create `path` (an existing empty temporary file) with the attributes and empty datasets. */
int vc_h5out_create(const char *path, const struct vc_results_info *info, vc_h5out **out);

/* Append one video's rows. */
int vc_h5out_append(vc_h5out *o, const struct vc_record *r);

/* Append every row of a previous results file of the same settings, block by block
 * (65,536 rows per dataset at a time). */
int vc_h5out_copy(vc_h5out *o, const char *src_path);

/* Close everything; VC_OK only if every close succeeded. Frees o, sets *o = NULL. */
/* Reserve `bytes` of disk for the file being written (fallocate, size unchanged), so that
 * a full disk is found here, cleanly, and not by HDF5 at its close (libhdf5 1.10 cannot
 * recover from a failed close: it crashes at exit). */
int vc_h5out_reserve(vc_h5out *o, int64_t bytes);

int vc_h5out_close(vc_h5out **o);

/* Check a previous results file before a run builds on it: every dataset there and
 * readable, the videos' datasets of one length, the frames' of another, probabilities of
 * `classes` columns, and frame_start / n_frames describing exactly the frame rows. */
int vc_h5out_check(const char *path, int classes);

/* The paths of a results file's videos, for resume: calls add(path, user) for each. */
int vc_h5out_read_paths(const char *path, int (*add)(const char *p, void *user), void *user);

#endif
