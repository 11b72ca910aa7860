/* batch.c - vidclass-batch's scheduler, set-up and summary: the network every rank runs,
 * the input list, resume bookkeeping (what the results already hold) and the work queue,
 * then the run (dispatch.c) and its summary. Each video is classified by src/classify.c;
 * the one record it yields (vidclass/record.h) is what a worker sends and what rank 0
 * journals (src/results.c). See vidclass/batch.h and docs/design.md. */
#define _DEFAULT_SOURCE /* realpath */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/batch.h"
#include "vidclass/backbone.h"
#include "vidclass/classify.h"
#include "vidclass/hash.h"
#include "vidclass/log.h"
#include "vidclass/model.h"
#include "vidclass/smooth.h"
#include "vidclass/status.h"
#include "h5util.h"
#include "batch_internal.h"
#include "annotate.h"
#include "mpiutil.h"
#include "run_summary.h"
#include "vidclass/summary.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


struct vc_batch_params vc_batch_default_params(void)
{
    struct vc_batch_params p;
    memset(&p, 0, sizeof p);
    p.window = 128;
    p.frame_stride = 1;
    p.batch_size = 16;
    p.resume = 1;
    p.retry_failed = 1;
    return p;
}



/* ---- setting up --------------------------------------------------------------------------- */

/* FFmpeg's own choice of decoder threads is one per core of the node, per rank: with 32
 * ranks on a 32-core node that is 1,024 threads fighting the CNN for the cores. */
static int decoder_threads(const struct ctx *c)
{
    if (c->p->decoder_threads != 0) return c->p->decoder_threads;
    MPI_Comm node;
    int local = 1;
    if (MPI_Comm_split_type(c->comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
        MPI_Comm_size(node, &local);
        MPI_Comm_free(&node);
    }
    return local > 1 ? 1 : 0;
}

/* Collective: the model, the backbone and the classifier on every rank. */
static int setup_network(struct ctx *c)
{
    const struct vc_batch_params *p = c->p;
    struct vc_classify_spec spec = { p->model,    p->weights,   p->classes,  p->n_classes,
                                     p->resize,   p->backbone,  p->precision, c->rank == 0 };
    int rc = vc_mpi_agree(c->comm, vc_classify_open(&spec, &c->model, &c->bb, &c->resize));
    if (rc == VC_OK && c->rank == 0) rc = vc_sha256_file(p->model, c->model_sha);
    rc = vc_mpi_agree(c->comm, rc);
    if (rc != VC_OK) return rc;
    c->C = vc_model_meta(c->model)->n_classes;
    struct vc_classify_params cp = vc_classify_default_params();
    cp.window = p->window;
    cp.frame_stride = p->frame_stride;
    cp.batch_size = p->batch_size;
    cp.decoder_threads = decoder_threads(c);
    cp.resize = c->resize;
    cp.smoothing = vc_smoothing_parse(p->smoothing ? p->smoothing : "trailing");
    cp.min_confidence = (float)p->min_confidence;
    rc = vc_classifier_init(&cp, c->bb, c->model, &c->cl);
    if (rc == VC_OK && (p->annotate_dir || p->annotate_file)) {
        const char *protect[2] = { p->model, p->weights };
        struct vc_annotate_params ap = { .dir = p->annotate_dir, .file = p->annotate_file, .force = p->force,
                                         .protect = protect, .n_protect = 2, .text = p->annotate_text,
                                         .size = p->annotate_size, .color = p->annotate_color };
        rc = vc_sink_annotate(&ap, &c->sinks[c->n_sinks]);
        if (rc == VC_OK) c->n_sinks++;
    }
    return vc_mpi_agree(c->comm, rc);
}

static int is_results(const char *path) { return vc_h5_file_attr_is(path, "format", "vidclass-results"); }

/* Rank 0, before any work: the results file is none of the files the run reads, and an
 * existing one is a results file that opens (resumed, or refused by vc_results_open). */
static int check_output(const struct ctx *c)
{
    const char *out = c->p->output, *own[2] = { c->p->model, c->p->weights };
    int rc = vc_output_not_input(out, "--output", own, 2);
    if (rc == VC_OK) rc = vc_output_not_input(out, "--output", (const char *const *)c->list.paths, (int)c->list.n);
    if (rc == VC_OK && access(out, F_OK) == 0 && !is_results(out) && vc_h5_is_damaged(out))
        rc = vc_error(VC_ERR_FORMAT, "--output '%s' is an HDF5 file that cannot be opened (damaged): nothing was "
                      "changed; move it away and rerun (videos still in '%s.journal' are resumed from it)", out, out);
    if (rc == VC_OK) rc = vc_output_check(out, "--output", NULL, 0, 0, is_results);
    return rc;
}

static int cmp_longest(const void *a, const void *b)
{
    const int64_t *x = a, *y = b; /* (size, index) pairs */
    if (x[0] != y[0]) return x[0] > y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1]; /* ties in path order */
}

/* Rank 0: the results file (resume: what is done), and the work queue, longest first. */
static int setup_queue(struct ctx *c, struct vc_batch_result *out)
{
    const struct vc_batch_params *p = c->p;
    int rc = VC_OK;
    if (p->output && (rc = check_output(c)) != VC_OK) return rc;
    if (p->output) {
        char mpath[PATH_MAX];
        if (!realpath(p->model, mpath)) snprintf(mpath, sizeof mpath, "%s", p->model);
        const struct vc_model_meta *meta = vc_model_meta(c->model);
        struct vc_results_info info = {
            .class_names = meta->class_names, .n_classes = c->C, .window = p->window, .frame_stride = p->frame_stride,
            .smoothing = vc_smoothing_parse(p->smoothing ? p->smoothing : "trailing"),
            .min_confidence = p->min_confidence, .min_segment = p->min_segment, .model = mpath, .model_sha = c->model_sha,
            .precision = VC_PRECISION_FP32
        };
        enum vc_precision prec = VC_PRECISION_FP32; /* parsed and checked by vc_classify_open already */
        if (p->precision && vc_precision_parse(p->precision, &prec) == VC_OK) info.precision = (int)prec;
        rc = vc_results_open(p->output, &info, p->resume, p->retry_failed, &c->res);
        if (rc == VC_OK) rc = vc_results_sink(c->res, &c->sinks[c->n_sinks]);
        if (rc == VC_OK) c->n_sinks++;
    }
    int64_t *q = rc == VC_OK ? malloc(sizeof(int64_t) * 2 * (size_t)(c->list.n ? c->list.n : 1)) : NULL;
    c->pending = rc == VC_OK ? malloc(sizeof(int64_t) * (size_t)(c->list.n ? c->list.n : 1)) : NULL;
    c->per_class = calloc((size_t)c->C, sizeof(int64_t));
    c->inflight = calloc((size_t)c->size, sizeof(int));
    c->deferred = calloc((size_t)c->size, 1);
    if (rc == VC_OK && (!q || !c->pending || !c->per_class || !c->inflight || !c->deferred)) rc = vc_error(VC_ERR_NOMEM, "out of memory for the work queue");
    for (int64_t i = 0; rc == VC_OK && i < c->list.n; i++) {
        if (c->res && vc_results_has(c->res, c->list.paths[i])) { out->n_resumed++; continue; }
        q[2 * c->n_pending] = c->list.sizes[i];
        q[2 * c->n_pending + 1] = i;
        c->n_pending++;
        c->total_bytes += c->list.sizes[i];
    }
    if (rc == VC_OK) qsort(q, (size_t)c->n_pending, 2 * sizeof(int64_t), cmp_longest);
    for (int64_t i = 0; rc == VC_OK && i < c->n_pending; i++) c->pending[i] = q[2 * i + 1];
    free(q);
    if (rc == VC_OK && !p->quiet)
        VC_LOG_INFO("batch: %lld videos listed, %lld already complete in %s, %lld to do on %d rank%s", (long long)c->list.n,
                    (long long)out->n_resumed, p->output ? p->output : "(no results file)", (long long)c->n_pending, c->size,
                    c->size > 1 ? "s" : "");
    return rc;
}

/* ---- entry point ------------------------------------------------------------------------ */

/* --summary-json (rank 0): all holds busy, frames, decode seconds per rank (NULL: unknown). A
 * summary that cannot be written is a warning: the results themselves are safe. */
static void write_summary(const struct ctx *c, const struct vc_batch_result *out, const double *all)
{
    struct vc_run_rank *ranks = calloc((size_t)c->size, sizeof *ranks);
    for (int r = 0; ranks && all && r < c->size; r++)
        ranks[r] = (struct vc_run_rank){ all[3 * r], all[3 * r + 2], (int64_t)all[3 * r + 1] };
    const struct vc_model_meta *meta = c->model ? vc_model_meta(c->model) : NULL;
    enum vc_precision prec = VC_PRECISION_FP32; /* parsed and checked by vc_classify_open already */
    if (c->p->precision) (void)vc_precision_parse(c->p->precision, &prec);
    const char *product = c->bb ? vc_backbone_product(c->bb) : "";
    struct vc_run_summary s = { "vidclass-batch", c->p->output, vc_precision_name(prec), *product ? product : NULL,
                                out->n_videos, out->n_done, out->n_failed, out->n_resumed,
                                out->n_failed_in_file, out->frames, out->seconds,
                                meta ? (const char *const *)meta->class_names : NULL, c->per_class, meta && c->per_class ? c->C : 0,
                                ranks, ranks && all ? c->size : 0, c->size > 1 ? &c->ds : NULL };
    if (vc_run_summary_write(c->p->summary_json, &s) != VC_OK) VC_LOG_WARN("--summary-json: %s", vc_last_error());
    free(ranks);
}

static void summarize(struct ctx *c, struct vc_batch_result *out)
{
    struct vc_classifier_stats s = c->cl ? vc_classifier_get_stats(c->cl) : (struct vc_classifier_stats){ 0 };
    double mine[3] = { s.busy_s, (double)s.frames, s.decode_s }, *all = NULL;
    if (c->rank == 0) all = calloc((size_t)c->size * 3, sizeof(double));
    if (VC_MPI(MPI_Gather(mine, 3, MPI_DOUBLE, all, 3, MPI_DOUBLE, 0, c->comm)) != VC_OK) VC_LOG_WARN("%s", vc_last_error());
    if (c->rank == 0) {
        *out = (struct vc_batch_result){ c->last_label, c->last_conf, c->last_frames, c->list.n, c->n_done, c->n_failed,
                                         out->n_resumed, c->res ? vc_results_n_failed(c->res) : c->n_failed, c->frames,
                                         MPI_Wtime() - c->t0 };
        if (!c->p->quiet) {
            VC_LOG_INFO("summary: %lld videos classified (%lld failed), %lld frames in %.1f s = %.1f frames/s overall",
                        (long long)c->n_done, (long long)c->n_failed, (long long)c->frames, out->seconds,
                        (double)c->frames / (out->seconds > 0 ? out->seconds : 1));
            for (int k = 0; k < c->C; k++)
                VC_LOG_INFO("  %-24s %lld videos", vc_model_meta(c->model)->class_names[k], (long long)c->per_class[k]);
            for (int r = 0; all && r < c->size; r++)
                VC_LOG_INFO("  rank %d: %.0f frames, busy %.1f s of %.1f s, %.1f frames/s while busy; decode thread %.1f s "
                            "(overlapped)", r, all[3 * r + 1], all[3 * r], out->seconds,
                            all[3 * r] > 0 ? all[3 * r + 1] / all[3 * r] : 0.0, all[3 * r + 2]);
            VC_LOG_INFO("  results journal: %lld records written in %.3f s", (long long)c->n_done, c->record_s);
            if (c->size > 1)
                VC_LOG_INFO("  rank 0 served %lld requests (%lld held back near the end) and %lld results: %.3f s CPU, "
                            "%.3f s wall", (long long)c->ds.requests, (long long)c->ds.deferred, (long long)c->ds.results,
                            c->ds.cpu_s, c->ds.wall_s);
        }
    }
    if (c->rank == 0 && c->p->summary_json) write_summary(c, out, all);
    free(all);
    if (VC_MPI(MPI_Bcast(out, (int)sizeof *out, MPI_BYTE, 0, c->comm)) != VC_OK) VC_LOG_WARN("%s", vc_last_error());
}

static void ctx_free(struct ctx *c)
{
    for (int i = 0; i < c->n_sinks; i++) vc_sink_free(&c->sinks[i]);
    vc_results_close(c->res);
    vc_classifier_free(&c->cl);
    vc_backbone_free(&c->bb);
    vc_model_free(&c->model);
    vc_record_free(&c->rec);
    vc_record_free(&c->wrec);
    vc_inputs_free(&c->list);
    free(c->pending);
    free(c->per_class);
    free(c->rbuf);
    free(c->inflight);
    free(c->deferred);
    if (c->comm != MPI_COMM_NULL) MPI_Comm_free(&c->comm);
}

static int check_params(const struct vc_batch_params *p)
{
    if (!p->model || (!p->output && !p->annotate_file) || (p->n_inputs == 0 && !p->manifest))
        return vc_error(VC_ERR_INVALID_ARG, "model, output and at least one input or a manifest are required");
    struct stat st;
    if (p->annotate_file && (p->n_inputs != 1 || p->manifest || (stat(p->inputs[0], &st) == 0 && S_ISDIR(st.st_mode))))
        return vc_error(VC_ERR_INVALID_ARG, "an annotated output file needs exactly one input video file (not a folder: "
                        "vidclass-batch --annotate-dir labels many)");
    if (p->window < 1 || p->frame_stride < 1 || p->batch_size < 1)
        return vc_error(VC_ERR_INVALID_ARG, "window, frame_stride and batch_size must be >= 1");
    if (p->smoothing && vc_smoothing_parse(p->smoothing) < 0)
        return vc_error(VC_ERR_INVALID_ARG, "smoothing must be trailing or centered, got '%s'", p->smoothing);
    if (!(p->min_confidence >= 0 && p->min_confidence <= 1) || !(p->min_segment >= 0))
        return vc_error(VC_ERR_INVALID_ARG, "min_confidence must be in [0, 1] and min_segment >= 0 (got %g and %g)",
                        p->min_confidence, p->min_segment);
    int rc = vc_annotate_style_check(p->annotate_text, p->annotate_color);
    if (rc != VC_OK) return rc;
    const char *others[4] = { p->model, p->weights, p->manifest, p->output };
    if (p->summary_json && ((rc = vc_output_not_input(p->summary_json, "--summary-json", p->inputs, p->n_inputs)) != VC_OK ||
                            (rc = vc_summary_check(p->summary_json, others, 4)) != VC_OK))
        return rc;
    if (p->annotate_file) { /* before any work: the one labelled copy may be written */
        const char *reads[3] = { p->inputs[0], p->model, p->weights };
        return vc_output_check(p->annotate_file, "the labelled copy", reads, 3, p->force, vc_annotated_file);
    }
    return VC_OK;
}

/* Collective: everything up to the first video (all ranks agree on every failure). */
static int setup(struct ctx *c, struct vc_batch_result *out)
{
    const struct vc_batch_params *p = c->p;
    int rc = vc_mpi_agree(c->comm, check_params(p));
    if (rc == VC_OK) rc = setup_network(c);
    struct vc_inputs_spec spec = { p->inputs, p->n_inputs, p->manifest, p->extensions, p->n_extensions, p->annotate_dir };
    if (rc == VC_OK && c->rank == 0) rc = vc_inputs_list(&spec, &c->list);
    if (rc == VC_OK && c->rank == 0 && p->shard_count > 0) {
        int64_t all = c->list.n;
        rc = vc_inputs_shard(&c->list, p->shard_index, p->shard_count);
        if (rc == VC_OK && !p->quiet)
            VC_LOG_INFO("shard %d/%d: %lld of %lld videos", p->shard_index, p->shard_count, (long long)c->list.n, (long long)all);
    }
    if (rc == VC_OK && c->rank == 0 && p->annotate_dir && mkdir(p->annotate_dir, 0777) != 0 && errno != EEXIST)
        rc = vc_error(VC_ERR_IO, "cannot create the annotation folder '%s': %s", p->annotate_dir, strerror(errno));
    rc = vc_mpi_agree(c->comm, rc);
    if (rc == VC_OK) rc = vc_inputs_share(c->comm, &c->list);
    if (rc == VC_OK && c->rank == 0) rc = setup_queue(c, out);
    return vc_mpi_agree(c->comm, rc);
}

int vc_batch_run(const struct vc_batch_params *p, MPI_Comm comm, struct vc_batch_result *out)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    c.p = p;
    c.last_label = -1;
    vc_h5_quiet();
    c.t0 = MPI_Wtime();
    int rc = vc_mpi_dup_returning(comm, &c.comm);
    if (rc != VC_OK) return rc;
    MPI_Comm_rank(c.comm, &c.rank);
    MPI_Comm_size(c.comm, &c.size);
    rc = setup(&c, out);
    if (rc != VC_OK) { ctx_free(&c); return rc; }
    c.active_workers = c.size - 1;
    c.t_progress = MPI_Wtime();
    rc = c.rank == 0 ? vc_dispatch_rank0(&c) : vc_dispatch_worker(&c);
    rc = vc_mpi_agree(c.comm, rc);
    /* whatever happened, every video recorded in the journal goes into the results file
     * (unless recording itself failed: then the journal is left for a rerun) */
    int frc = VC_OK;
    if (c.rank == 0 && c.res && (c.stop_rc == VC_OK || c.stop_rc == VC_ERR_NOMEM)) {
        frc = vc_sink_finish(c.sinks[c.n_sinks - 1]);
        if (frc != VC_OK) VC_LOG_ERR("%s (the journal is kept: a rerun resumes from it)", vc_last_error());
    }
    frc = vc_mpi_agree(c.comm, frc);
    if (rc == VC_OK) rc = frc;
    summarize(&c, out);
    ctx_free(&c);
    return rc;
}
