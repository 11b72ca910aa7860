/*
 * vidclass/resultsfile.h - what can be done with a finished results file of vidclass-batch
 * (docs/formats.md "Results file"): a summary, exports as CSV or JSON lines, and merging
 * the files of separate runs (Slurm array tasks, shards) into one. The vidclass-results
 * tool is a thin wrapper over these.
 *
 * Exports (docs/formats.md "Exports"): one row per video, per classified frame or per
 * segment; CSV with a header row (RFC 4180 quoting, readable by Python's csv module and
 * pandas.read_csv), or JSON lines (one object per row). Numbers are written so that they
 * read back to the same float32/float64 values; label -1 is written "unknown".
 */
#ifndef VIDCLASS_RESULTSFILE_H
#define VIDCLASS_RESULTSFILE_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vc_results_table { VC_TABLE_VIDEOS, VC_TABLE_FRAMES, VC_TABLE_SEGMENTS };
enum vc_results_format { VC_EXPORT_CSV, VC_EXPORT_JSON };

/** "videos"/"frames"/"segments" and "csv"/"json" -> the enums; -1 for anything else. */
int vc_results_table_parse(const char *name);
int vc_results_format_parse(const char *name);

/** Write one table of the results file `path` to out. */
int vc_results_export(const char *path, int table, int format, FILE *out);

struct vc_results_counts {
    int64_t videos, failed, frames, segments;
};

/** The per-video table, the videos per class and the failures with their reasons, as
 *  text for people; counts (may be NULL) filled. */
int vc_results_summary(const char *path, FILE *out, struct vc_results_counts *counts);

/**
 * Merge results files made with the same model and settings into `output` (written
 * atomically; an existing output must be a results file, or force). A video (by path)
 * in more than one input is an error (VC_ERR_MISMATCH naming it) unless dedupe, when the
 * first input's row is kept. *n_videos (may be NULL) gets the videos written.
 */
int vc_results_merge(const char *const *inputs, int n_inputs, const char *output, int dedupe, int force,
                     int64_t *n_videos);

#ifdef __cplusplus
}
#endif
#endif
