/* run_summary.h - a run's figures as one JSON object (--summary-json FILE), for pipelines:
 * counts, failures, frames/s and each rank's times. Written atomically; a rerun replaces a
 * summary it wrote, and nothing else (vidclass/fileguard.h). Format: docs/formats.md. */
#ifndef VC_RUN_SUMMARY_H
#define VC_RUN_SUMMARY_H

#include <stdint.h>

struct vc_run_rank {
    double  busy_s;   /* inside the per-video pipeline */
    double  decode_s; /* the decode thread's own time (overlapped) */
    int64_t frames;
};

struct vc_run_summary {
    const char *tool, *output;
    int64_t     listed, classified, failed, resumed, failed_in_file, frames;
    double      seconds;
    const char *const *class_names;
    const int64_t     *per_class; /* videos per smoothed label, this run */
    int                n_classes;
    const struct vc_run_rank *ranks;
    int                n_ranks;
};

/* VC_OK when path may take a summary: not one of reads, and new or a summary vidclass wrote. */
int vc_run_summary_check(const char *path, const char *const *reads, int n_reads);
int vc_run_summary_write(const char *path, const struct vc_run_summary *s);

#endif
