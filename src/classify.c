/* classify.c - one video through the decode thread, the backbone, the head, the smoother
 * and the sinks (see vidclass/classify.h). */
#include "vidclass/classify.h"
#include "vidclass/log.h"
#include "vidclass/preprocess.h"
#include "vidclass/smooth.h"
#include "vidclass/status.h"
#include "video_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_SLOTS 3 /* frame batches queued between the decode thread and the CNN */
#define MSG_LEN 1024

struct vc_classify_params vc_classify_default_params(void)
{
    struct vc_classify_params p = { 128, 1, 16, 0, VC_RESIZE_LINEAR, 16, VC_SMOOTH_TRAILING, 0.0f };
    return p;
}

/* One batch of frames from the decoder: the classified ones as pixels, and (for frame
 * sinks) every decoded frame up to the last one. */
struct slot {
    uint8_t  *rgb;
    int64_t  *idx;
    double   *time;
    int       n, eof, err, full;
    char      msg[MSG_LEN];
    AVFrame **held;
    int       n_held;
};

struct vc_classifier {
    struct vc_classify_params p;
    vc_backbone    *bb;
    const vc_model *model;
    vc_smoother    *sm;
    int             S, C, F;
    float          *x, *feat, *hws, *mean;
    double         *sum;
    /* the decode thread's ring */
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    struct slot     s[N_SLOTS];
    int             head, tail, stop, keep;
    vc_video       *v;
    double          decode_s;
    struct vc_classifier_stats stats;
};

int vc_classifier_init(const struct vc_classify_params *p, vc_backbone *bb, const vc_model *model, vc_classifier **out)
{
    *out = NULL;
    const struct vc_model_meta *meta = vc_model_meta(model);
    if (p->window < 1 || p->frame_stride < 1 || p->batch_size < 1)
        return vc_error(VC_ERR_INVALID_ARG, "window, frame_stride and batch_size must be >= 1");
    vc_classifier *c = calloc(1, sizeof *c);
    if (!c) return vc_error(VC_ERR_NOMEM, "out of memory");
    c->p = *p;
    if (c->p.max_held_frames < 1) c->p.max_held_frames = 16;
    c->bb = bb;
    c->model = model;
    c->S = meta->image_size;
    c->C = meta->n_classes;
    c->F = vc_backbone_feature_size(bb);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    const size_t B = (size_t)p->batch_size, px3 = (size_t)c->S * c->S * 3;
    int rc = vc_smoother_init(p->window, c->C, &c->sm);
    c->x = malloc(sizeof(float) * px3 * B);
    c->feat = malloc(sizeof(float) * (size_t)c->F * B);
    c->hws = malloc(sizeof(float) * vc_model_workspace_floats(model, p->batch_size));
    c->sum = malloc(sizeof(double) * (size_t)c->C);
    c->mean = malloc(sizeof(float) * (size_t)c->C);
    int ok = c->x && c->feat && c->hws && c->sum && c->mean;
    for (int i = 0; i < N_SLOTS; i++) {
        c->s[i].rgb = malloc(px3 * B);
        c->s[i].idx = malloc(sizeof(int64_t) * B);
        c->s[i].time = malloc(sizeof(double) * B);
        c->s[i].held = malloc(sizeof(AVFrame *) * (size_t)c->p.max_held_frames);
        ok = ok && c->s[i].rgb && c->s[i].idx && c->s[i].time && c->s[i].held;
    }
    if (rc == VC_OK && !ok)
        rc = vc_error(VC_ERR_NOMEM, "cannot allocate %d frame batches of %d frames at %dx%d", N_SLOTS, p->batch_size, c->S, c->S);
    if (rc == VC_OK && c->F != vc_model_input_size(model))
        rc = vc_error(VC_ERR_MISMATCH, "backbone '%s' gives %d features; the model's head takes %d", vc_backbone_name(bb), c->F,
                      vc_model_input_size(model));
    if (rc != VC_OK) {
        vc_classifier_free(&c);
        return rc;
    }
    *out = c;
    return VC_OK;
}

void vc_classifier_free(vc_classifier **cp)
{
    if (!cp || !*cp) return;
    vc_classifier *c = *cp;
    vc_smoother_free(&c->sm);
    for (int i = 0; i < N_SLOTS; i++) {
        free(c->s[i].rgb);
        free(c->s[i].idx);
        free(c->s[i].time);
        free(c->s[i].held);
    }
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c->x);
    free(c->feat);
    free(c->hws);
    free(c->sum);
    free(c->mean);
    free(c);
    *cp = NULL;
}

struct vc_classifier_stats vc_classifier_get_stats(const vc_classifier *c) { return c->stats; }

/* ---- the decode thread ------------------------------------------------------------------- */

/* Fill one slot: batch_size classified frames, or max_held_frames held ones, or the end. */
static void fill_slot(vc_classifier *c, struct slot *sl)
{
    const size_t px3 = (size_t)c->S * c->S * 3;
    sl->n = sl->eof = sl->err = sl->n_held = 0;
    while (sl->n < c->p.batch_size && sl->n_held < c->p.max_held_frames) {
        double t = vc_time_now();
        int rc = vc_video_next_frame(c->v, sl->rgb + (size_t)sl->n * px3, &sl->idx[sl->n], &sl->time[sl->n]);
        c->decode_s += vc_time_now() - t;
        for (AVFrame *f; c->keep && sl->n_held < c->p.max_held_frames && (f = vc_video_take_kept(c->v)) != NULL;)
            sl->held[sl->n_held++] = f;
        if (rc == 1) sl->n++;
        else if (rc == 0) sl->eof = 1;
        else if (rc < 0) {
            sl->err = rc;
            snprintf(sl->msg, sizeof sl->msg, "%s", vc_last_error()); /* thread-local: copy */
        }
        if (rc <= 0) break;
    }
}

static void *decode_main(void *arg)
{
    vc_classifier *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        while (c->s[c->tail].full && !c->stop) pthread_cond_wait(&c->cv, &c->mu);
        int stop = c->stop;
        struct slot *sl = &c->s[c->tail];
        pthread_mutex_unlock(&c->mu);
        if (stop) return NULL;
        fill_slot(c, sl);
        pthread_mutex_lock(&c->mu);
        sl->full = 1;
        int last = sl->eof || sl->err;
        c->tail = (c->tail + 1) % N_SLOTS;
        pthread_cond_broadcast(&c->cv);
        pthread_mutex_unlock(&c->mu);
        if (last) return NULL;
    }
}

static struct slot *wait_slot(vc_classifier *c)
{
    pthread_mutex_lock(&c->mu);
    while (!c->s[c->head].full) pthread_cond_wait(&c->cv, &c->mu);
    struct slot *sl = &c->s[c->head];
    pthread_mutex_unlock(&c->mu);
    return sl;
}

static void release_slot(vc_classifier *c, struct slot *sl)
{
    for (int k = 0; k < sl->n_held; k++) av_frame_free(&sl->held[k]);
    sl->n_held = 0;
    pthread_mutex_lock(&c->mu);
    sl->full = 0;
    c->head = (c->head + 1) % N_SLOTS;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

static void stop_decoder(vc_classifier *c, pthread_t th)
{
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(th, NULL);
    for (int i = 0; i < N_SLOTS; i++) { /* frames of slots not consumed (a failure stopped early) */
        for (int k = 0; k < c->s[i].n_held; k++) av_frame_free(&c->s[i].held[k]);
        c->s[i].n_held = 0;
    }
}

/* ---- the CNN side ----------------------------------------------------------------------- */

/* A sink failed: the video fails with the first such message; the sink is not called again. */
static void sink_failed(struct vc_record *rec, int *dead, int i, const vc_sink *s)
{
    char msg[MSG_LEN];
    if (rec->status == 0) {
        snprintf(msg, sizeof msg, "%s: %s", vc_sink_name(s), vc_last_error());
        vc_record_fail(rec, msg);
    }
    dead[i] = 1;
}

/* Classify the frames of one slot into rec. */
static int classify_slot(vc_classifier *c, const struct slot *sl, struct vc_record *rec)
{
    const size_t px = (size_t)c->S * c->S;
    vc_preprocess_rgb8(sl->rgb, px * (size_t)sl->n, vc_model_meta(c->model)->preprocess, c->x);
    int rc = vc_backbone_features(c->bb, c->x, sl->n, c->S, c->S, c->feat);
    if (rc == VC_OK) rc = vc_record_reserve(rec, rec->n + sl->n, c->C);
    if (rc != VC_OK) return rc;
    vc_model_predict(c->model, c->feat, sl->n, rec->probs + (size_t)rec->n * c->C, c->hws);
    float *mean = c->mean;
    for (int k = 0; k < sl->n; k++) {
        const int64_t row = rec->n + k;
        const float *pk = rec->probs + (size_t)row * c->C;
        rec->index[row] = sl->idx[k];
        rec->time[row] = sl->time[k];
        int label = vc_smoother_push(c->sm, pk, mean);
        rec->frame_label[row] = mean[label] < c->p.min_confidence ? -1 : label;
        rec->frame_confidence[row] = mean[label];
        for (int j = 0; j < c->C; j++) c->sum[j] += pk[j];
    }
    rec->n += sl->n;
    return VC_OK;
}

/* Every held frame of the slot to the frame sinks, each with the smoothed label of the
 * last classified frame at or before it. */
static void frames_to_sinks(vc_classifier *c, const struct slot *sl, struct vc_record *rec, vc_sink *const *sinks,
                            int n_sinks, int *dead, int *cur_label, float *cur_conf)
{
    const int64_t first = rec->n - sl->n;
    for (int k = 0, j = 0; k < sl->n_held; k++) {
        const AVFrame *f = sl->held[k];
        for (; j < sl->n && sl->idx[j] <= f->pts; j++) {
            *cur_label = rec->frame_label[first + j];
            *cur_conf = rec->frame_confidence[first + j];
        }
        struct vc_sink_frame sf = { f->pts, *cur_label, *cur_conf, f };
        for (int i = 0; i < n_sinks; i++)
            if (!dead[i] && vc_sink_wants_frames(sinks[i]) && vc_sink_frame(sinks[i], &sf) != VC_OK)
                sink_failed(rec, dead, i, sinks[i]);
    }
}

/* Decode and classify until the end, a decode error or a failure of this process. */
static int run_frames(vc_classifier *c, struct vc_record *rec, vc_sink *const *sinks, int n_sinks, int *dead,
                      void (*poll)(void *), void *user)
{
    pthread_t th;
    for (int i = 0; i < N_SLOTS; i++) c->s[i].full = c->s[i].n_held = 0;
    c->head = c->tail = c->stop = 0;
    if (pthread_create(&th, NULL, decode_main, c) != 0)
        return vc_error(VC_ERR_NOMEM, "cannot start the decode thread");
    int rc = VC_OK, label = -1;
    float conf = 0.0f;
    for (int fin = 0; rc == VC_OK && !fin;) {
        struct slot *sl = wait_slot(c);
        if (sl->n > 0) rc = classify_slot(c, sl, rec);
        if (rc == VC_OK) frames_to_sinks(c, sl, rec, sinks, n_sinks, dead, &label, &conf);
        if (sl->err && rec->status == 0) vc_record_fail(rec, sl->msg);
        fin = sl->eof || sl->err;
        release_slot(c, sl);
        if (poll) poll(user);
    }
    stop_decoder(c, th);
    return rc;
}

/* The whole video's labels again with the window centred on each frame. */
static int centered_labels(const vc_classifier *c, struct vc_record *rec)
{
    int rc = vc_smooth_centered(rec->probs, rec->n, c->C, c->p.window, rec->frame_label, rec->frame_confidence);
    for (int64_t i = 0; rc == VC_OK && i < rec->n; i++)
        if (rec->frame_confidence[i] < c->p.min_confidence) rec->frame_label[i] = -1;
    return rc;
}

int vc_classifier_run(vc_classifier *c, const char *path, const char *name, vc_sink *const *sinks, int n_sinks,
                      struct vc_record *rec, void (*poll)(void *), void *user)
{
    double t0 = vc_time_now();
    int rc = vc_record_start(rec, path), dead[32] = { 0 };
    if (rc != VC_OK) return rc;
    if (n_sinks > 32) return vc_error(VC_ERR_INVALID_ARG, "%s: at most 32 sinks", __func__);
    const struct vc_model_meta *meta = vc_model_meta(c->model);
    struct vc_video_params vp = { .size = c->S, .stride = c->p.frame_stride, .decoder_threads = c->p.decoder_threads,
                                  .resize = c->p.resize };
    c->v = NULL;
    if (vc_video_open(path, &vp, &c->v) != VC_OK) {
        rc = vc_record_fail(rec, vc_last_error()); /* a bad input is a result, not an error of the run */
    } else {
        const struct vc_video_info *info = vc_video_get_info(c->v);
        const char *base = strrchr(path, '/');
        struct vc_sink_video sv = { path, name ? name : base ? base + 1 : path, info, meta->class_names, meta->n_classes };
        rec->fps = info->fps;
        rec->duration = info->duration;
        c->keep = 0;
        for (int i = 0; i < n_sinks; i++) {
            if (vc_sink_begin(sinks[i], &sv) != VC_OK) sink_failed(rec, dead, i, sinks[i]);
            else if (vc_sink_wants_frames(sinks[i])) c->keep = 1;
        }
        vc_video_keep_frames(c->v, c->keep);
        vc_smoother_reset(c->sm);
        memset(c->sum, 0, sizeof(double) * (size_t)c->C);
        c->decode_s = 0;
        rc = run_frames(c, rec, sinks, n_sinks, dead, poll, user);
        c->stats.decode_s += c->decode_s;
        vc_video_close(&c->v);
    }
    if (rc == VC_OK && rec->n == 0 && rec->status == 0) {
        char msg[MSG_LEN];
        snprintf(msg, sizeof msg, "'%s': no frames could be decoded", path);
        rc = vc_record_fail(rec, msg);
    }
    if (rc == VC_OK && rec->n > 0) {
        int best = 0;
        for (int j = 1; j < c->C; j++) if (c->sum[j] > c->sum[best]) best = j;
        rec->confidence = (float)(c->sum[best] / (double)rec->n);
        rec->label = rec->confidence < c->p.min_confidence ? -1 : best;
        if (c->p.smoothing == VC_SMOOTH_CENTERED) rc = centered_labels(c, rec);
    }
    if (rc != VC_OK) { /* this process failed, not the input: the sinks still close their outputs */
        char msg[MSG_LEN];
        snprintf(msg, sizeof msg, "%s", vc_last_error());
        vc_record_fail(rec, msg);
        vc_error(rc, "%s", msg);
    }
    for (int i = 0; i < n_sinks; i++)
        if (vc_sink_end(sinks[i], rec) != VC_OK && !dead[i]) sink_failed(rec, dead, i, sinks[i]);
    c->stats.busy_s += vc_time_now() - t0;
    c->stats.frames += rec->n;
    c->stats.videos++;
    return rc;
}
