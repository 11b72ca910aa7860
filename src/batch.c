/* batch.c - vidclass-batch: dynamic video scheduling over MPI, decode thread + CNN,
 * smoothing, and one incrementally written HDF5 results file (see vidclass/batch.h). */
#define _DEFAULT_SOURCE /* realpath */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/batch.h"
#include "vidclass/hash.h"
#include "vidclass/head.h"
#include "vidclass/log.h"
#include "vidclass/model.h"
#include "vidclass/preprocess.h"
#include "vidclass/resnet50.h"
#include "vidclass/smooth.h"
#include "vidclass/status.h"
#include "vidclass/video.h"
#include "h5util.h"
#include "results.h"
#include "mpiutil.h"
#include "annotate.h"
#include "fsutil.h"
#include "video_internal.h"

#include <glob.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define TAG_REQ    11 /* worker -> 0: give me a video                */
#define TAG_ASSIGN 12 /* 0 -> worker: video index, or -1 for "none"  */
#define TAG_HDR    13 /* worker -> 0: result header                  */
#define TAG_IDX    14 /* worker -> 0: frame indices   int64[n]       */
#define TAG_PROBS  15 /* worker -> 0: probabilities   float[n, C]    */
#define TAG_LAB    16 /* worker -> 0: smoothed labels int32[n]       */
#define N_SLOTS    3  /* frame batches queued between decoder and CNN */
#define ERR_LEN    1024

struct vc_batch_params vc_batch_default_params(void)
{
    struct vc_batch_params p;
    memset(&p, 0, sizeof p);
    p.window = 128;
    p.frame_stride = 1;
    p.batch_size = 16;
    p.resume = 1;
    return p;
}

/* ---- inputs ------------------------------------------------------------------------- */

struct vlist {
    char   **paths;
    int64_t *sizes;
    int64_t  n, cap;
};

static int vlist_add(struct vlist *l, const char *path, int64_t size)
{
    if (l->n == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 256;
        char **p = realloc(l->paths, sizeof(char *) * (size_t)cap);
        if (!p) return VC_ERR_NOMEM;
        l->paths = p;
        int64_t *s = realloc(l->sizes, sizeof(int64_t) * (size_t)cap);
        if (!s) return VC_ERR_NOMEM;
        l->sizes = s;
        l->cap = cap;
    }
    if (!(l->paths[l->n] = strdup(path))) return VC_ERR_NOMEM;
    l->sizes[l->n++] = size;
    return VC_OK;
}

static void vlist_free(struct vlist *l)
{
    for (int64_t i = 0; i < l->n; i++) free(l->paths[i]);
    free(l->paths);
    free(l->sizes);
    memset(l, 0, sizeof *l);
}

static int has_ext(const char *name, const struct vc_batch_params *p)
{
    static const char *def[] = { "mp4", "m4v", "mov", "avi", "mkv", "webm", "mpg", "mpeg", "wmv", "flv", "ts", "3gp" };
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    int n = p->n_extensions ? p->n_extensions : (int)(sizeof def / sizeof def[0]);
    for (int i = 0; i < n; i++)
        if (strcasecmp(dot + 1, p->n_extensions ? p->extensions[i] : def[i]) == 0) return 1;
    return 0;
}

/* A listed video for sorting: by path (listing), or longest first (the work queue). */
struct ventry {
    const char *path;
    int64_t     size, index;
};

static int cmp_ventry_path(const void *a, const void *b)
{
    return strcmp(((const struct ventry *)a)->path, ((const struct ventry *)b)->path);
}

static int cmp_ventry_longest(const void *a, const void *b)
{
    const struct ventry *x = a, *y = b;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index; /* ties in path order */
}

static int scan_dir(struct vlist *l, const char *dir, const struct vc_batch_params *p)
{
    char **names = NULL;
    int n = 0, rc = vc_list_dir(dir, &names, &n);
    for (int i = 0; i < n && rc == VC_OK; i++) {
        if (names[i][0] == '.') continue; /* hidden files and folders */
        char full[PATH_MAX];
        snprintf(full, sizeof full, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(full, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) rc = scan_dir(l, full, p);
        else if (has_ext(names[i], p)) rc = vlist_add(l, full, (int64_t)st.st_size);
    }
    vc_names_free(names, n);
    return rc;
}

/* Rank 0: inputs (files, directories) + manifest lines, sorted and de-duplicated. */
static int list_inputs(const struct vc_batch_params *p, struct vlist *l)
{
    int rc = VC_OK;
    for (int i = 0; i < p->n_inputs && rc == VC_OK; i++) {
        struct stat st;
        const char *in = p->inputs[i];
        if (stat(in, &st) != 0 && strpbrk(in, "*?[")) { /* a glob (quoted from the shell, or in YAML) */
            glob_t g;
            int gr = glob(in, 0, NULL, &g);
            if (gr == GLOB_NOMATCH)
                VC_LOG_WARN("input pattern '%s' matches no file", in);
            else if (gr != 0)
                rc = vc_error(VC_ERR_IO, "cannot expand input pattern '%s'", in);
            for (size_t k = 0; gr == 0 && k < g.gl_pathc && rc == VC_OK; k++) {
                if (stat(g.gl_pathv[k], &st) == 0 && S_ISDIR(st.st_mode)) rc = scan_dir(l, g.gl_pathv[k], p);
                else rc = vlist_add(l, g.gl_pathv[k], stat(g.gl_pathv[k], &st) == 0 ? (int64_t)st.st_size : 0);
            }
            if (gr == 0) globfree(&g);
            continue;
        }
        if (stat(in, &st) == 0 && S_ISDIR(st.st_mode)) rc = scan_dir(l, in, p);
        else rc = vlist_add(l, in, stat(in, &st) == 0 ? (int64_t)st.st_size : 0); /* missing: recorded as failed */
    }
    if (rc == VC_OK && p->manifest) {
        FILE *f = fopen(p->manifest, "r");
        if (!f) return vc_error(VC_ERR_IO, "manifest '%s': %s", p->manifest, strerror(errno));
        char line[PATH_MAX];
        while (rc == VC_OK && fgets(line, sizeof line, f)) {
            size_t len = strcspn(line, "\r\n");
            line[len] = '\0';
            char *s = line;
            while (*s == ' ' || *s == '\t') s++;
            if (!*s || *s == '#') continue;
            struct stat st;
            rc = vlist_add(l, s, stat(s, &st) == 0 ? (int64_t)st.st_size : 0);
        }
        fclose(f);
    }
    if (rc != VC_OK) return rc;
    /* sort by path (sizes travel along), drop duplicates */
    struct ventry *order = malloc(sizeof *order * (size_t)(l->n ? l->n : 1));
    if (!order) return VC_ERR_NOMEM;
    for (int64_t i = 0; i < l->n; i++) order[i] = (struct ventry){ l->paths[i], l->sizes[i], i };
    qsort(order, (size_t)l->n, sizeof *order, cmp_ventry_path);
    struct vlist s = { 0 };
    for (int64_t i = 0; i < l->n && rc == VC_OK; i++)
        if (i == 0 || strcmp(order[i].path, order[i - 1].path) != 0)
            rc = vlist_add(&s, order[i].path, order[i].size);
    free(order);
    vlist_free(l);
    *l = s;
    return rc;
}

/* Broadcast the list (paths and sizes) from rank 0. */
static int share_list(MPI_Comm comm, int rank, struct vlist *l)
{
    long long len = 0;
    char *buf = NULL;
    if (rank == 0) {
        for (int64_t i = 0; i < l->n; i++) len += (long long)strlen(l->paths[i]) + 1 + 24;
        buf = malloc((size_t)len + 1);
        if (!buf) return vc_mpi_agree(comm, VC_ERR_NOMEM);
        char *q = buf;
        for (int64_t i = 0; i < l->n; i++) q += sprintf(q, "%lld %s", (long long)l->sizes[i], l->paths[i]) + 1;
        len = q - buf;
    }
    int rc = vc_mpi_agree(comm, VC_OK);
    if (rc == VC_OK) rc = vc_mpi_agree(comm, vc_mpi_bcast_buf(comm, 0, &buf, &len));
    if (rc == VC_OK && rank != 0) {
        for (char *q = buf; q < buf + len && rc == VC_OK; q += strlen(q) + 1) {
            char *sp = strchr(q, ' ');
            rc = sp ? vlist_add(l, sp + 1, atoll(q)) : VC_ERR_FORMAT;
        }
    }
    free(buf);
    return vc_mpi_agree(comm, rc);
}

/* ---- one video -------------------------------------------------------------------- */

struct vres {
    int64_t  index, n, cap;
    int32_t  status, label;
    float    confidence;
    double   fps;
    char     error[ERR_LEN];
    int64_t *idx;
    float   *probs;
    int32_t *lab;
};

static int vres_reserve(struct vres *v, int64_t n, int C)
{
    if (n <= v->cap) return VC_OK;
    int64_t cap = v->cap ? v->cap : 1024;
    while (cap < n) cap *= 2;
    int64_t *i = realloc(v->idx, sizeof(int64_t) * (size_t)cap);
    if (!i) return VC_ERR_NOMEM;
    v->idx = i;
    float *p = realloc(v->probs, sizeof(float) * (size_t)cap * C);
    if (!p) return VC_ERR_NOMEM;
    v->probs = p;
    int32_t *l = realloc(v->lab, sizeof(int32_t) * (size_t)cap);
    if (!l) return VC_ERR_NOMEM;
    v->lab = l;
    v->cap = cap;
    return VC_OK;
}

/* Decode thread -> CNN: a ring of N_SLOTS batches of frames. */
struct slot {
    uint8_t *rgb;
    int64_t *idx;
    int      n, eof, err, full;
    char     msg[ERR_LEN];
    AVFrame **kept; /* annotation: every decoded frame up to the slot's last one */
    int       n_kept, cap_kept;
};

struct dq {
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    struct slot     s[N_SLOTS];
    int             head, tail, stop;
    vc_video       *v;
    int             B, S;
    double          decode_s; /* time in vc_video_next (decode + convert) for this video */
};

static void *decode_main(void *arg)
{
    struct dq *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (q->s[q->tail].full && !q->stop) pthread_cond_wait(&q->cv, &q->mu);
        int stop = q->stop;
        struct slot *sl = &q->s[q->tail];
        pthread_mutex_unlock(&q->mu);
        if (stop) return NULL;
        sl->n = sl->eof = sl->err = 0;
        while (sl->n < q->B) {
            double t = vc_time_now();
            int rc = vc_video_next(q->v, sl->rgb + (size_t)sl->n * q->S * q->S * 3, &sl->idx[sl->n]);
            q->decode_s += vc_time_now() - t;
            if (rc == 1) { sl->n++; continue; }
            if (rc == 0) sl->eof = 1;
            else { sl->err = rc; snprintf(sl->msg, sizeof sl->msg, "%s", vc_last_error()); } /* thread-local: copy */
            break;
        }
        sl->n_kept = 0;
        for (AVFrame *f; (f = vc_video_take_kept(q->v)) != NULL;) {
            if (sl->n_kept == sl->cap_kept) {
                int cap = sl->cap_kept ? 2 * sl->cap_kept : 32;
                AVFrame **k = realloc(sl->kept, sizeof *k * (size_t)cap);
                if (!k) { av_frame_free(&f); break; }
                sl->kept = k;
                sl->cap_kept = cap;
            }
            sl->kept[sl->n_kept++] = f;
        }
        pthread_mutex_lock(&q->mu);
        sl->full = 1;
        int last = sl->eof || sl->err;
        q->tail = (q->tail + 1) % N_SLOTS;
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
        if (last) return NULL;
    }
}

struct ctx {
    const struct vc_batch_params *p;
    MPI_Comm         comm;
    int              rank, size, C, S;
    enum vc_resize_mode resize;
    int              decoder_threads; /* p->decoder_threads, or 1 when ranks share a node */
    vc_resnet50     *net;
    vc_model        *model;
    vc_smoother     *sm;
    struct dq        q;
    float           *x, *feat, *probs, *hws;
    struct vlist     list;
    /* rank 0 */
    vc_results      *res;  /* NULL: no results file */
    int64_t         *pending, n_pending, next_pending;
    int64_t          outstanding, done_bytes, total_bytes;
    int              active_workers;
    int64_t          n_done, n_failed, frames, *per_class;
    double           t0, t_progress, busy;
    double           decode_s, record_s; /* decode thread time; rank 0: journal writes */
    int64_t          my_frames; /* frames this rank classified */
    int32_t          last_label;
    float            last_conf;
    int              write_rc;  /* first results-file write error: stops handing out work */
    int64_t          n_requests; /* work requests answered */
    char             write_msg[ERR_LEN];
    int64_t          last_frames;
    struct vres      wres; /* receive buffer for worker results */
};

typedef void (*serve_fn)(struct ctx *c, int blocking);

/* "videos/a/clip.mov" -> "videos__a__clip.mp4": unique per input path, flat in one folder. */
static void annotated_name(const char *path, char *out, size_t len)
{
    while (*path == '/' || *path == '.') path++;
    size_t k = 0;
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    const char *end = dot && (!slash || dot > slash) ? dot : path + strlen(path);
    for (const char *s = path; s < end && k + 3 < len; s++) {
        if (*s == '/') { out[k++] = '_'; out[k++] = '_'; }
        else out[k++] = *s;
    }
    snprintf(out + k, len - k, ".mp4");
}

/* Classify one video into v. serve (rank 0) is called between batches. */
static int process_video(struct ctx *c, int64_t index, struct vres *v, serve_fn serve)
{
    const struct vc_batch_params *p = c->p;
    const char *path = c->list.paths[index];
    double t_start = MPI_Wtime();
    v->index = index;
    v->n = 0;
    v->status = 0;
    v->label = -1;
    v->confidence = 0.0f;
    v->fps = 0.0;
    v->error[0] = '\0';
    vc_video *vid = NULL;
    struct vc_video_params vp = { .size = c->S, .stride = p->frame_stride, .decoder_threads = c->decoder_threads,
                                  .resize = c->resize };
    if (vc_video_open(path, &vp, &vid) != VC_OK) {
        v->status = 1;
        snprintf(v->error, sizeof v->error, "%s", vc_last_error());
        return VC_OK; /* a bad input is a result, not an error of the run */
    }
    v->fps = vc_video_get_info(vid)->fps;
    vc_smoother_reset(c->sm);
    vc_annotator *ann = NULL;
    int ann_label = -1;
    if (p->annotate_dir || p->annotate_file) {
        char name[PATH_MAX], out[2 * PATH_MAX + 2];
        annotated_name(path, name, sizeof name);
        if (p->annotate_file) snprintf(out, sizeof out, "%s", p->annotate_file);
        else snprintf(out, sizeof out, "%s/%s", p->annotate_dir, name);
        if (vc_annotator_open(out, v->fps, &ann) == VC_OK)
            vc_video_keep_frames(vid, 1);
        else
            VC_LOG_WARN("no annotated copy of '%s': %s", path, vc_last_error());
    }
    double *sum = calloc((size_t)c->C, sizeof(double));
    for (int i = 0; i < N_SLOTS; i++) c->q.s[i].full = 0;
    c->q.head = c->q.tail = c->q.stop = 0;
    c->q.v = vid;
    c->q.decode_s = 0;
    pthread_t th;
    int rc = sum ? VC_OK : VC_ERR_NOMEM;
    if (rc == VC_OK && pthread_create(&th, NULL, decode_main, &c->q) != 0)
        rc = vc_error(VC_ERR_NOMEM, "cannot start the decode thread");
    int started = rc == VC_OK;
    const size_t px = (size_t)c->S * c->S;
    for (int fin = 0; rc == VC_OK && !fin;) {
        pthread_mutex_lock(&c->q.mu);
        while (!c->q.s[c->q.head].full) pthread_cond_wait(&c->q.cv, &c->q.mu);
        struct slot *sl = &c->q.s[c->q.head];
        pthread_mutex_unlock(&c->q.mu);
        if (sl->n > 0) {
            vc_preprocess_rgb8(sl->rgb, px * (size_t)sl->n, vc_model_meta(c->model)->preprocess, c->x);
            rc = vc_resnet50_features(c->net, c->x, sl->n, c->S, c->S, c->feat);
            if (rc == VC_OK) rc = vres_reserve(v, v->n + sl->n, c->C);
            if (rc == VC_OK) {
                vc_model_predict(c->model, c->feat, sl->n, v->probs + (size_t)v->n * c->C, c->hws);
                for (int k = 0; k < sl->n; k++) {
                    const float *pk = v->probs + (size_t)(v->n + k) * c->C;
                    v->idx[v->n + k] = sl->idx[k];
                    v->lab[v->n + k] = vc_smoother_push(c->sm, pk, NULL);
                    for (int j = 0; j < c->C; j++) sum[j] += pk[j];
                }
                v->n += sl->n;
            }
        }
        if (sl->err) {
            v->status = 1;
            snprintf(v->error, sizeof v->error, "%s", sl->msg);
        }
        /* annotation: each decoded frame gets the latest smoothed label at its position */
        for (int k = 0, j = 0; k < sl->n_kept; k++) {
            AVFrame *f = sl->kept[k];
            for (; j < sl->n && sl->idx[j] <= f->pts; j++) ann_label = v->lab[v->n - sl->n + j];
            if (ann && rc == VC_OK && ann_label >= 0 &&
                vc_annotator_write(ann, f, vc_model_meta(c->model)->class_names[ann_label]) != VC_OK) {
                VC_LOG_WARN("annotated copy of '%s' abandoned: %s", path, vc_last_error());
                vc_annotator_close(&ann, 0);
            }
            av_frame_free(&sl->kept[k]);
        }
        sl->n_kept = 0;
        fin = sl->eof || sl->err;
        pthread_mutex_lock(&c->q.mu);
        sl->full = 0;
        c->q.head = (c->q.head + 1) % N_SLOTS;
        pthread_cond_broadcast(&c->q.cv);
        pthread_mutex_unlock(&c->q.mu);
        if (serve) serve(c, 0);
    }
    if (started) {
        pthread_mutex_lock(&c->q.mu);
        c->q.stop = 1;
        pthread_cond_broadcast(&c->q.cv);
        pthread_mutex_unlock(&c->q.mu);
        pthread_join(th, NULL);
        c->decode_s += c->q.decode_s;
    }
    for (int i = 0; i < N_SLOTS; i++) { /* frames of slots not consumed (an error stopped early) */
        for (int k = 0; k < c->q.s[i].n_kept; k++) av_frame_free(&c->q.s[i].kept[k]);
        c->q.s[i].n_kept = 0;
    }
    vc_video_close(&vid);
    if (ann && vc_annotator_close(&ann, rc == VC_OK) != VC_OK)
        VC_LOG_WARN("annotated copy of '%s' not written: %s", path, vc_last_error());
    if (rc == VC_OK && v->n == 0 && v->status == 0) {
        v->status = 1;
        snprintf(v->error, sizeof v->error, "'%s': no frames could be decoded", path);
    }
    if (rc == VC_OK && v->n > 0) {
        int best = 0;
        for (int j = 1; j < c->C; j++) if (sum[j] > sum[best]) best = j;
        v->label = best;
        v->confidence = (float)(sum[best] / (double)v->n);
    }
    free(sum);
    c->busy += MPI_Wtime() - t_start;
    c->my_frames += v->n;
    return rc;
}

/* ---- rank 0: serving and recording ------------------------------------------------------ */

static void record(struct ctx *c, const struct vres *v)
{
    const char *path = c->list.paths[v->index];
    struct vc_video_result r = { path, v->status, v->error, v->label, v->confidence, v->fps, v->n, v->idx, v->probs, v->lab };
    double t = vc_time_now();
    int rc = c->res && c->write_rc == VC_OK ? vc_results_append(c->res, &r) : VC_OK;
    c->record_s += vc_time_now() - t;
    if (rc != VC_OK && c->write_rc == VC_OK) {
        /* losing results silently is worse than stopping: finish what is in flight, hand
         * out nothing more, and fail the run (a rerun resumes from what was written) */
        c->write_rc = rc;
        snprintf(c->write_msg, sizeof c->write_msg, "cannot record '%s' in the results file: %s", path, vc_last_error());
        VC_LOG_ERR("%s; stopping", c->write_msg);
    }
    c->last_label = v->label;
    c->last_conf = v->confidence;
    c->last_frames = v->n;
    c->n_done++;
    c->frames += v->n;
    c->done_bytes += c->list.sizes[v->index];
    if (v->status != 0) {
        c->n_failed++;
        VC_LOG_WARN("video failed: %s", v->error);
    } else if (v->label >= 0) {
        c->per_class[v->label]++;
    }
    double now = MPI_Wtime();
    if (!c->p->quiet && now - c->t_progress >= 1.0) {
        c->t_progress = now;
        double el = now - c->t0, frac = c->total_bytes > 0 ? (double)c->done_bytes / (double)c->total_bytes : 0;
        double eta = frac > 0 ? el * (1 - frac) / frac : 0;
        VC_LOG_INFO("batch: %lld/%lld videos (%lld failed), %lld frames, %.1f frames/s, ETA %.0f s",
                    (long long)c->n_done, (long long)c->n_pending, (long long)c->n_failed, (long long)c->frames,
                    (double)c->frames / (el > 0 ? el : 1), eta);
    }
}

static int64_t pop_pending(struct ctx *c)
{
    if (c->write_rc != VC_OK) return -1;
    return c->next_pending < c->n_pending ? c->pending[c->next_pending++] : -1;
}

static void serve(struct ctx *c, int blocking)
{
    for (;;) {
        MPI_Status st;
        int flag = 0;
        if (c->active_workers == 0 && c->outstanding == 0) return;
        if (blocking) { MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, c->comm, &st); flag = 1; }
        else MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, c->comm, &flag, &st);
        if (!flag) return;
        int src = st.MPI_SOURCE;
        if (st.MPI_TAG == TAG_REQ) {
            int dummy;
            MPI_Recv(&dummy, 1, MPI_INT, src, TAG_REQ, c->comm, MPI_STATUS_IGNORE);
            int64_t a = pop_pending(c);
            MPI_Send(&a, 1, MPI_INT64_T, src, TAG_ASSIGN, c->comm);
            c->n_requests++;
            if (a < 0) c->active_workers--;
            else c->outstanding++;
        } else if (st.MPI_TAG == TAG_HDR) {
            struct vres *v = &c->wres;
            struct { int64_t index, n; int32_t status, label; float conf; double fps; char error[ERR_LEN]; } h;
            MPI_Recv(&h, (int)sizeof h, MPI_BYTE, src, TAG_HDR, c->comm, MPI_STATUS_IGNORE);
            v->index = h.index; v->n = h.n; v->status = h.status; v->label = h.label; v->confidence = h.conf; v->fps = h.fps;
            memcpy(v->error, h.error, ERR_LEN);
            if (h.n > 0 && vres_reserve(v, h.n, c->C) == VC_OK) {
                MPI_Recv(v->idx, (int)h.n, MPI_INT64_T, src, TAG_IDX, c->comm, MPI_STATUS_IGNORE);
                MPI_Recv(v->probs, (int)(h.n * c->C), MPI_FLOAT, src, TAG_PROBS, c->comm, MPI_STATUS_IGNORE);
                MPI_Recv(v->lab, (int)h.n, MPI_INT32_T, src, TAG_LAB, c->comm, MPI_STATUS_IGNORE);
            }
            record(c, v);
            c->outstanding--;
        } else {
            VC_LOG_ERR("unexpected message tag %d from rank %d", st.MPI_TAG, src);
            MPI_Recv(NULL, 0, MPI_BYTE, src, st.MPI_TAG, c->comm, MPI_STATUS_IGNORE);
        }
        if (blocking) return;
    }
}

static int run_rank0(struct ctx *c)
{
    struct vres v = { 0 };
    int rc = VC_OK;
    /* every worker asks twice at once (its first video and the next, prefetched): answer
     * all of them before starting our own video, or a worker asking while we are inside a
     * frame batch would wait for that batch (seconds) */
    while (c->n_requests < 2 * (int64_t)(c->size - 1) && c->active_workers > 0) serve(c, 1);
    for (;;) {
        serve(c, 0);
        int64_t a = pop_pending(c);
        if (a >= 0) {
            rc = process_video(c, a, &v, c->size > 1 ? serve : NULL);
            if (rc != VC_OK) break;
            record(c, &v);
        } else if (c->active_workers > 0 || c->outstanding > 0) {
            serve(c, 1);
        } else {
            break;
        }
    }
    free(v.idx); free(v.probs); free(v.lab);
    if (rc == VC_OK && c->write_rc != VC_OK)
        rc = vc_error(c->write_rc, "%s", c->write_msg);
    return rc;
}

static int run_worker(struct ctx *c)
{
    struct vres v[2];
    memset(v, 0, sizeof v);
    MPI_Request req[4];
    int n_req = 0, cur = 0, rc = VC_OK, dummy = 0;
    struct { int64_t index, n; int32_t status, label; float conf; double fps; char error[ERR_LEN]; } h[2];
    int64_t a;
    MPI_Send(&dummy, 1, MPI_INT, 0, TAG_REQ, c->comm);
    MPI_Recv(&a, 1, MPI_INT64_T, 0, TAG_ASSIGN, c->comm, MPI_STATUS_IGNORE);
    while (a >= 0) {
        MPI_Send(&dummy, 1, MPI_INT, 0, TAG_REQ, c->comm); /* prefetch the next assignment */
        rc = process_video(c, a, &v[cur], NULL);
        if (rc != VC_OK) { /* a failure of this rank (not of the input): report it as the video's error */
            v[cur].status = 1;
            snprintf(v[cur].error, sizeof v[cur].error, "rank %d: %s", c->rank, vc_last_error());
            v[cur].n = 0;
        }
        MPI_Waitall(n_req, req, MPI_STATUSES_IGNORE); /* the previous result's buffers are free again */
        n_req = 0;
        h[cur].index = v[cur].index; h[cur].n = v[cur].n; h[cur].status = v[cur].status; h[cur].label = v[cur].label;
        h[cur].conf = v[cur].confidence; h[cur].fps = v[cur].fps;
        memcpy(h[cur].error, v[cur].error, ERR_LEN);
        MPI_Isend(&h[cur], (int)sizeof h[cur], MPI_BYTE, 0, TAG_HDR, c->comm, &req[n_req++]);
        if (v[cur].n > 0) {
            MPI_Isend(v[cur].idx, (int)v[cur].n, MPI_INT64_T, 0, TAG_IDX, c->comm, &req[n_req++]);
            MPI_Isend(v[cur].probs, (int)(v[cur].n * c->C), MPI_FLOAT, 0, TAG_PROBS, c->comm, &req[n_req++]);
            MPI_Isend(v[cur].lab, (int)v[cur].n, MPI_INT32_T, 0, TAG_LAB, c->comm, &req[n_req++]);
        }
        cur ^= 1;
        MPI_Recv(&a, 1, MPI_INT64_T, 0, TAG_ASSIGN, c->comm, MPI_STATUS_IGNORE);
    }
    MPI_Waitall(n_req, req, MPI_STATUSES_IGNORE);
    for (int i = 0; i < 2; i++) { free(v[i].idx); free(v[i].probs); free(v[i].lab); }
    return VC_OK;
}

/* ---- entry point ------------------------------------------------------------------------ */

/* The model, its class names, the resize it was trained with (or the requested one), and
 * for a vidclass model the check that --weights is the base it was trained on. */
static int load_model(struct ctx *c)
{
    const struct vc_batch_params *p = c->p;
    int rc = vc_model_load(p->model, &c->model);
    if (rc != VC_OK) return rc;
    const struct vc_model_meta *meta = vc_model_meta(c->model);
    if (p->n_classes > 0 && (rc = vc_model_set_class_names(c->model, p->classes, p->n_classes)) != VC_OK)
        return vc_error(rc, "--classes for model '%s': %s", p->model, vc_last_error());
    if (!meta->has_class_names)
        return vc_error(VC_ERR_INVALID_ARG, "model '%s' is a Keras model file, which holds no class names: give them with "
                        "--classes in the order of its outputs (the tutorial's lb.pickle: sorted, e.g. "
                        "football,tennis,weight_lifting)", p->model);
    c->resize = meta->resize;
    if (p->resize && (rc = vc_resize_parse(p->resize, &c->resize)) != VC_OK) return rc;
    if (c->resize != meta->resize && c->rank == 0)
        VC_LOG_WARN("resizing frames with '%s', but model '%s' was trained on '%s' pixels", vc_resize_name(c->resize),
                    p->model, vc_resize_name(meta->resize));
    if (meta->keras_file) {
        if (p->weights)
            return vc_error(VC_ERR_INVALID_ARG, "model '%s' is a Keras model file with its own ResNet50 base; drop --weights "
                            "'%s'", p->model, p->weights);
        return VC_OK;
    }
    if (!p->weights)
        return vc_error(VC_ERR_INVALID_ARG, "--weights is required: model '%s' was trained on base weights '%s'", p->model,
                        meta->base_weights);
    char wsha[65] = "";
    if (c->rank == 0) { /* hashing a 100 MB file once is enough */
        if ((rc = vc_sha256_file(p->weights, wsha)) != VC_OK) return rc;
        if (strcmp(wsha, meta->base_weights_sha256) != 0)
            return vc_error(VC_ERR_MISMATCH, "base weights '%s' (sha256 %.12s...) are not the ones model '%s' was trained on "
                            "('%s', sha256 %.12s...)", p->weights, wsha, p->model, meta->base_weights,
                            meta->base_weights_sha256);
    }
    return VC_OK;
}

static void ctx_free(struct ctx *c)
{
    vc_results_close(c->res);
    vc_resnet50_free(&c->net);
    vc_model_free(&c->model);
    vc_smoother_free(&c->sm);
    for (int i = 0; i < N_SLOTS; i++) { free(c->q.s[i].rgb); free(c->q.s[i].idx); free(c->q.s[i].kept); }
    pthread_mutex_destroy(&c->q.mu);
    pthread_cond_destroy(&c->q.cv);
    free(c->x); free(c->feat); free(c->probs); free(c->hws);
    free(c->pending); free(c->per_class);
    free(c->wres.idx); free(c->wres.probs); free(c->wres.lab);
    vlist_free(&c->list);
}

int vc_batch_run(const struct vc_batch_params *p, MPI_Comm comm, struct vc_batch_result *out)
{
    struct ctx c;
    memset(&c, 0, sizeof c);
    memset(out, 0, sizeof *out);
    c.p = p;
    c.comm = comm;
    MPI_Comm_rank(comm, &c.rank);
    MPI_Comm_size(comm, &c.size);
    pthread_mutex_init(&c.q.mu, NULL);
    pthread_cond_init(&c.q.cv, NULL);
    c.last_label = -1;
    vc_h5_quiet();
    c.t0 = MPI_Wtime();
    int rc = VC_OK;
    if (!p->model || (!p->output && !p->annotate_file) || (p->n_inputs == 0 && !p->manifest))
        rc = vc_error(VC_ERR_INVALID_ARG, "model, output and at least one input or a manifest are required");
    else if (p->annotate_file && (p->n_inputs != 1 || p->manifest))
        rc = vc_error(VC_ERR_INVALID_ARG, "an annotated output file needs exactly one input video");
    else if (p->window < 1 || p->frame_stride < 1 || p->batch_size < 1)
        rc = vc_error(VC_ERR_INVALID_ARG, "window, frame_stride and batch_size must be >= 1");
    rc = vc_mpi_agree(comm, rc);
    /* configuration checks, before any work: model, base weights and their match */
    if (rc == VC_OK) rc = vc_mpi_agree(comm, load_model(&c));
    char msha[65] = "";
    if (rc == VC_OK && c.rank == 0) rc = vc_sha256_file(p->model, msha);
    rc = vc_mpi_agree(comm, rc);
    if (rc == VC_OK) {
        const struct vc_model_meta *meta = vc_model_meta(c.model);
        rc = vc_mpi_agree(comm, vc_resnet50_load(meta->keras_file ? p->model : p->weights, &c.net));
    }
    if (rc == VC_OK && c.rank == 0) rc = list_inputs(p, &c.list);
    if (rc == VC_OK && c.rank == 0 && p->annotate_dir && mkdir(p->annotate_dir, 0777) != 0 && errno != EEXIST)
        rc = vc_error(VC_ERR_IO, "cannot create the annotation folder '%s': %s", p->annotate_dir, strerror(errno));
    rc = vc_mpi_agree(comm, rc);
    if (rc == VC_OK) rc = share_list(comm, c.rank, &c.list);
    if (rc != VC_OK) { ctx_free(&c); return rc; }

    /* FFmpeg's own choice of decoder threads is one per core of the node, per rank: with
     * 32 ranks on a 32-core node that is 1,024 threads fighting the CNN for the cores. */
    c.decoder_threads = p->decoder_threads;
    if (c.decoder_threads == 0) {
        MPI_Comm node;
        int local = 1;
        if (MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node) == MPI_SUCCESS) {
            MPI_Comm_size(node, &local);
            MPI_Comm_free(&node);
        }
        if (local > 1) c.decoder_threads = 1;
    }
    c.C = vc_model_meta(c.model)->n_classes;
    c.S = vc_model_meta(c.model)->image_size;
    const int B = p->batch_size;
    const size_t px3 = (size_t)c.S * c.S * 3;
    rc = vc_smoother_init(p->window, c.C, &c.sm);
    c.x = malloc(sizeof(float) * px3 * (size_t)B);
    c.feat = malloc(sizeof(float) * VC_RESNET50_FEATURES * (size_t)B);
    c.hws = malloc(sizeof(float) * vc_model_workspace_floats(c.model, B));
    c.per_class = calloc((size_t)c.C, sizeof(int64_t));
    c.q.B = B;
    c.q.S = c.S;
    for (int i = 0; i < N_SLOTS; i++) {
        c.q.s[i].rgb = malloc(px3 * (size_t)B);
        c.q.s[i].idx = malloc(sizeof(int64_t) * (size_t)B);
        if (!c.q.s[i].rgb || !c.q.s[i].idx) rc = VC_ERR_NOMEM;
    }
    if (!c.x || !c.feat || !c.hws || !c.per_class) rc = VC_ERR_NOMEM;
    rc = vc_mpi_agree(comm, rc);
    out->n_videos = c.list.n;
    if (rc == VC_OK && c.rank == 0) {
        c.pending = malloc(sizeof(int64_t) * (size_t)(c.list.n ? c.list.n : 1));
        rc = c.pending ? VC_OK : VC_ERR_NOMEM;
        if (rc == VC_OK && p->output) {
            char mpath[PATH_MAX];
            if (!realpath(p->model, mpath)) snprintf(mpath, sizeof mpath, "%s", p->model);
            const struct vc_model_meta *meta = vc_model_meta(c.model);
            struct vc_results_info info = { (const char *const *)meta->class_names, meta->n_classes, p->window,
                                            p->frame_stride, mpath, msha };
            rc = vc_results_open(p->output, &info, p->resume, &c.res);
        }
        for (int64_t i = 0; rc == VC_OK && i < c.list.n; i++)
            if (c.res && vc_results_has(c.res, c.list.paths[i])) {
                out->n_resumed++;
            } else {
                c.pending[c.n_pending++] = i;
                c.total_bytes += c.list.sizes[i];
            }
        /* longest first (by file size), ties in path order */
        struct ventry *q = rc == VC_OK ? malloc(sizeof *q * (size_t)(c.n_pending ? c.n_pending : 1)) : NULL;
        if (rc == VC_OK && !q) rc = VC_ERR_NOMEM;
        for (int64_t i = 0; q && i < c.n_pending; i++) q[i] = (struct ventry){ NULL, c.list.sizes[c.pending[i]], c.pending[i] };
        if (q) qsort(q, (size_t)c.n_pending, sizeof *q, cmp_ventry_longest);
        for (int64_t i = 0; q && i < c.n_pending; i++) c.pending[i] = q[i].index;
        free(q);
        if (rc == VC_OK && !p->quiet)
            VC_LOG_INFO("batch: %lld videos listed, %lld already complete in %s, %lld to do on %d rank%s",
                        (long long)c.list.n, (long long)out->n_resumed, p->output ? p->output : "(no results file)",
                        (long long)c.n_pending, c.size,
                        c.size > 1 ? "s" : "");
    }
    rc = vc_mpi_agree(comm, rc);
    if (rc != VC_OK) { ctx_free(&c); return rc; }

    c.active_workers = c.size - 1;
    c.t_progress = MPI_Wtime();
    rc = c.rank == 0 ? run_rank0(&c) : run_worker(&c);
    rc = vc_mpi_agree(comm, rc);
    /* whatever happened, every video recorded in the journal goes into the results file
     * (unless the journal itself could not be written: then it is left for a rerun) */
    int frc = VC_OK;
    if (c.res && c.write_rc == VC_OK) {
        frc = vc_results_finish(c.res);
        if (frc != VC_OK) VC_LOG_ERR("%s (the journal is kept: a rerun resumes from it)", vc_last_error());
    }
    frc = vc_mpi_agree(comm, frc);
    if (rc == VC_OK) rc = frc;

    /* summary: per-rank frames and busy time on rank 0 */
    double mine[3] = { c.busy, (double)c.my_frames, c.decode_s }, *all = c.rank == 0 ? calloc((size_t)c.size * 3, sizeof(double)) : NULL;
    MPI_Gather(mine, 3, MPI_DOUBLE, all, 3, MPI_DOUBLE, 0, comm);
    if (c.rank == 0) {
        out->n_done = c.n_done;
        out->n_failed = c.n_failed;
        out->frames = c.frames;
        out->seconds = MPI_Wtime() - c.t0;
        out->last_label = c.last_label;
        out->last_confidence = c.last_conf;
        out->last_frames = c.last_frames;
        if (!p->quiet) {
            VC_LOG_INFO("summary: %lld videos classified (%lld failed), %lld frames in %.1f s = %.1f frames/s overall",
                        (long long)c.n_done, (long long)c.n_failed, (long long)c.frames, out->seconds,
                        (double)c.frames / (out->seconds > 0 ? out->seconds : 1));
            for (int k = 0; k < c.C; k++)
                VC_LOG_INFO("  %-24s %lld videos", vc_model_meta(c.model)->class_names[k], (long long)c.per_class[k]);
            for (int r = 0; all && r < c.size; r++)
                VC_LOG_INFO("  rank %d: %.0f frames, busy %.1f s of %.1f s, %.1f frames/s while busy; decode thread %.1f s "
                            "(overlapped)", r, all[3 * r + 1], all[3 * r], out->seconds,
                            all[3 * r] > 0 ? all[3 * r + 1] / all[3 * r] : 0.0, all[3 * r + 2]);
            VC_LOG_INFO("  results journal: %lld records written in %.3f s", (long long)c.n_done, c.record_s);
        }
    }
    free(all);
    MPI_Bcast(out, (int)sizeof *out, MPI_BYTE, 0, comm);
    ctx_free(&c);
    return rc;
}
