/* dispatch.c - vidclass-batch's run: rank 0 hands out videos longest first, classifies
 * between requests and records every result; the workers ask, classify and send. One
 * message per finished video: its index and its record (vidclass/record.h), the same
 * bytes rank 0 journals. See batch_internal.h and docs/design.md. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime(CLOCK_THREAD_CPUTIME_ID) */
#include "batch_internal.h"
#include "mpiutil.h"
#include "vidclass/log.h"
#include "vidclass/status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- rank 0: recording and serving ---------------------------------------------------------- */

/* Bookkeeping and progress for one finished video (already given to the results sink). */
static void count_done(struct ctx *c, int64_t index, const struct vc_record *r)
{
    c->last_label = r->label;
    c->last_conf = r->confidence;
    c->last_frames = r->n;
    c->n_done++;
    c->frames += r->n;
    c->done_bytes += c->list.sizes[index];
    if (r->status != 0) {
        c->n_failed++;
        VC_LOG_WARN("video failed: %s", r->error);
    } else if (r->label >= 0 && r->label < c->C) {
        c->per_class[r->label]++;
    }
    double now = MPI_Wtime();
    if (!c->p->quiet && now - c->t_progress >= 1.0) {
        c->t_progress = now;
        double el = now - c->t0, frac = c->total_bytes > 0 ? (double)c->done_bytes / (double)c->total_bytes : 0;
        VC_LOG_INFO("batch: %lld/%lld videos (%lld failed), %lld frames, %.1f frames/s, ETA %.0f s", (long long)c->n_done,
                    (long long)c->n_pending, (long long)c->n_failed, (long long)c->frames,
                    (double)c->frames / (el > 0 ? el : 1), frac > 0 ? el * (1 - frac) / frac : 0.0);
    }
}

/* A result that cannot be recorded stops the run: finish what is in flight, hand out
 * nothing more, fail (a rerun resumes from what was recorded). */
static void stop_run(struct ctx *c, int rc)
{
    if (c->stop_rc != VC_OK) return;
    c->stop_rc = rc;
    VC_LOG_ERR("%s; handing out no more videos", vc_last_error());
}

static int64_t pop_pending(struct ctx *c)
{
    if (c->stop_rc != VC_OK) return -1;
    return c->next_pending < c->n_pending ? c->pending[c->next_pending++] : -1;
}

/* Receive buffer for a worker's result. VIDCLASS_RESULT_LIMIT (bytes) caps it, so that the
 * out-of-memory path can be tested. */
static uint8_t *result_buffer(struct ctx *c, size_t n)
{
    const char *lim = getenv("VIDCLASS_RESULT_LIMIT");
    if (lim && n > (size_t)strtoull(lim, NULL, 10)) return NULL;
    if (n > c->rbuf_cap) {
        uint8_t *b = realloc(c->rbuf, n);
        if (!b) return NULL;
        c->rbuf = b;
        c->rbuf_cap = n;
    }
    return c->rbuf;
}

/* One worker's result: decode it, give it to the results sink, count it. */
static int receive_result(struct ctx *c, const MPI_Status *st)
{
    int n = 0;
    VC_CHECK_MPI(MPI_Get_count(st, MPI_BYTE, &n));
    c->ds.results++;
    c->ds.msgs_in++;
    c->ds.bytes_in += n;
    uint8_t *buf = n >= 8 ? result_buffer(c, (size_t)n) : NULL;
    int64_t index = -1;
    c->outstanding--;
    if (!buf) { /* take the message anyway (truncated to its index), or it would block the rank */
        int rc = MPI_Recv(&index, 8, MPI_BYTE, st->MPI_SOURCE, TAG_RESULT, c->comm, MPI_STATUS_IGNORE);
        if (rc != MPI_SUCCESS && rc != MPI_ERR_TRUNCATE) return vc_mpi_error(rc, "MPI_Recv", __func__);
        stop_run(c, vc_error(VC_ERR_NOMEM, "rank 0 cannot hold the %d-byte result of video %lld from rank %d (out of "
                             "memory): it is not recorded", n, (long long)index, st->MPI_SOURCE));
        return VC_OK;
    }
    VC_CHECK_MPI(MPI_Recv(buf, n, MPI_BYTE, st->MPI_SOURCE, TAG_RESULT, c->comm, MPI_STATUS_IGNORE));
    memcpy(&index, buf, 8);
    int rc = index >= 0 && index < c->list.n ? vc_record_decode(buf + 8, (size_t)n - 8, c->C, &c->wrec)
                                             : vc_error(VC_ERR_FORMAT, "a result for video %lld of %lld", (long long)index,
                                                        (long long)c->list.n);
    double t = vc_time_now();
    if (rc == VC_OK && c->res && c->stop_rc == VC_OK) rc = vc_sink_end(c->sinks[c->n_sinks - 1], &c->wrec);
    c->record_s += vc_time_now() - t;
    if (rc != VC_OK) stop_run(c, vc_error(rc, "cannot record the result of rank %d: %s", st->MPI_SOURCE, vc_last_error()));
    else count_done(c, index, &c->wrec);
    return VC_OK;
}

/* The calling thread's CPU time (rank 0's dispenser cost; not the decode thread's). */
static double thread_cpu_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Give worker w its next video (or -1: nothing left, it stops). */
static int answer(struct ctx *c, int w)
{
    int64_t a = pop_pending(c);
    VC_CHECK_MPI(MPI_Send(&a, 1, MPI_INT64_T, w, TAG_ASSIGN, c->comm));
    c->ds.msgs_out++;
    c->ds.bytes_out += (int64_t)sizeof a;
    if (a < 0) {
        c->active_workers--;
    } else {
        c->outstanding++;
        c->inflight[w]++;
    }
    return VC_OK;
}

/* A worker asks for its next video when it starts one (a prefetch, so it never waits for
 * rank 0 between videos). Near the end that would park a video behind another while some
 * rank runs dry: with fewer videos left than ranks, a worker that still has one in hand is
 * answered only when it reports it. */
static int take_request(struct ctx *c, int w)
{
    int dummy;
    VC_CHECK_MPI(MPI_Recv(&dummy, 1, MPI_INT, w, TAG_REQ, c->comm, MPI_STATUS_IGNORE));
    c->ds.requests++;
    c->ds.msgs_in++;
    c->ds.bytes_in += (int64_t)sizeof dummy;
    if (c->inflight[w] > 0 && c->n_pending - c->next_pending < c->size) {
        c->deferred[w] = 1;
        c->ds.deferred++;
        return VC_OK;
    }
    return answer(c, w);
}

/* Answer requests and take in results; blocking: wait for one message. */
static int serve(struct ctx *c, int blocking)
{
    while (c->active_workers > 0 || c->outstanding > 0) {
        MPI_Status st;
        int flag = 1, rc = VC_OK;
        if (blocking) VC_CHECK_MPI(MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, c->comm, &st));
        else VC_CHECK_MPI(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, c->comm, &flag, &st));
        if (!flag) return VC_OK;
        const int w = st.MPI_SOURCE;
        double cpu0 = thread_cpu_s(), wall0 = vc_time_now();
        if (w <= 0 || w >= c->size) {
            rc = vc_error(VC_ERR_MPI, "a message from rank %d of %d", w, c->size);
        } else if (st.MPI_TAG == TAG_REQ) {
            rc = take_request(c, w);
        } else if (st.MPI_TAG == TAG_RESULT) {
            rc = receive_result(c, &st);
            c->inflight[w]--;
            if (rc == VC_OK && c->deferred[w]) {
                c->deferred[w] = 0;
                rc = answer(c, w);
            }
        } else {
            rc = vc_error(VC_ERR_MPI, "unexpected message tag %d from rank %d", st.MPI_TAG, w);
        }
        c->ds.cpu_s += thread_cpu_s() - cpu0;
        c->ds.last = vc_time_now();
        c->ds.wall_s += c->ds.last - wall0;
        if (c->ds.first == 0) c->ds.first = wall0;
        if (rc != VC_OK) return rc;
        if (blocking) return VC_OK;
    }
    return VC_OK;
}

/* Between rank 0's own frame batches: serve without blocking; an MPI failure stops it. */
static void poll_serve(void *user)
{
    struct ctx *c = user;
    int rc = serve(c, 0);
    if (rc != VC_OK) stop_run(c, rc);
}

int vc_dispatch_rank0(struct ctx *c)
{
    int rc = VC_OK;
    /* every worker asks twice at once (its first video and the next, prefetched): answer
     * all of them before starting our own video, or a worker asking while we are inside a
     * frame batch would wait for that batch (seconds) */
    while (rc == VC_OK && c->ds.requests < 2 * (int64_t)(c->size - 1) && c->active_workers > 0) rc = serve(c, 1);
    while (rc == VC_OK) {
        if ((rc = serve(c, 0)) != VC_OK) break;
        int64_t a = pop_pending(c);
        if (a >= 0) {
            rc = vc_classifier_run(c->cl, c->list.paths[a], c->list.names[a], c->sinks, c->n_sinks, &c->rec, c->size > 1 ? poll_serve : NULL, c);
            if (rc == VC_OK && c->rec.status != 0 && c->res && !vc_results_has(c->res, c->list.paths[a]))
                stop_run(c, vc_error(VC_ERR_IO, "%s", c->rec.error)); /* the results sink itself failed */
            count_done(c, a, &c->rec);
        } else if (c->active_workers > 0 || c->outstanding > 0) {
            rc = serve(c, 1);
        } else {
            break;
        }
    }
    return rc != VC_OK ? rc : c->stop_rc;
}

/* ---- workers ---------------------------------------------------------------------------------- */

/* Encode [index | record] into buf[k] (grown) for sending. */
static int encode_result(struct ctx *c, int64_t index, uint8_t **buf, size_t *cap, size_t *len)
{
    *len = 8 + vc_record_encoded_size(&c->rec, c->C);
    if (*len > *cap) {
        uint8_t *b = realloc(*buf, *len);
        if (!b) return vc_error(VC_ERR_NOMEM, "out of memory for the %zu-byte result of '%s'", *len, c->rec.path);
        *buf = b;
        *cap = *len;
    }
    memcpy(*buf, &index, 8);
    vc_record_encode(&c->rec, c->C, *buf + 8);
    return VC_OK;
}

int vc_dispatch_worker(struct ctx *c)
{
    uint8_t *buf[2] = { NULL, NULL };
    size_t cap[2] = { 0, 0 }, len = 0;
    MPI_Request req = MPI_REQUEST_NULL;
    int cur = 0, dummy = 0, rc = VC_OK;
    int64_t a = -1;
    VC_CHECK_MPI(MPI_Send(&dummy, 1, MPI_INT, 0, TAG_REQ, c->comm));
    VC_CHECK_MPI(MPI_Recv(&a, 1, MPI_INT64_T, 0, TAG_ASSIGN, c->comm, MPI_STATUS_IGNORE));
    while (rc == VC_OK && a >= 0) {
        if ((rc = VC_MPI(MPI_Send(&dummy, 1, MPI_INT, 0, TAG_REQ, c->comm))) != VC_OK) break; /* prefetch */
        int vrc = vc_classifier_run(c->cl, c->list.paths[a], c->list.names[a], c->sinks, c->n_sinks, &c->rec, NULL, NULL);
        if (vrc != VC_OK) { /* a failure of this rank, not of the input: the video's error says so */
            char msg[1200];
            snprintf(msg, sizeof msg, "rank %d: %s", c->rank, vc_last_error());
            vc_record_fail(&c->rec, msg);
            c->rec.n = 0;
        }
        if ((rc = VC_MPI(MPI_Wait(&req, MPI_STATUS_IGNORE))) != VC_OK) break; /* buf[cur] is free again */
        if ((rc = encode_result(c, a, &buf[cur], &cap[cur], &len)) != VC_OK) break;
        if ((rc = VC_MPI(MPI_Isend(buf[cur], (int)len, MPI_BYTE, 0, TAG_RESULT, c->comm, &req))) != VC_OK) break;
        cur ^= 1;
        rc = VC_MPI(MPI_Recv(&a, 1, MPI_INT64_T, 0, TAG_ASSIGN, c->comm, MPI_STATUS_IGNORE));
    }
    int wrc = MPI_Wait(&req, MPI_STATUS_IGNORE);
    if (rc == VC_OK && wrc != MPI_SUCCESS) rc = vc_mpi_error(wrc, "MPI_Wait", __func__);
    free(buf[0]);
    free(buf[1]);
    return rc;
}

