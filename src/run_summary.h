/* run_summary.h - vidclass-batch's run as one JSON object (--summary-json FILE), for
 * pipelines: counts, failures, frames/s, videos per class and each rank's times, in the
 * form of vidclass/summary.h (same mark, same atomic write). Format: docs/formats.md. */
#ifndef VC_RUN_SUMMARY_H
#define VC_RUN_SUMMARY_H

#include <stdint.h>

struct vc_run_rank {
    double  busy_s;   /* inside the per-video pipeline */
    double  decode_s; /* the decode thread's own time (overlapped) */
    int64_t frames;
};

/* Rank 0's dispenser: the messages it handled and what handling them cost it (its thread
 * CPU time and wall time, the results journal's write included; waiting excluded). */
struct vc_run_dispatch {
    int64_t requests, deferred, results, msgs_in, msgs_out, bytes_in, bytes_out;
    double  cpu_s, wall_s;
    double  first, last; /* vc_time_now() of the first and the last message handled */
};

struct vc_run_summary {
    const char *tool, *output;
    const char *precision, *product; /* the network's products (rank 0's); NULL: not written */
    int64_t     listed, classified, failed, resumed, failed_in_file, frames;
    double      seconds;
    const char *const *class_names;
    const int64_t     *per_class; /* videos per smoothed label, this run */
    int                n_classes;
    const struct vc_run_rank *ranks;
    int                n_ranks;
    const struct vc_run_dispatch *dispatch; /* NULL: a single rank */
};

/* vidclass-batch's summary (the other tools use vidclass/summary.h's flat form; the checks
 * before a run are vc_summary_check's). */
int vc_run_summary_write(const char *path, const struct vc_run_summary *s);

#endif
