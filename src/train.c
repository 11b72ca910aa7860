/* train.c - data-parallel head training over MPI (see vidclass/train.h). */
#define _DEFAULT_SOURCE /* realpath */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/train.h"
#include "vidclass/hash.h"
#include "vidclass/head.h"
#include "vidclass/log.h"
#include "vidclass/model.h"
#include "vidclass/report.h"
#include "vidclass/backbone.h"
#include "vidclass/rng.h"
#include "vidclass/status.h"
#include "h5util.h"
#include "packread.h"
#include "mpiutil.h"
#include "fsutil.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FEAT 2048 /* the head's input: ResNet50's feature size (checked at setup) */
/* RNG stream tags: each use of randomness has its own keyed stream */
#define TAG_SHUFFLE 0x5348554646ull /* "SHUFF" */
#define TAG_AUGMENT 0x4155474dull   /* "AUGM"  */
#define TAG_VIEW    0x56494557ull   /* "VIEW"  */
#define VIEW_KEY_BASE (1ull << 40)  /* augmentation key of cached view v: BASE + v (epochs stay below) */

struct vc_train_params vc_train_default_params(void)
{
    struct vc_train_params p;
    memset(&p, 0, sizeof p);
    p.epochs = 25;
    p.batch_size = 32;
    p.seed = 42;
    p.lr = 1e-4;
    p.momentum = 0.9;
    p.decay = -1.0;
    p.dropout = 0.5;
    p.hidden = 512;
    p.preprocess = VC_PREPROCESS_CAFFE;
    p.forward_batch = 16;
    p.augment = vc_augment_default_params();
    return p;
}

struct trainer {
    const struct vc_train_params *p;
    MPI_Comm comm;
    int rank, size;
    double decay;
    /* pack */
    struct vc_pack_in pk; /* the pack, checked (packread.h) */
    int S, C;
    int64_t n_rows, *train_rows, n_train, *test_rows, n_test;
    char weights_sha[65], pack_sha[65];
    /* network and head */
    vc_backbone *net;
    struct vc_head_shape hs;
    size_t P;
    float *params, *velocity, *grad, *hws, *mask;
    /* features */
    float *test_feat;  /* [n_test, FEAT], on every rank                */
    float *cache_feat; /* [n_train * V, FEAT], on every rank, V >= 1   */
    float *batch_feat; /* [batch, FEAT]                                */
    int32_t *batch_lab;
    uint8_t *img;
    float *x;
    /* progress */
    struct vc_history hist;
    int64_t iteration;
    int start_epoch;
    char out_model[4200], out_ckpt[4200], out_cache[4200];
};

static void block(int64_t n, int rank, int size, int64_t *lo, int64_t *hi)
{
    *lo = n * rank / size;
    *hi = n * (rank + 1) / size;
}

/* ---- setup -------------------------------------------------------------------------- */

static int open_pack(struct trainer *t)
{
    const char *path = t->p->pack;
    int rc = vc_pack_in_open(path, VC_MAX_CLASSES, &t->pk);
    if (rc != VC_OK) return rc;
    t->S = t->pk.S;
    t->C = t->pk.C;
    t->n_rows = t->pk.n;
    if (t->p->n_classes > 0) {
        int same = t->p->n_classes == t->C;
        for (int c = 0; same && c < t->C; c++)
            same = strcmp(t->p->classes[c], t->pk.classes.items[c]) == 0;
        if (!same) {
            char have[1024] = "";
            for (int c = 0; c < t->C && strlen(have) < 900; c++)
                snprintf(have + strlen(have), sizeof have - strlen(have), "%s%s", c ? ", " : "", t->pk.classes.items[c]);
            return vc_error(VC_ERR_MISMATCH, "the configured classes differ from the pack's classes (%s) in label order", have);
        }
    }
    t->train_rows = malloc(sizeof(int64_t) * (size_t)t->n_rows);
    t->test_rows = malloc(sizeof(int64_t) * (size_t)t->n_rows);
    if (!t->train_rows || !t->test_rows) return VC_NOMEM;
    for (int64_t i = 0; i < t->n_rows; i++) {
        if (t->pk.split[i] == 0) t->train_rows[t->n_train++] = i;
        else t->test_rows[t->n_test++] = i;
    }
    if (t->n_train == 0) return vc_error(VC_ERR_FORMAT, "pack '%s' has no training rows (/split is all 1)", path);
    if (t->n_test == 0) return vc_error(VC_ERR_FORMAT, "pack '%s' has no test rows: pack it with --test-fraction > 0", path);
    return VC_OK;
}

/* Rank 0 hashes the weights and the pack; everyone gets the digests. */
static int hash_inputs(struct trainer *t)
{
    int rc = VC_OK;
    if (t->rank == 0) {
        rc = vc_sha256_file(t->p->weights, t->weights_sha);
        if (rc == VC_OK) rc = vc_sha256_file(t->p->pack, t->pack_sha);
    }
    rc = vc_mpi_agree(t->comm, rc);
    if (rc == VC_OK && (MPI_Bcast(t->weights_sha, 65, MPI_CHAR, 0, t->comm) != MPI_SUCCESS ||
                        MPI_Bcast(t->pack_sha, 65, MPI_CHAR, 0, t->comm) != MPI_SUCCESS))
        rc = vc_error(VC_ERR_MPI, "broadcast of input digests failed");
    return rc;
}

/* ---- features ----------------------------------------------------------------------- */

static void draw_transform(const struct trainer *t, uint64_t key, int64_t row, struct vc_affine *tf)
{
    struct vc_rng r;
    vc_rng_seed(&r, t->p->seed ^ TAG_AUGMENT, key, (uint64_t)row);
    vc_augment_draw(&t->p->augment, &r, t->S, t->S, tf);
}

/* Base features of pack rows; augmented with key (epoch or view key) unless clean. */
static int compute_features(struct trainer *t, const int64_t *rows, int64_t n, int clean,
                            const uint64_t *keys, float *out)
{
    const int fb = t->p->forward_batch, S = t->S;
    const size_t px = (size_t)S * S;
    for (int64_t i0 = 0; i0 < n; i0 += fb) {
        int cnt = (int)(n - i0 < fb ? n - i0 : fb);
        for (int j = 0; j < cnt; j++) {
            int rc = vc_h5_read_rows(t->pk.images, H5T_NATIVE_UINT8, (hsize_t)rows[i0 + j], 1, t->img);
            if (rc != VC_OK)
                return vc_error(rc, "pack '%s': cannot read image row %lld", t->p->pack, (long long)rows[i0 + j]);
            float *xj = t->x + (size_t)j * px * 3;
            if (clean) {
                vc_preprocess_rgb8(t->img, px, t->p->preprocess, xj);
            } else {
                struct vc_affine tf;
                draw_transform(t, keys[i0 + j], rows[i0 + j], &tf);
                vc_augment_apply(&tf, t->img, S, S, xj);
                vc_preprocess_rgbf(xj, px, t->p->preprocess, xj);
            }
        }
        int rc = vc_backbone_features(t->net, t->x, cnt, S, S, out + (size_t)i0 * FEAT);
        if (rc != VC_OK)
            return rc;
    }
    return VC_OK;
}

/* Items [0, n) split in rank blocks; each rank computes its block; all get everything. */
static int compute_shared(struct trainer *t, const int64_t *rows, int64_t n, int clean,
                          const uint64_t *keys, float *all, const char *what)
{
    int64_t lo, hi;
    block(n, t->rank, t->size, &lo, &hi);
    double t0 = MPI_Wtime();
    int rc = VC_OK;
    for (int64_t i = lo; i < hi && rc == VC_OK; i += 64) {
        int64_t m = hi - i < 64 ? hi - i : 64;
        rc = compute_features(t, rows + i, m, clean, keys ? keys + i : NULL, all + (size_t)i * FEAT);
        if (t->rank == 0 && !t->p->quiet && rc == VC_OK)
            VC_LOG_INFO("%s: %lld/%lld images on rank 0 (%d ranks), %.1f images/s per rank", what,
                        (long long)(i + m - lo), (long long)(hi - lo), t->size, (double)(i + m - lo) / (MPI_Wtime() - t0));
    }
    rc = vc_mpi_agree(t->comm, rc);
    if (rc != VC_OK)
        return rc;
    int *counts = malloc(sizeof(int) * (size_t)t->size), *displs = malloc(sizeof(int) * (size_t)t->size);
    if (!counts || !displs || (double)n * FEAT > INT_MAX) {
        free(counts); free(displs);
        return vc_error(VC_ERR_TOO_LARGE, "%s: %lld feature rows do not fit one MPI_Allgatherv", what, (long long)n);
    }
    for (int r = 0; r < t->size; r++) {
        int64_t a, b;
        block(n, r, t->size, &a, &b);
        counts[r] = (int)((b - a) * FEAT);
        displs[r] = (int)(a * FEAT);
    }
    if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_FLOAT, all, counts, displs, MPI_FLOAT, t->comm) != MPI_SUCCESS)
        rc = vc_error(VC_ERR_MPI, "%s: MPI_Allgatherv failed", what);
    free(counts);
    free(displs);
    return rc;
}

static void cache_key(const struct trainer *t, char *key, size_t len)
{
    const struct vc_augment_params *a = &t->p->augment;
    snprintf(key, len, "weights_sha256=%s;pack_sha256=%s;preprocess=%s;views=%d;seed=%llu;size=%d;"
             "augment=%g,%g,%g,%g,%g,%d;format=1",
             t->weights_sha, t->pack_sha, vc_preprocess_name(t->p->preprocess), t->p->augment_views,
             (unsigned long long)t->p->seed, t->S, a->rotation_range, a->zoom_range, a->width_shift_range,
             a->height_shift_range, a->shear_range, a->horizontal_flip);
}

/* 1 if the cache file exists and its key matches (then the features are read into memory). */
static int cache_load(struct trainer *t, const char *key)
{
    const int64_t nv = t->n_train * t->p->augment_views;
    hid_t f = H5I_INVALID_HID, d1 = H5I_INVALID_HID, d2 = H5I_INVALID_HID;
    char have[1024] = "";
    int ok = 0;
    if (access(t->out_cache, R_OK) != 0)
        return 0;
    f = H5Fopen(t->out_cache, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f >= 0 && vc_h5_read_str_attr(f, "key", have, sizeof have) == VC_OK && strcmp(have, key) == 0 &&
        (d1 = H5Dopen2(f, "train_features", H5P_DEFAULT)) >= 0 && (d2 = H5Dopen2(f, "test_features", H5P_DEFAULT)) >= 0 &&
        vc_h5_rows(d1) == nv && vc_h5_rows(d2) == t->n_test &&
        vc_h5_read_rows(d1, H5T_NATIVE_FLOAT, 0, (hsize_t)nv, t->cache_feat) == VC_OK &&
        vc_h5_read_rows(d2, H5T_NATIVE_FLOAT, 0, (hsize_t)t->n_test, t->test_feat) == VC_OK)
        ok = 1;
    if (d1 >= 0) H5Dclose(d1);
    if (d2 >= 0) H5Dclose(d2);
    if (f >= 0) H5Fclose(f);
    return ok;
}

static int cache_save(struct trainer *t, const char *key)
{
    char tmp[PATH_MAX + 64];
    int trc = vc_tmp_create(t->out_cache, tmp, sizeof tmp);
    if (trc != VC_OK) return trc;
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        vc_tmp_discard(tmp);
        return vc_error(VC_ERR_IO, "cannot create feature cache '%s'", tmp);
    }
    hsize_t d1[2] = { (hsize_t)(t->n_train * t->p->augment_views), FEAT }, d2[2] = { (hsize_t)t->n_test, FEAT };
    int rc = vc_h5_reserve(tmp, (int64_t)sizeof(float) * FEAT * (int64_t)(d1[0] + d2[0]) + (1 << 20), "feature cache");
    if (rc == VC_OK) rc = vc_h5_write_f32(f, "train_features", 2, d1, t->cache_feat);
    if (rc == VC_OK) rc = vc_h5_write_f32(f, "test_features", 2, d2, t->test_feat);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "key", key);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "views", t->p->augment_views);
    int crc = vc_h5_close_written(f, tmp, rc != VC_OK, MPI_COMM_NULL);
    if (rc == VC_OK) rc = crc;
    if (rc == VC_OK) rc = vc_tmp_commit(tmp, t->out_cache);
    if (rc != VC_OK) vc_tmp_discard(tmp);
    return rc;
}

/* Clean test features always; V augmented views of every training image when V >= 1. */
static int prepare_features(struct trainer *t)
{
    const int V = t->p->augment_views;
    t->test_feat = malloc(sizeof(float) * (size_t)t->n_test * FEAT);
    if (!t->test_feat) return vc_mpi_agree(t->comm, VC_NOMEM);
    if (V == 0)
        return compute_shared(t, t->test_rows, t->n_test, 1, NULL, t->test_feat, "test features");
    const int64_t nv = t->n_train * V;
    t->cache_feat = malloc(sizeof(float) * (size_t)nv * FEAT);
    if (!t->cache_feat) return vc_mpi_agree(t->comm, vc_error(VC_ERR_NOMEM, "feature cache of %lld rows does not fit in memory", (long long)nv));
    char key[1024];
    cache_key(t, key, sizeof key);
    int ok = cache_load(t, key);
    int all_ok = 0;
    MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, t->comm);
    if (all_ok) {
        if (t->rank == 0 && !t->p->quiet) VC_LOG_INFO("feature cache %s is valid: reusing it", t->out_cache);
        return VC_OK;
    }
    if (t->rank == 0 && !t->p->quiet)
        VC_LOG_INFO("computing the feature cache: %d augmented views x %lld training images + %lld test images",
                    V, (long long)t->n_train, (long long)t->n_test);
    int64_t *rows = malloc(sizeof(int64_t) * (size_t)nv);
    uint64_t *keys = malloc(sizeof(uint64_t) * (size_t)nv);
    int rc = rows && keys ? VC_OK : VC_NOMEM;
    for (int64_t i = 0; rc == VC_OK && i < nv; i++) {
        rows[i] = t->train_rows[i / V];
        keys[i] = VIEW_KEY_BASE + (uint64_t)(i % V);
    }
    rc = vc_mpi_agree(t->comm, rc);
    if (rc == VC_OK) rc = compute_shared(t, rows, nv, 0, keys, t->cache_feat, "feature cache (train views)");
    if (rc == VC_OK) rc = compute_shared(t, t->test_rows, t->n_test, 1, NULL, t->test_feat, "feature cache (test)");
    free(rows);
    free(keys);
    if (rc == VC_OK)
        rc = vc_mpi_agree(t->comm, t->rank == 0 ? cache_save(t, key) : VC_OK);
    return rc;
}

/* ---- checkpoints ----------------------------------------------------------------------- */

static void run_key(const struct trainer *t, char *key, size_t len)
{
    char ck[1024];
    cache_key(t, ck, sizeof ck);
    snprintf(key, len, "%s;lr=%.17g;momentum=%.17g;decay=%.17g;dropout=%.17g;hidden=%d;batch=%d", ck, t->p->lr,
             t->p->momentum, t->decay, t->p->dropout, t->p->hidden, t->p->batch_size);
}

static int checkpoint_save(struct trainer *t, int epochs_done)
{
    char tmp[PATH_MAX + 64], key[2048];
    int trc = vc_tmp_create(t->out_ckpt, tmp, sizeof tmp);
    if (trc != VC_OK) return trc;
    run_key(t, key, sizeof key);
    hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) {
        vc_tmp_discard(tmp);
        return vc_error(VC_ERR_IO, "cannot create checkpoint '%s'", tmp);
    }
    hsize_t dp[1] = { t->P }, dh[1] = { (hsize_t)epochs_done };
    int rc = vc_h5_reserve(tmp, 2 * (int64_t)sizeof(float) * (int64_t)t->P + 4 * 8 * (int64_t)epochs_done + (1 << 20),
                           "checkpoint");
    double *series[4] = { t->hist.loss, t->hist.accuracy, t->hist.val_loss, t->hist.val_accuracy };
    const char *names[4] = { "history/loss", "history/accuracy", "history/val_loss", "history/val_accuracy" };
    if (rc == VC_OK) rc = vc_h5_write_f32(f, "params", 1, dp, t->params);
    if (rc == VC_OK) rc = vc_h5_write_f32(f, "velocity", 1, dp, t->velocity);
    for (int s = 0; s < 4 && rc == VC_OK; s++)
        rc = vc_h5_write_1d(f, names[s], H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dh[0], series[s], 0);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "epochs_done", epochs_done);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "iteration", t->iteration);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "key", key);
    int crc = vc_h5_close_written(f, tmp, rc != VC_OK, MPI_COMM_NULL);
    if (rc == VC_OK) rc = crc;
    if (rc == VC_OK) rc = vc_tmp_commit(tmp, t->out_ckpt); /* fsync'ed: a checkpoint survives a crash */
    if (rc != VC_OK) vc_tmp_discard(tmp);
    return rc;
}

/* Rank 0 reads the checkpoint, then broadcasts. Returns epochs done (0 if none). */
static int checkpoint_load(struct trainer *t, int *epochs_done)
{
    int rc = VC_OK;
    int64_t done = 0, iter = 0;
    *epochs_done = 0;
    if (t->rank == 0 && access(t->out_ckpt, R_OK) == 0) {
        char key[2048], have[2048] = "";
        run_key(t, key, sizeof key);
        hid_t f = H5Fopen(t->out_ckpt, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (f < 0 || vc_h5_read_str_attr(f, "key", have, sizeof have) != VC_OK)
            rc = vc_error(VC_ERR_FORMAT, "checkpoint '%s' is unreadable; remove it to start afresh", t->out_ckpt);
        else if (strcmp(have, key) != 0)
            rc = vc_error(VC_ERR_MISMATCH, "checkpoint '%s' was made with different inputs or settings; "
                          "remove it or use another --output to start afresh", t->out_ckpt);
        if (rc == VC_OK && (vc_h5_read_i64_attr(f, "epochs_done", &done) != VC_OK ||
                            vc_h5_read_i64_attr(f, "iteration", &iter) != VC_OK || done < 0 || done > t->p->epochs))
            rc = vc_error(VC_ERR_FORMAT, "checkpoint '%s': bad epoch count", t->out_ckpt);
        hid_t dp = rc == VC_OK ? H5Dopen2(f, "params", H5P_DEFAULT) : H5I_INVALID_HID;
        hid_t dv = rc == VC_OK ? H5Dopen2(f, "velocity", H5P_DEFAULT) : H5I_INVALID_HID;
        if (rc == VC_OK && (dp < 0 || dv < 0 || vc_h5_rows(dp) != (hssize_t)t->P ||
                            vc_h5_read_rows(dp, H5T_NATIVE_FLOAT, 0, t->P, t->params) != VC_OK ||
                            vc_h5_read_rows(dv, H5T_NATIVE_FLOAT, 0, t->P, t->velocity) != VC_OK))
            rc = vc_error(VC_ERR_FORMAT, "checkpoint '%s': parameters unreadable", t->out_ckpt);
        const char *names[4] = { "history/loss", "history/accuracy", "history/val_loss", "history/val_accuracy" };
        double *series[4] = { t->hist.loss, t->hist.accuracy, t->hist.val_loss, t->hist.val_accuracy };
        for (int s = 0; s < 4 && rc == VC_OK && done > 0; s++) {
            hid_t d = H5Dopen2(f, names[s], H5P_DEFAULT);
            if (d < 0 || vc_h5_read_rows(d, H5T_NATIVE_DOUBLE, 0, (hsize_t)done, series[s]) != VC_OK)
                rc = vc_error(VC_ERR_FORMAT, "checkpoint '%s': %s unreadable", t->out_ckpt, names[s]);
            if (d >= 0) H5Dclose(d);
        }
        if (dp >= 0) H5Dclose(dp);
        if (dv >= 0) H5Dclose(dv);
        if (f >= 0) H5Fclose(f);
    }
    rc = vc_mpi_agree(t->comm, rc);
    if (rc != VC_OK) return rc;
    MPI_Bcast(&done, 1, MPI_INT64_T, 0, t->comm);
    MPI_Bcast(&iter, 1, MPI_INT64_T, 0, t->comm);
    if (done > 0) {
        MPI_Bcast(t->params, (int)t->P, MPI_FLOAT, 0, t->comm);
        MPI_Bcast(t->velocity, (int)t->P, MPI_FLOAT, 0, t->comm);
        MPI_Bcast(t->hist.loss, (int)done, MPI_DOUBLE, 0, t->comm);
        MPI_Bcast(t->hist.accuracy, (int)done, MPI_DOUBLE, 0, t->comm);
        MPI_Bcast(t->hist.val_loss, (int)done, MPI_DOUBLE, 0, t->comm);
        MPI_Bcast(t->hist.val_accuracy, (int)done, MPI_DOUBLE, 0, t->comm);
    }
    t->iteration = iter;
    *epochs_done = (int)done;
    return VC_OK;
}

/* ---- the loop ----------------------------------------------------------------------- */

/* Features, labels and dropout masks for positions [lo, hi) of a batch. */
static int batch_inputs(struct trainer *t, int epoch, const int64_t *perm, int64_t b0, int64_t lo, int64_t hi)
{
    const int V = t->p->augment_views;
    int64_t rows[1024];
    uint64_t keys[1024];
    for (int64_t j = lo; j < hi; j++) {
        int64_t ti = perm[b0 + j], row = t->train_rows[ti];
        int k = (int)(j - lo);
        t->batch_lab[k] = t->pk.labels[row];
        vc_head_dropout_mask(t->hs.hidden, t->p->dropout, t->p->seed, (uint64_t)epoch, (uint64_t)row,
                             t->mask + (size_t)k * t->hs.hidden);
        if (V > 0) {
            struct vc_rng r;
            vc_rng_seed(&r, t->p->seed ^ TAG_VIEW, (uint64_t)epoch, (uint64_t)row);
            int v = (int)(vc_rng_next(&r) % (uint64_t)V);
            memcpy(t->batch_feat + (size_t)k * FEAT, t->cache_feat + ((size_t)ti * V + v) * FEAT, sizeof(float) * FEAT);
        } else {
            rows[k] = row;
            keys[k] = (uint64_t)epoch;
        }
    }
    return V > 0 ? VC_OK : compute_features(t, rows, hi - lo, 0, keys, t->batch_feat);
}

/* Validation on the clean test features: every rank its block, sums reduced. */
static void validate(struct trainer *t, double *loss, double *acc)
{
    int64_t lo, hi;
    block(t->n_test, t->rank, t->size, &lo, &hi);
    double s[2] = { 0.0, 0.0 };
    float *probs = malloc(sizeof(float) * (size_t)t->C * 64);
    for (int64_t i = lo; i < hi && probs; i += 64) {
        int m = (int)(hi - i < 64 ? hi - i : 64);
        vc_head_predict(&t->hs, t->params, t->test_feat + (size_t)i * FEAT, m, probs, t->hws);
        for (int k = 0; k < m; k++) {
            const float *pk = probs + (size_t)k * t->C;
            int y = t->pk.labels[t->test_rows[i + k]], best = 0;
            for (int c = 1; c < t->C; c++) if (pk[c] > pk[best]) best = c;
            s[0] += -log(pk[y] > 1e-30f ? pk[y] : 1e-30);
            s[1] += best == y;
        }
    }
    free(probs);
    MPI_Allreduce(MPI_IN_PLACE, s, 2, MPI_DOUBLE, MPI_SUM, t->comm);
    *loss = s[0] / (double)t->n_test;
    *acc = s[1] / (double)t->n_test;
}

static int train_epochs(struct trainer *t, struct vc_train_result *res)
{
    const int B = t->p->batch_size;
    const int64_t steps = (t->n_train + B - 1) / B;
    int64_t *perm = malloc(sizeof(int64_t) * (size_t)t->n_train);
    if (!perm) return vc_mpi_agree(t->comm, VC_NOMEM);
    int rc = VC_OK;
    for (int epoch = t->start_epoch; epoch < t->p->epochs && rc == VC_OK; epoch++) {
        double te = MPI_Wtime(), tp = te;
        struct vc_rng r;
        vc_rng_seed(&r, t->p->seed ^ TAG_SHUFFLE, (uint64_t)epoch, 0);
        for (int64_t i = 0; i < t->n_train; i++) perm[i] = i;
        for (int64_t i = t->n_train - 1; i > 0; i--) {
            int64_t j = (int64_t)(vc_rng_next(&r) % (uint64_t)(i + 1)), x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }
        double ep_loss = 0.0, ep_hits = 0.0;
        for (int64_t s = 0; s < steps && rc == VC_OK; s++) {
            int64_t b0 = s * B, bn = t->n_train - b0 < B ? t->n_train - b0 : B, lo, hi;
            block(bn, t->rank, t->size, &lo, &hi);
            rc = vc_mpi_agree(t->comm, batch_inputs(t, epoch, perm, b0, lo, hi));
            if (rc != VC_OK) break;
            memset(t->grad, 0, sizeof(float) * (t->P + 2));
            double loss = 0.0;
            int64_t hits = 0;
            vc_head_train_batch(&t->hs, t->params, t->batch_feat, t->batch_lab, (int)(hi - lo), t->mask,
                                1.0f / (float)bn, t->grad, &loss, &hits, t->hws);
            t->grad[t->P] = (float)loss;
            t->grad[t->P + 1] = (float)hits;
            if (MPI_Allreduce(MPI_IN_PLACE, t->grad, (int)(t->P + 2), MPI_FLOAT, MPI_SUM, t->comm) != MPI_SUCCESS) {
                rc = vc_error(VC_ERR_MPI, "gradient MPI_Allreduce failed");
                break;
            }
            vc_sgd_step(t->params, t->grad, t->velocity, t->P, t->p->lr, t->p->momentum, t->decay, t->iteration);
            t->iteration++;
            ep_loss += t->grad[t->P];
            ep_hits += t->grad[t->P + 1];
            double now = MPI_Wtime();
            if (t->rank == 0 && !t->p->quiet && now - tp >= 1.0 && s + 1 < steps) {
                tp = now;
                VC_LOG_INFO("epoch %d/%d: step %lld/%lld, loss %.4f, %.0f ms/step", epoch + 1, t->p->epochs,
                            (long long)(s + 1), (long long)steps, ep_loss / (double)(b0 + bn), 1e3 * (now - te) / (double)(s + 1));
            }
        }
        if (rc != VC_OK) break;
        double vl, va, el = MPI_Wtime() - te;
        validate(t, &vl, &va);
        int e = epoch;
        t->hist.loss[e] = ep_loss / (double)t->n_train;
        t->hist.accuracy[e] = ep_hits / (double)t->n_train;
        t->hist.val_loss[e] = vl;
        t->hist.val_accuracy[e] = va;
        t->hist.n_epochs = e + 1;
        if (t->rank == 0)
            printf("Epoch %d/%d - %lld steps - %.1fs %.0fms/step - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f\n",
                   e + 1, t->p->epochs, (long long)steps, el, 1e3 * el / (double)steps, t->hist.loss[e],
                   t->hist.accuracy[e], vl, va);
        fflush(stdout);
        rc = vc_mpi_agree(t->comm, t->rank == 0 ? checkpoint_save(t, e + 1) : VC_OK);
        res->epochs_run++;
    }
    free(perm);
    return rc;
}

/* Rank 0: model.h5, report.txt, history.csv, then plot.png (last: see vc_history_plot). */
static int write_outputs(struct trainer *t)
{
    struct vc_model_meta *meta = calloc(1, sizeof *meta);
    int32_t *y = malloc(sizeof(int32_t) * (size_t)t->n_test), *yp = malloc(sizeof(int32_t) * (size_t)t->n_test);
    float *probs = malloc(sizeof(float) * (size_t)t->C * 64);
    char *report = malloc(1 << 16);
    int rc = meta && y && yp && probs && report ? VC_OK : VC_NOMEM;
    if (rc == VC_OK) {
        meta->n_classes = t->C;
        for (int c = 0; c < t->C; c++) meta->class_names[c] = t->pk.classes.items[c];
        meta->preprocess = t->p->preprocess;
        meta->resize = t->pk.resize;
        snprintf(meta->backbone, sizeof meta->backbone, "%s", vc_backbone_name(t->net));
        snprintf(meta->weights_layout, sizeof meta->weights_layout, "%s", vc_backbone_layout(t->net));
        meta->image_size = t->S;
        meta->dropout = t->p->dropout;
        if (!realpath(t->p->weights, meta->base_weights))
            snprintf(meta->base_weights, sizeof meta->base_weights, "%s", t->p->weights);
        memcpy(meta->base_weights_sha256, t->weights_sha, 65);
        rc = vc_model_save(t->out_model, &t->hs, t->params, meta);
    }
    for (int64_t i = 0; rc == VC_OK && i < t->n_test; i += 64) {
        int m = (int)(t->n_test - i < 64 ? t->n_test - i : 64);
        vc_head_predict(&t->hs, t->params, t->test_feat + (size_t)i * FEAT, m, probs, t->hws);
        for (int k = 0; k < m; k++) {
            const float *pk = probs + (size_t)k * t->C;
            int best = 0;
            for (int c = 1; c < t->C; c++) if (pk[c] > pk[best]) best = c;
            yp[i + k] = best;
            y[i + k] = t->pk.labels[t->test_rows[i + k]];
        }
    }
    char path[4300];
    if (rc == VC_OK) rc = vc_report_classification((const char *const *)t->pk.classes.items, t->C, y, yp, t->n_test, report, 1 << 16);
    if (rc == VC_OK) {
        printf("\nclassification report (test split, %lld images):\n%s\n", (long long)t->n_test, report);
        snprintf(path, sizeof path, "%s/report.txt", t->p->output);
        FILE *f = fopen(path, "w");
        if (!f || fputs(report, f) < 0 || fclose(f) != 0) rc = vc_error(VC_ERR_IO, "cannot write '%s'", path);
    }
    if (rc == VC_OK) {
        snprintf(path, sizeof path, "%s/history.csv", t->p->output);
        rc = vc_history_write_csv(&t->hist, path);
    }
    if (rc == VC_OK) {
        snprintf(path, sizeof path, "%s/plot.png", t->p->output);
        rc = vc_history_plot(&t->hist, "Training Loss and Accuracy", path);
    }
    free(meta); free(y); free(yp); free(probs); free(report);
    return rc;
}

static void trainer_free(struct trainer *t)
{
    vc_pack_in_close(&t->pk);
    vc_backbone_free(&t->net);
    free(t->train_rows); free(t->test_rows);
    free(t->params); free(t->velocity); free(t->grad); free(t->hws); free(t->mask);
    free(t->test_feat); free(t->cache_feat); free(t->batch_feat); free(t->batch_lab);
    free(t->img); free(t->x);
    free(t->hist.loss); free(t->hist.accuracy); free(t->hist.val_loss); free(t->hist.val_accuracy);
}

static int check_params(const struct vc_train_params *p)
{
    if (!p->pack || !p->weights || !p->output)
        return vc_error(VC_ERR_INVALID_ARG, "pack, weights and output are required");
    if (p->epochs < 1 || p->epochs > 100000)
        return vc_error(VC_ERR_INVALID_ARG, "epochs must be in [1, 100000], got %d", p->epochs);
    if (p->batch_size < 1 || p->batch_size > 1024)
        return vc_error(VC_ERR_INVALID_ARG, "batch_size must be in [1, 1024], got %d", p->batch_size);
    if (p->augment_views < 0 || p->augment_views > 1000)
        return vc_error(VC_ERR_INVALID_ARG, "augment_views must be in [0, 1000], got %d", p->augment_views);
    if (!(p->lr > 0) || !(p->momentum >= 0 && p->momentum < 1) || !(p->dropout >= 0 && p->dropout < 1) ||
        p->hidden < 1 || p->forward_batch < 1)
        return vc_error(VC_ERR_INVALID_ARG, "need lr > 0, momentum in [0, 1), dropout in [0, 1), hidden >= 1, forward_batch >= 1");
    return VC_OK;
}

int vc_train_run(const struct vc_train_params *p, MPI_Comm comm, struct vc_train_result *res)
{
    struct trainer t;
    memset(&t, 0, sizeof t);
    memset(res, 0, sizeof *res);
    t.p = p;
    t.comm = comm;
    t.pk.f = t.pk.images = H5I_INVALID_HID;
    MPI_Comm_rank(comm, &t.rank);
    MPI_Comm_size(comm, &t.size);
    vc_h5_quiet();
    int rc = vc_mpi_agree(comm, check_params(p));
    if (rc != VC_OK) return rc;
    t.decay = p->decay >= 0 ? p->decay : p->lr / p->epochs;
    snprintf(t.out_model, sizeof t.out_model, "%s/model.h5", p->output);
    snprintf(t.out_ckpt, sizeof t.out_ckpt, "%s/checkpoint.h5", p->output);
    snprintf(t.out_cache, sizeof t.out_cache, "%s", p->cache ? p->cache : "");
    if (!p->cache) snprintf(t.out_cache, sizeof t.out_cache, "%s/features_cache.h5", p->output);

    /* everything that can be wrong with the inputs is found before anything is written */
    rc = vc_mpi_agree(comm, open_pack(&t));
    if (rc == VC_OK) rc = vc_mpi_agree(comm, vc_backbone_load("resnet50", p->weights, &t.net));
    if (rc == VC_OK && vc_backbone_feature_size(t.net) != FEAT)
        rc = vc_error(VC_ERR_MISMATCH, "backbone gives %d features, the head takes %d", vc_backbone_feature_size(t.net), FEAT);
    if (rc == VC_OK) rc = hash_inputs(&t);
    if (rc == VC_OK && t.rank == 0 && !p->resume && access(t.out_ckpt, F_OK) == 0)
        rc = vc_error(VC_ERR_INVALID_ARG, "'%s' exists: use --resume to continue that run, or another --output", t.out_ckpt);
    if (rc == VC_OK && t.rank == 0 && mkdir(p->output, 0777) != 0 && errno != EEXIST)
        rc = vc_error(VC_ERR_IO, "cannot create output directory '%s': %s", p->output, strerror(errno));
    rc = vc_mpi_agree(comm, rc);
    if (rc != VC_OK) { trainer_free(&t); return rc; }

    t.hs = (struct vc_head_shape){ FEAT, p->hidden, t.C };
    t.P = vc_head_param_count(&t.hs);
    const int B = p->batch_size, fb = p->forward_batch;
    const size_t px3 = (size_t)t.S * t.S * 3;
    t.params = malloc(sizeof(float) * t.P);
    t.velocity = calloc(t.P, sizeof(float));
    t.grad = malloc(sizeof(float) * (t.P + 2));
    t.hws = malloc(sizeof(float) * vc_head_workspace_floats(&t.hs, B > 64 ? B : 64));
    t.mask = malloc(sizeof(float) * (size_t)B * p->hidden);
    t.batch_feat = malloc(sizeof(float) * (size_t)(B > fb ? B : fb) * FEAT);
    t.batch_lab = malloc(sizeof(int32_t) * (size_t)B);
    t.img = malloc(px3);
    t.x = malloc(sizeof(float) * px3 * (size_t)fb);
    int E = p->epochs;
    t.hist.loss = calloc((size_t)E, sizeof(double));
    t.hist.accuracy = calloc((size_t)E, sizeof(double));
    t.hist.val_loss = calloc((size_t)E, sizeof(double));
    t.hist.val_accuracy = calloc((size_t)E, sizeof(double));
    rc = (t.params && t.velocity && t.grad && t.hws && t.mask && t.batch_feat && t.batch_lab && t.img && t.x &&
          t.hist.loss && t.hist.accuracy && t.hist.val_loss && t.hist.val_accuracy) ? VC_OK : VC_NOMEM;
    rc = vc_mpi_agree(comm, rc);
    if (rc == VC_OK) {
        vc_head_init(&t.hs, p->seed, t.params);
        int done = 0;
        if (p->resume) rc = checkpoint_load(&t, &done);
        t.start_epoch = done;
        t.hist.n_epochs = done;
        if (rc == VC_OK && done > 0 && t.rank == 0 && !p->quiet)
            VC_LOG_INFO("resuming after epoch %d of %d from %s", done, E, t.out_ckpt);
    }
    if (rc == VC_OK && t.rank == 0 && !p->quiet)
        VC_LOG_INFO("training: %lld train / %lld test images, %d classes, %d ranks, global batch %d, %s",
                    (long long)t.n_train, (long long)t.n_test, t.C, t.size, B,
                    p->augment_views ? "cached augmented views" : "fresh augmentation every epoch");
    if (rc == VC_OK) rc = prepare_features(&t);
    if (rc == VC_OK) rc = train_epochs(&t, res);
    if (rc == VC_OK) rc = vc_mpi_agree(comm, t.rank == 0 ? write_outputs(&t) : VC_OK);
    if (rc == VC_OK && t.hist.n_epochs > 0) {
        int e = t.hist.n_epochs - 1;
        res->loss = t.hist.loss[e];
        res->accuracy = t.hist.accuracy[e];
        res->val_loss = t.hist.val_loss[e];
        res->val_accuracy = t.hist.val_accuracy[e];
    }
    trainer_free(&t);
    return rc;
}
