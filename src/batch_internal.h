/*
 * batch_internal.h - vidclass-batch's run state, shared by its two halves (vidclass
 * internal): batch.c sets a run up (model, backbone, classifier, inputs, the work queue)
 * and sums it up; dispatch.c runs it (rank 0's dispenser and recorder, the workers' loop,
 * the MPI messages between them).
 */
#ifndef VIDCLASS_BATCH_INTERNAL_H
#define VIDCLASS_BATCH_INTERNAL_H

#include "vidclass/backbone.h"
#include "vidclass/batch.h"
#include "vidclass/classify.h"
#include "vidclass/model.h"
#include "vidclass/record.h"
#include "vidclass/sink.h"
#include "inputs.h"
#include "results.h"
#include "run_summary.h"

#include <mpi.h>
#include <stdint.h>

#define TAG_REQ    11 /* worker -> 0: give me a video                               */
#define TAG_ASSIGN 12 /* 0 -> worker: video index, or -1 for "none"                 */
#define TAG_RESULT 13 /* worker -> 0: video index (int64) + its encoded record      */

struct ctx {
    const struct vc_batch_params *p;
    MPI_Comm          comm;
    int               rank, size, C;
    vc_backbone      *bb;
    vc_model         *model;
    vc_classifier    *cl;
    vc_sink          *sinks[2]; /* annotator (any rank), results (rank 0), in this order */
    int               n_sinks;
    struct vc_inputs  list;
    struct vc_record  rec, wrec; /* this rank's video; rank 0: a worker's, received */
    enum vc_resize_mode resize;
    char              model_sha[65];
    /* rank 0 */
    vc_results       *res;
    int64_t          *pending, n_pending, next_pending;
    int64_t           outstanding, done_bytes, total_bytes;
    int               active_workers, stop_rc;
    int64_t           n_done, n_failed, frames, *per_class;
    double            t0, t_progress, record_s;
    uint8_t          *rbuf;
    size_t            rbuf_cap;
    int              *inflight;  /* per rank: videos handed out and not yet reported      */
    uint8_t          *deferred;  /* per rank: a prefetch request held back near the end   */
    struct vc_run_dispatch ds;
    int32_t           last_label;
    float             last_conf;
    int64_t           last_frames;
};

/* Rank 0: hand out the queue (and classify between requests) until every video is done;
 * workers: ask, classify, send, until told there is nothing left. */
int vc_dispatch_rank0(struct ctx *c);
int vc_dispatch_worker(struct ctx *c);

#endif
