/* test_classify.c - the per-video pipeline as a library user runs it (vidclass/classify.h):
 * a custom sink sees begin, every decoded frame with the smoothed label in force at it,
 * and end with the record; a frame sink's held frames stay bounded whatever the stride;
 * a failing sink fails the video (status 1, its message) but not the run; the record's
 * encoding round-trips and a damaged encoding is refused; the "null" backbone and a
 * registered backbone of the user's plug in through vidclass/backbone.h. */
#include "test_util.h"
#include "vidclass/classify.h"
#include "vidclass/gemm.h"
#include "vidclass/head.h"
#include "vidclass/model.h"
#include "vidclass/status.h"

#include <stdint.h>

struct counting {
    int     begun, ended, frames, fail_at, labels_ok;
    int64_t last_index;
    int     ended_status;
    const struct vc_record *rec;
};

static int c_begin(void *self, const struct vc_sink_video *v)
{
    struct counting *s = self;
    s->begun++;
    s->frames = 0;
    s->last_index = -1;
    s->labels_ok = v->n_classes == 3 && v->info->width == 160;
    return VC_OK;
}

static int c_frame(void *self, const struct vc_sink_frame *f)
{
    struct counting *s = self;
    if (f->index != s->last_index + 1 || f->label < 0 || f->av_frame == NULL) s->labels_ok = 0;
    s->last_index = f->index;
    if (++s->frames == s->fail_at) return vc_error(VC_ERR_IO, "counting sink: told to fail at frame %d", s->fail_at);
    return VC_OK;
}

static int c_end(void *self, const struct vc_record *r)
{
    struct counting *s = self;
    s->ended++;
    s->ended_status = r->status;
    return VC_OK;
}

static const struct vc_sink_ops k_counting = { "counting", 1, c_begin, c_frame, c_end, NULL, NULL };

/* A user's backbone: like "null" but registered under another name. */
static int u_load(const struct vc_backbone_params *p, void **impl) { (void)p; *impl = NULL; return VC_OK; }
static int u_features(void *impl, const float *x, int n, int h, int w, float *feat)
{
    const struct vc_backbone_ops *null = vc_backbone_find("null");
    return null->features(impl, x, n, h, w, feat);
}
static int u_size(const void *impl) { (void)impl; return 2048; }
static void u_free(void *impl) { (void)impl; }
static const struct vc_backbone_ops k_user = { "users-own", u_load, u_features, u_size, NULL, u_free, NULL };

static vc_model *make_model(void)
{
    struct vc_head_shape s = { 2048, 8, 3 };
    float *params = malloc(sizeof(float) * vc_head_param_count(&s));
    vc_head_init(&s, 5, params);
    struct vc_model_meta meta = { 0 };
    const char *names[3] = { "a", "b", "c" };
    meta.n_classes = 3;
    for (int i = 0; i < 3; i++) meta.class_names[i] = names[i];
    meta.image_size = 64;
    snprintf(meta.backbone, sizeof meta.backbone, "null");
    snprintf(meta.base_weights_sha256, sizeof meta.base_weights_sha256, "%064d", 0);
    vc_model *m = NULL;
    CHECK(vc_model_save(P("m.h5"), &s, params, &meta) == VC_OK && vc_model_load(P("m.h5"), &m) == VC_OK, "model: %s",
          vc_last_error());
    free(params);
    return m;
}

int main(void)
{
    vc_blas_set_threads(1);
    snprintf(g_dir, sizeof g_dir, "%s", test_tmpdir("classify"));
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ffmpeg -v error -y -f lavfi -i testsrc2=s=160x120:d=2:r=25 -pix_fmt yuv420p %s", P("c.mp4"));
    CHECK(system(cmd) == 0, "ffmpeg");
    vc_model *m = make_model();
    vc_backbone *bb = NULL;
    CHECK(m && vc_backbone_load("null", NULL, &bb) == VC_OK, "null backbone: %s", vc_last_error());
    if (!m || !bb) return test_finish("test_classify");

    struct counting cs = { 0 };
    vc_sink *sink = NULL;
    CHECK(vc_sink_create(&k_counting, &cs, &sink) == VC_OK, "sink");
    struct vc_classify_params p = vc_classify_default_params();
    p.frame_stride = 7;
    p.batch_size = 4;
    p.max_held_frames = 3; /* stride 7 > 3 held frames: slots are handed on early */
    p.window = 3;
    vc_classifier *c = NULL;
    struct vc_record rec = { 0 };
    CHECK(vc_classifier_init(&p, bb, m, &c) == VC_OK, "init: %s", vc_last_error());
    int rc = vc_classifier_run(c, P("c.mp4"), NULL, &sink, 1, &rec, NULL, NULL);
    CHECK(rc == VC_OK && rec.status == 0, "run: %s %s", vc_last_error(), rec.error ? rec.error : "");
    printf("50 frames, stride 7, 3 held frames per slot: %lld classified, %d frames to the sink\n", (long long)rec.n, cs.frames);
    CHECK(rec.n == 8 && cs.frames == 50 && cs.begun == 1 && cs.ended == 1 && cs.labels_ok, "classified %lld, sink saw %d "
          "frames in order: %d", (long long)rec.n, cs.frames, cs.labels_ok);
    for (int64_t i = 0; i < rec.n; i++) CHECK(rec.index[i] == 7 * i, "frame %lld has index %lld", (long long)i, (long long)rec.index[i]);
    CHECK(fabs(rec.time[1] - 7 / 25.0) < 1e-9, "time of frame 7: %g", rec.time[1]);
    float first_probs[8 * 3];
    memcpy(first_probs, rec.probs, sizeof first_probs);

    /* the record's one encoding round-trips; a truncated one is refused */
    size_t n = vc_record_encoded_size(&rec, 3);
    uint8_t *buf = malloc(n);
    vc_record_encode(&rec, 3, buf);
    struct vc_record back = { 0 };
    CHECK(vc_record_decode(buf, n, 3, &back) == VC_OK && back.n == rec.n && strcmp(back.path, rec.path) == 0 &&
          memcmp(back.probs, rec.probs, sizeof(float) * 3 * (size_t)rec.n) == 0 && back.label == rec.label,
          "record round trip");
    CHECK(vc_record_decode(buf, n - 3, 3, &back) == VC_ERR_FORMAT, "a truncated record decoded");
    CHECK(vc_record_decode(buf, n, 4, &back) == VC_ERR_FORMAT, "a record decoded with the wrong class count");
    free(buf);
    vc_record_free(&back);

    /* a sink that fails fails the video (with its message), not the run */
    cs.fail_at = 10;
    rc = vc_classifier_run(c, P("c.mp4"), NULL, &sink, 1, &rec, NULL, NULL);
    printf("failing sink -> status %d: %s\n", rec.status, rec.error);
    CHECK(rc == VC_OK && rec.status == 1 && strstr(rec.error, "told to fail at frame 10") && cs.ended_status == 1,
          "a failing sink: rc %d status %d '%s'", rc, rec.status, rec.error);
    cs.fail_at = 0;

    /* a bad input is a result */
    rc = vc_classifier_run(c, P("missing.mp4"), NULL, &sink, 1, &rec, NULL, NULL);
    CHECK(rc == VC_OK && rec.status == 1 && strstr(rec.error, "missing.mp4") && rec.n == 0, "missing input: %s", rec.error);
    vc_classifier_free(&c);

    /* a user's backbone, registered, is found and used */
    vc_backbone *ub = NULL;
    CHECK(vc_backbone_register(&k_user) == VC_OK && vc_backbone_load("users-own", NULL, &ub) == VC_OK, "register");
    CHECK(ub && strcmp(vc_backbone_layout(ub), "") == 0 && strcmp(vc_backbone_product(ub), "") == 0,
          "a backbone without the optional layout and product ops: not \"\"");
    struct vc_record rec2 = { 0 };
    if (ub && vc_classifier_init(&p, ub, m, &c) == VC_OK) {
        /* same features; other batch sizes may round the head's GEMMs differently */
        int ok = vc_classifier_run(c, P("c.mp4"), NULL, NULL, 0, &rec2, NULL, NULL) == VC_OK && rec2.n == 8;
        for (int i = 0; ok && i < 8 * 3; i++) ok = fabsf(rec2.probs[i] - first_probs[i]) < 1e-6f;
        CHECK(ok, "the user's backbone: %lld frames, other probabilities", (long long)rec2.n);
        vc_classifier_free(&c);
    }
    vc_backbone_free(&ub);
    CHECK(vc_backbone_load("no-such", NULL, &ub) == VC_ERR_UNSUPPORTED && strstr(vc_last_error(), "no backbone called"),
          "unknown backbone: %s", vc_last_error());
    vc_record_free(&rec);
    vc_record_free(&rec2);
    vc_sink_free(&sink);
    vc_backbone_free(&bb);
    vc_model_free(&m);
    return test_finish("test_classify");
}
