/* results.c - crash-safe results of vidclass-batch: journal during the run, one HDF5
 * file at the end (see results.h; layouts in docs/formats.md). */
#define _DEFAULT_SOURCE /* truncate */
#define _POSIX_C_SOURCE 200809L
#include "results.h"

#include "fsutil.h"
#include "h5util.h"
#include "journal.h"
#include "pathset.h"
#include "results_h5.h"
#include "vidclass/gemm.h"
#include "vidclass/smooth.h"
#include "vidclass/log.h"
#include "vidclass/sink.h"
#include "vidclass/status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define IN_FILE    1 /* pathset values: the video is in the previous results file */
#define IN_JOURNAL 0 /*                   ... or in the journal                     */

struct vc_results {
    char  *path, *jpath;
    char **class_names;
    int    C, window, stride, smoothing, retry_failed, precision;
    double min_confidence, min_segment;
    char   settings[160]; /* smoothing, min_confidence, min_segment as the journal header keeps them */
    char  *model, sha[65];
    int64_t n_failed;  /* in the results file as last written */
    int    have_file; /* a previous complete results file exists */
    int    fd;        /* journal, open for appending */
    struct vc_pathset done;
    int64_t  n_new;   /* videos in the journal and not in the previous file */
    uint8_t *enc;     /* encoding buffer of vc_results_append */
    size_t   enc_cap;
};

/* ---- the journal header: what the results are made with --------------------------------- */

/* The settings that must match to add to a results file, as one string (the journal keeps
 * it verbatim). The precision appears only when it is not fp32, so journals and files of
 * earlier versions (all fp32) keep matching fp32 runs. */
static void settings_string(char *out, size_t cap, const struct vc_results_info *info)
{
    int n = snprintf(out, cap, "smoothing=%s min_confidence=%g min_segment=%g", vc_smoothing_name(info->smoothing),
                     info->min_confidence, info->min_segment);
    if (info->precision != VC_PRECISION_FP32 && n > 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, " precision=%s", vc_precision_name((enum vc_precision)info->precision));
}

static void put_str(uint8_t *b, size_t *n, const char *s)
{
    uint32_t len = (uint32_t)strlen(s);
    memcpy(b + *n, &len, 4);
    memcpy(b + *n + 4, s, len);
    *n += 4 + len;
}

static int write_head(vc_results *r)
{
    size_t cap = 4096 + strlen(r->model), n = 0;
    for (int i = 0; i < r->C; i++) cap += 4 + strlen(r->class_names[i]);
    uint8_t *b = malloc(cap);
    if (!b) return vc_error(VC_ERR_NOMEM, "out of memory writing '%s'", r->jpath);
    int32_t v[3] = { r->window, r->stride, r->C };
    put_str(b, &n, r->sha);
    memcpy(b + n, v, sizeof v);
    n += sizeof v;
    for (int i = 0; i < r->C; i++) put_str(b, &n, r->class_names[i]);
    put_str(b, &n, r->model);
    put_str(b, &n, r->settings);
    int rc = vc_journal_append(r->fd, r->jpath, VC_JOURNAL_HEAD, b, n);
    if (rc == VC_OK) rc = vc_fsync_dir_of(r->jpath);
    free(b);
    return rc;
}

/* Check a journal header against this run: VC_OK, or VC_ERR_MISMATCH with a message. */
static int check_head(const vc_results *r, const uint8_t *p, size_t n)
{
    uint32_t len = 0;
    int32_t v[3] = { 0, 0, 0 };
    if (n >= 4) memcpy(&len, p, 4);
    if (n < 4 || len != 64 || n < 4 + 64 + sizeof v)
        return vc_error(VC_ERR_FORMAT, "results journal '%s': damaged header; move it away", r->jpath);
    memcpy(v, p + 4 + 64, sizeof v);
    if (memcmp(p + 4, r->sha, 64) != 0 || v[2] != r->C)
        return vc_error(VC_ERR_MISMATCH, "results journal '%s' was made with another model; choose another output", r->jpath);
    if (v[0] != r->window || v[1] != r->stride)
        return vc_error(VC_ERR_MISMATCH, "results journal '%s' was made with window %d and frame_stride %d; this run has "
                        "%d and %d: choose another output", r->jpath, v[0], v[1], r->window, r->stride);
    /* after the class names and the model: the other settings (absent: a journal of 0.2,
     * whose runs smoothed trailing with no threshold) */
    size_t at = 4 + 64 + sizeof v;
    char settings[sizeof r->settings] = "smoothing=trailing min_confidence=0 min_segment=0";
    for (int i = 0; i <= r->C && at + 4 <= n; i++) { /* C names + the model */
        memcpy(&len, p + at, 4);
        at += 4 + (size_t)len;
    }
    if (at + 4 <= n) {
        memcpy(&len, p + at, 4);
        if (len < sizeof settings && at + 4 + len <= n) {
            memcpy(settings, p + at + 4, len);
            settings[len] = '\0';
        }
    }
    if (strcmp(settings, r->settings) != 0)
        return vc_error(VC_ERR_MISMATCH, "results journal '%s' was made with %s; this run has %s: choose another output",
                        r->jpath, settings, r->settings);
    return VC_OK;
}

/* ---- opening --------------------------------------------------------------------------------- */

/* One writer per journal: a second run on the same output would interleave records.
 * Advisory lock, released by the kernel when the process dies; file systems without
 * flock support (ENOLCK, EINVAL) are let through. */
static int lock_journal(vc_results *r)
{
    if (flock(r->fd, LOCK_EX | LOCK_NB) == 0 || errno == ENOLCK || errno == EINVAL) return VC_OK;
    if (errno == EWOULDBLOCK)
        return vc_error(VC_ERR_INVALID_ARG, "'%s' is being written by another vidclass-batch run; "
                        "wait for it or choose another output", r->jpath);
    return vc_error(VC_ERR_IO, "cannot lock '%s': %s", r->jpath, strerror(errno));
}

/* A video of the previous results file: done, unless it failed and failures are retried. */
static int add_done_in_file(const char *p, int status, void *user)
{
    vc_results *r = user;
    r->n_failed += status != 0;
    if (status != 0 && r->retry_failed) return VC_OK;
    return vc_pathset_add(&r->done, p, IN_FILE);
}

/* The previous results file: must match the settings; its videos are done. */
static int load_file(vc_results *r)
{
    vc_h5in *in = NULL;
    int rc = vc_h5in_open(r->path, &in);
    if (rc != VC_OK) return vc_error(VC_ERR_FORMAT, "%s; move it away to start again", vc_last_error());
    const struct vc_results_info *f = vc_h5in_info(in);
    char settings[sizeof r->settings];
    settings_string(settings, sizeof settings, f);
    if (strcmp(f->model_sha, r->sha) != 0 || f->n_classes != r->C)
        rc = vc_error(VC_ERR_MISMATCH, "results file '%s' was made with another model; choose another output", r->path);
    else if (f->window != r->window || f->frame_stride != r->stride)
        rc = vc_error(VC_ERR_MISMATCH, "results file '%s' was made with window %d and frame_stride %d; "
                      "this run has %d and %d: choose another output", r->path, f->window, f->frame_stride,
                      r->window, r->stride);
    else if (strcmp(settings, r->settings) != 0)
        rc = vc_error(VC_ERR_MISMATCH, "results file '%s' was made with %s; this run has %s: choose another output",
                      r->path, settings, r->settings);
    if (rc == VC_OK) rc = vc_h5in_read_paths(in, add_done_in_file, r);
    vc_h5in_close(&in);
    r->have_file = rc == VC_OK;
    return rc;
}

/* Read the journal: its videos are done; damaged records are skipped (their videos are
 * done again) and a torn tail is cut off. An empty or header-less journal gets a header. */
static int load_journal(vc_results *r)
{
    r->fd = open(r->jpath, O_WRONLY | O_APPEND | O_NOFOLLOW);
    if (r->fd < 0) return vc_error(VC_ERR_IO, "cannot append to '%s': %s", r->jpath, strerror(errno));
    int rc = lock_journal(r);
    vc_journal_reader *jr = NULL;
    if (rc == VC_OK) rc = vc_journal_open(r->jpath, &jr);
    struct vc_record rec = { 0 };
    uint32_t type;
    const uint8_t *p;
    size_t len;
    int64_t n = 0, heads = 0;
    int k = 0;
    while (rc == VC_OK && (k = vc_journal_next(jr, &type, &p, &len)) == 1) {
        if (type == VC_JOURNAL_HEAD) { rc = check_head(r, p, len); heads++; continue; }
        if (type != VC_JOURNAL_VIDEO || vc_record_decode(p, len, r->C, &rec) != VC_OK) continue; /* counted as lost */
        if (vc_pathset_find(&r->done, rec.path) < 0) r->n_new++;
        if (rec.status == 0 || !r->retry_failed) rc = vc_pathset_add(&r->done, rec.path, IN_JOURNAL); /* else: again */
        n++;
    }
    if (rc == VC_OK && k < 0) rc = k;
    if (rc == VC_OK && jr && vc_journal_old_format(jr) && heads == 0)
        rc = vc_error(VC_ERR_FORMAT, "results journal '%s' was written by an older vidclass (format VCJ1); finish that run "
                      "with the version that started it, or move the journal away", r->jpath);
    long good = jr ? vc_journal_good_end(jr) : 0, skipped = jr ? vc_journal_skipped_bytes(jr) : 0;
    int runs = jr ? vc_journal_skipped_runs(jr) : 0;
    vc_journal_close(&jr);
    vc_record_free(&rec);
    if (rc != VC_OK) return rc;
    struct stat st;
    long tail = stat(r->jpath, &st) == 0 && st.st_size > good ? (long)st.st_size - good : 0;
    if (tail > 0) {
        if (truncate(r->jpath, good) != 0) /* only what follows the last valid record */
            return vc_error(VC_ERR_IO, "cannot cut the damaged tail of '%s': %s", r->jpath, strerror(errno));
        VC_LOG_WARN("results journal '%s': dropped a damaged last record (%ld bytes, a kill during a write); "
                    "that video is done again", r->jpath, tail);
    }
    if (skipped > tail)
        VC_LOG_WARN("results journal '%s': skipped %ld damaged bytes in the middle (%d place%s) and read on from the "
                    "next valid record; the videos recorded there are done again", r->jpath, skipped - tail,
                    runs - (tail > 0), runs - (tail > 0) == 1 ? "" : "s");
    VC_LOG_INFO("results journal '%s': %lld finished videos to resume from", r->jpath, (long long)n);
    return heads == 0 ? write_head(r) : VC_OK;
}

static int copy_info(vc_results *r, const char *path, const struct vc_results_info *info)
{
    r->fd = -1;
    size_t n = strlen(path) + 16;
    r->path = strdup(path);
    r->jpath = malloc(n);
    r->class_names = calloc((size_t)info->n_classes, sizeof(char *));
    r->model = strdup(info->model);
    if (!r->path || !r->jpath || !r->class_names || !r->model) return vc_error(VC_ERR_NOMEM, "out of memory");
    snprintf(r->jpath, n, "%s.journal", path);
    snprintf(r->sha, sizeof r->sha, "%s", info->model_sha);
    r->C = info->n_classes;
    r->window = info->window;
    r->stride = info->frame_stride;
    r->smoothing = info->smoothing;
    r->min_confidence = info->min_confidence;
    r->min_segment = info->min_segment;
    settings_string(r->settings, sizeof r->settings, info);
    r->precision = info->precision;
    for (int i = 0; i < r->C; i++)
        if (!(r->class_names[i] = strdup(info->class_names[i]))) return vc_error(VC_ERR_NOMEM, "out of memory");
    return VC_OK;
}

int vc_results_open(const char *path, const struct vc_results_info *info, int resume, int retry_failed,
                    vc_results **out)
{
    *out = NULL;
    vc_results *r = calloc(1, sizeof *r);
    if (!r) return vc_error(VC_ERR_NOMEM, "out of memory");
    r->retry_failed = retry_failed;
    int rc = copy_info(r, path, info);
    int have = rc == VC_OK && access(path, F_OK) == 0, have_j = rc == VC_OK && access(r->jpath, F_OK) == 0;
    if (rc == VC_OK && (have || have_j) && !resume)
        rc = vc_error(VC_ERR_INVALID_ARG, "results file '%s'%s exists; resume is off: remove it or choose another output",
                      have ? path : r->jpath, have ? "" : " (of an unfinished run)");
    if (rc == VC_OK && have) rc = load_file(r);
    if (rc == VC_OK && have_j) rc = load_journal(r);
    if (rc == VC_OK && !have_j) {
        r->fd = open(r->jpath, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
        if (r->fd < 0) rc = vc_error(VC_ERR_IO, "cannot create the results journal '%s': %s", r->jpath, strerror(errno));
        else if ((rc = lock_journal(r)) == VC_OK) rc = write_head(r);
    }
    if (rc != VC_OK) { vc_results_close(r); return rc; }
    *out = r;
    return VC_OK;
}

int64_t vc_results_n_done(const vc_results *r) { return (int64_t)r->done.n; }

int64_t vc_results_n_failed(const vc_results *r) { return r->n_failed; }

int vc_results_has(const vc_results *r, const char *video_path) { return vc_pathset_find(&r->done, video_path) >= 0; }

/* ---- appending ---------------------------------------------------------------------------- */

int vc_results_append_encoded(vc_results *r, const uint8_t *payload, size_t len, const char *path)
{
    int rc = vc_journal_append(r->fd, r->jpath, VC_JOURNAL_VIDEO, payload, len);
    if (rc == VC_OK) r->n_new++;
    return rc == VC_OK ? vc_pathset_add(&r->done, path, IN_JOURNAL) : rc;
}

int vc_results_append(vc_results *r, const struct vc_record *v)
{
    size_t n = vc_record_encoded_size(v, r->C);
    if (n > r->enc_cap) {
        uint8_t *b = realloc(r->enc, n);
        if (!b) return vc_error(VC_ERR_NOMEM, "out of memory recording '%s'", v->path);
        r->enc = b;
        r->enc_cap = n;
    }
    vc_record_encode(v, r->C, r->enc);
    return vc_results_append_encoded(r, r->enc, n, v->path);
}

/* ---- the final write ---------------------------------------------------------------------------- */

/* Pass over the journal's video records: fn(record, user) for each that decodes. */
static int each_journal_video(vc_results *r, struct vc_record *rec, int (*fn)(vc_results *, const struct vc_record *, void *),
                              void *user)
{
    vc_journal_reader *jr = NULL;
    uint32_t type;
    const uint8_t *p;
    size_t len;
    int rc = vc_journal_open(r->jpath, &jr), k = 0;
    while (rc == VC_OK && (k = vc_journal_next(jr, &type, &p, &len)) == 1)
        if (type == VC_JOURNAL_VIDEO && vc_record_decode(p, len, r->C, rec) == VC_OK) rc = fn(r, rec, user);
    if (rc == VC_OK && k < 0) rc = k;
    vc_journal_close(&jr);
    return rc;
}

struct stream {
    vc_results        *r;
    vc_h5out          *o;
    struct vc_pathset  any, ok, seen; /* the journal's paths; those with a success; those written */
};

static int note(vc_results *r, const struct vc_record *rec, void *user)
{
    (void)r;
    struct stream *s = user;
    int rc = vc_pathset_add(&s->any, rec->path, 0);
    return rc == VC_OK && rec->status == 0 ? vc_pathset_add(&s->ok, rec->path, 1) : rc;
}

/* Each video of the journal once, unless the previous file's row stands (IN_FILE): a
 * success over a failure (a failed video retried), else the first record. */
static int emit(vc_results *r, const struct vc_record *rec, void *user)
{
    struct stream *s = user;
    if (vc_pathset_find(&r->done, rec->path) == IN_FILE || vc_pathset_find(&s->seen, rec->path) >= 0) return VC_OK;
    if (rec->status != 0 && vc_pathset_find(&s->ok, rec->path) >= 0) return VC_OK;
    int rc = vc_pathset_add(&s->seen, rec->path, 0);
    return rc == VC_OK ? vc_h5out_append(s->o, rec) : rc;
}

/* A row of the previous file is left out when it does not stand (a failure being retried)
 * and the journal has the video again. */
static int redone(const char *path, void *user)
{
    const struct stream *s = user;
    return vc_pathset_find(&s->r->done, path) != IN_FILE && vc_pathset_find(&s->any, path) >= 0;
}

/* An upper bound of the new file's size: the previous file, the journal's rows twice (paths
 * are stored twice, strings have heap overhead), a partly filled chunk per dataset, 1 MB. */
static int64_t size_bound(const vc_results *r)
{
    struct stat a, b;
    int64_t prev = r->have_file && stat(r->path, &a) == 0 ? (int64_t)a.st_size : 0;
    int64_t journal = stat(r->jpath, &b) == 0 ? (int64_t)b.st_size : 0;
    int64_t chunk = (int64_t)1024 * r->C * 4 > 32768 ? (int64_t)1024 * r->C * 4 : 32768;
    return prev + 2 * journal + 12 * chunk + (1 << 20);
}

int vc_results_finish(vc_results *r)
{
    char tmp[PATH_MAX + 64] = "";
    const struct vc_results_info info = {
        .class_names = (const char *const *)r->class_names, .n_classes = r->C, .window = r->window,
        .frame_stride = r->stride, .smoothing = r->smoothing, .min_confidence = r->min_confidence,
        .min_segment = r->min_segment, .precision = r->precision, .model = r->model, .model_sha = r->sha
    };
    struct stream s = { .r = r };
    struct vc_record rec = { 0 };
    int rc = VC_OK;
    if (r->have_file && r->n_new == 0) goto done; /* nothing new: the file stays as it is */
    rc = vc_tmp_create(r->path, tmp, sizeof tmp);
    if (rc == VC_OK) rc = vc_h5out_create(tmp, &info, &s.o);
    /* a full disk is found here, before HDF5 writes: the previous file and the journal stay */
    if (rc == VC_OK) rc = vc_h5out_reserve(s.o, size_bound(r));
    if (rc == VC_OK) rc = each_journal_video(r, &rec, note, &s);
    if (rc == VC_OK && r->have_file) rc = vc_h5out_copy(s.o, r->path, redone, &s);
    if (rc == VC_OK) rc = each_journal_video(r, &rec, emit, &s);
    if (s.o) r->n_failed = vc_h5out_n_failed(s.o);
    int crc = vc_h5out_close(&s.o, rc != VC_OK);
    if (rc == VC_OK) rc = crc;
    if (rc == VC_OK) rc = vc_tmp_commit(tmp, r->path);
    vc_pathset_free(&s.any);
    vc_pathset_free(&s.ok);
    vc_pathset_free(&s.seen);
    vc_record_free(&rec);
    if (rc != VC_OK) {
        vc_tmp_discard(tmp);
        return rc;
    }
done: /* from here every video is in the results file; the journal is redundant */
    if (r->fd >= 0) { close(r->fd); r->fd = -1; }
    if (unlink(r->jpath) != 0) return vc_error(VC_ERR_IO, "cannot remove '%s': %s", r->jpath, strerror(errno));
    return vc_fsync_dir_of(r->path);
}

void vc_results_close(vc_results *r)
{
    if (!r) return;
    if (r->fd >= 0) close(r->fd);
    for (int i = 0; r->class_names && i < r->C; i++) free(r->class_names[i]);
    free(r->class_names);
    free(r->model);
    free(r->path);
    free(r->jpath);
    vc_pathset_free(&r->done);
    free(r->enc);
    free(r);
}

/* ---- as a sink --------------------------------------------------------------------------------- */

static int sink_end(void *self, const struct vc_record *rec) { return vc_results_append(self, rec); }
static int sink_finish(void *self) { return vc_results_finish(self); }

static const struct vc_sink_ops k_sink_ops = {
    /*.name         =*/ "results",
    /*.wants_frames =*/ 0,
    /*.begin        =*/ NULL,
    /*.frame        =*/ NULL,
    /*.end          =*/ sink_end,
    /*.finish       =*/ sink_finish,
    /*.destroy      =*/ NULL,
};

int vc_results_sink(vc_results *r, vc_sink **out) { return vc_sink_create(&k_sink_ops, r, out); }
