/* results.c - crash-safe results of vidclass-batch: journal during the run, one HDF5
 * file at the end (see results.h; layouts in docs/formats.md). */
#define _DEFAULT_SOURCE /* fdatasync, truncate */
#define _POSIX_C_SOURCE 200809L
#include "results.h"

#include "h5util.h"
#include "vidclass/log.h"
#include "vidclass/status.h"

#include <libavutil/crc.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- a set of path strings (open addressing, FNV-1a) ------------------------------- */

struct pset {
    char   **keys;
    uint8_t *in_file; /* 1: the path is in the previous results file, 0: in the journal */
    size_t   cap, n;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

/* Slot of s, or of the empty slot where it would go. cap is a power of two. */
static size_t pset_slot(const struct pset *s, const char *k)
{
    size_t i = (size_t)fnv1a(k) & (s->cap - 1);
    while (s->keys[i] && strcmp(s->keys[i], k) != 0) i = (i + 1) & (s->cap - 1);
    return i;
}

static int pset_find(const struct pset *s, const char *k)
{
    if (!s->cap) return -1;
    size_t i = pset_slot(s, k);
    return s->keys[i] ? s->in_file[i] : -1;
}

/* Add k (copied) unless present. Returns VC_OK or VC_ERR_NOMEM. */
static int pset_add(struct pset *s, const char *k, int in_file)
{
    if (2 * (s->n + 1) > s->cap) {
        struct pset g = { .cap = s->cap ? 2 * s->cap : 1024 };
        g.keys = calloc(g.cap, sizeof *g.keys);
        g.in_file = calloc(g.cap, 1);
        if (!g.keys || !g.in_file) { free(g.keys); free(g.in_file); return VC_ERR_NOMEM; }
        for (size_t i = 0; i < s->cap; i++)
            if (s->keys[i]) {
                size_t j = pset_slot(&g, s->keys[i]);
                g.keys[j] = s->keys[i];
                g.in_file[j] = s->in_file[i];
            }
        g.n = s->n;
        free(s->keys);
        free(s->in_file);
        *s = g;
    }
    size_t i = pset_slot(s, k);
    if (s->keys[i]) return VC_OK;
    if (!(s->keys[i] = strdup(k))) return VC_ERR_NOMEM;
    s->in_file[i] = (uint8_t)in_file;
    s->n++;
    return VC_OK;
}

static void pset_free(struct pset *s)
{
    for (size_t i = 0; i < s->cap; i++) free(s->keys[i]);
    free(s->keys);
    free(s->in_file);
    memset(s, 0, sizeof *s);
}

/* ---- journal records ------------------------------------------------------------------
 * record = magic u32 | type u32 | payload length u64 | crc32 u32 | zero u32 | payload,
 * crc32 (IEEE, as zlib's) over type, length and payload; native byte order. */

#define J_MAGIC 0x314A4356u /* "VCJ1" */
#define J_HEAD  ((uint32_t)'H')
#define J_VIDEO ((uint32_t)'V')
#define J_FRAME 24
#define J_MAX_PAYLOAD ((uint64_t)1 << 36)

struct buf {
    uint8_t *p;
    size_t   n, cap;
};

static int buf_put(struct buf *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n) cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q) return VC_ERR_NOMEM;
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
    return VC_OK;
}

static int buf_put_str(struct buf *b, const char *s)
{
    uint32_t n = (uint32_t)strlen(s);
    int rc = buf_put(b, &n, sizeof n);
    return rc == VC_OK ? buf_put(b, s, n) : rc;
}

/* A reader over one payload: every get fails once the payload is exhausted. */
struct rd {
    const uint8_t *p;
    size_t         n, at;
    int            bad;
};

static void rd_get(struct rd *r, void *dst, size_t n)
{
    if (n == 0) return; /* dst may be NULL then (a video with no frames) */
    if (r->bad || n > r->n - r->at) { r->bad = 1; memset(dst, 0, n); return; }
    memcpy(dst, r->p + r->at, n);
    r->at += n;
}

/* A string: returned malloc'ed (NUL-terminated), NULL on a short payload. */
static char *rd_str(struct rd *r)
{
    uint32_t n = 0;
    rd_get(r, &n, sizeof n);
    if (r->bad || n > r->n - r->at) { r->bad = 1; return NULL; }
    char *s = malloc((size_t)n + 1);
    if (!s) { r->bad = 1; return NULL; }
    memcpy(s, r->p + r->at, n);
    s[n] = '\0';
    r->at += n;
    return s;
}

static uint32_t crc_of(uint32_t type, uint64_t len, const uint8_t *payload)
{
    const AVCRC *t = av_crc_get_table(AV_CRC_32_IEEE_LE);
    uint8_t h[12];
    memcpy(h, &type, 4);
    memcpy(h + 4, &len, 8);
    uint32_t c = av_crc(t, 0xFFFFFFFFu, h, sizeof h);
    return av_crc(t, c, payload, (size_t)len) ^ 0xFFFFFFFFu;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Frame the payload in b (starting at offset J_FRAME, reserved by the caller) and write
 * the whole record with one write, then fdatasync. */
static int j_write(int fd, uint32_t type, struct buf *b, const char *jpath)
{
    uint64_t len = b->n - J_FRAME;
    uint32_t magic = J_MAGIC, crc = crc_of(type, len, b->p + J_FRAME), zero = 0;
    memcpy(b->p, &magic, 4);
    memcpy(b->p + 4, &type, 4);
    memcpy(b->p + 8, &len, 8);
    memcpy(b->p + 16, &crc, 4);
    memcpy(b->p + 20, &zero, 4);
    if (write_all(fd, b->p, b->n) != 0 || fdatasync(fd) != 0)
        return vc_error(VC_ERR_IO, "cannot write the results journal '%s': %s", jpath, strerror(errno));
    return VC_OK;
}

/* Read the next record: 1 with the payload in b, 0 at a clean end, -1 at a torn or
 * damaged record (file position unspecified). */
static int j_read(FILE *f, uint32_t *type, struct buf *b)
{
    uint8_t h[J_FRAME];
    size_t got = fread(h, 1, sizeof h, f);
    if (got == 0 && feof(f)) return 0;
    if (got != sizeof h) return -1;
    uint32_t magic, crc;
    uint64_t len;
    memcpy(&magic, h, 4);
    memcpy(type, h + 4, 4);
    memcpy(&len, h + 8, 8);
    memcpy(&crc, h + 16, 4);
    if (magic != J_MAGIC || len > J_MAX_PAYLOAD) return -1;
    b->n = 0;
    if (len > b->cap) {
        uint8_t *q = realloc(b->p, (size_t)len);
        if (!q) return -1;
        b->p = q;
        b->cap = (size_t)len;
    }
    if (fread(b->p, 1, (size_t)len, f) != (size_t)len) return -1;
    b->n = (size_t)len;
    return crc_of(*type, len, b->p) == crc ? 1 : -1;
}

/* A parsed video record; arrays owned and reused across records. */
struct jvideo {
    char    *path, *error;
    int32_t  status, label;
    float    confidence;
    double   fps;
    int64_t  n, cap;
    int64_t *idx;
    float   *probs;
    int32_t *lab;
};

static void jvideo_clear(struct jvideo *v)
{
    free(v->path);
    free(v->error);
    v->path = v->error = NULL;
}

static void jvideo_free(struct jvideo *v)
{
    jvideo_clear(v);
    free(v->idx);
    free(v->probs);
    free(v->lab);
}

static int parse_video(const struct buf *b, int C, struct jvideo *v)
{
    struct rd r = { .p = b->p, .n = b->n };
    jvideo_clear(v);
    v->path = rd_str(&r);
    rd_get(&r, &v->status, 4);
    v->error = rd_str(&r);
    rd_get(&r, &v->label, 4);
    rd_get(&r, &v->confidence, 4);
    rd_get(&r, &v->fps, 8);
    rd_get(&r, &v->n, 8);
    if (r.bad || v->n < 0 || (uint64_t)v->n * (8 + 4 + 4 * (uint64_t)C) != r.n - r.at) return -1;
    if (v->n > v->cap) {
        int64_t *i = realloc(v->idx, sizeof *i * (size_t)v->n);
        if (i) v->idx = i;
        float *p = realloc(v->probs, sizeof *p * (size_t)v->n * (size_t)C);
        if (p) v->probs = p;
        int32_t *l = realloc(v->lab, sizeof *l * (size_t)v->n);
        if (l) v->lab = l;
        if (!i || !p || !l) return -1;
        v->cap = v->n;
    }
    rd_get(&r, v->idx, sizeof *v->idx * (size_t)v->n);
    rd_get(&r, v->probs, sizeof *v->probs * (size_t)v->n * (size_t)C);
    rd_get(&r, v->lab, sizeof *v->lab * (size_t)v->n);
    return r.bad ? -1 : 0;
}

/* ---- the HDF5 results file --------------------------------------------------------- */

enum { V_PATH, V_STATUS, V_ERROR, V_LABEL, V_CONF, V_NFRAMES, V_FPS, V_FSTART, F_INDEX, F_PROBS, F_LABEL, N_DS };

static const struct {
    const char *name;
    int         is_str, tail;
} ds_def[N_DS] = {
    { "videos/path", 1, 0 },      { "videos/status", 0, 0 },    { "videos/error", 1, 0 },
    { "videos/label", 0, 0 },     { "videos/confidence", 0, 0 }, { "videos/n_frames", 0, 0 },
    { "videos/fps", 0, 0 },       { "videos/frame_start", 0, 0 }, { "frames/index", 0, 0 },
    { "frames/probs", 0, 1 },     { "frames/label", 0, 0 },
};

/* file and memory types of each dataset (str: the vlen string type) */
static hid_t ds_ftype(int i, hid_t str)
{
    hid_t t[N_DS] = { str, H5T_STD_I8LE, str, H5T_STD_I32LE, H5T_IEEE_F32LE, H5T_STD_I64LE, H5T_IEEE_F64LE,
                      H5T_STD_I64LE, H5T_STD_I64LE, H5T_IEEE_F32LE, H5T_STD_I32LE };
    return t[i];
}
static hid_t ds_mtype(int i, hid_t str)
{
    hid_t t[N_DS] = { str, H5T_NATIVE_INT8, str, H5T_NATIVE_INT32, H5T_NATIVE_FLOAT, H5T_NATIVE_INT64,
                      H5T_NATIVE_DOUBLE, H5T_NATIVE_INT64, H5T_NATIVE_INT64, H5T_NATIVE_FLOAT, H5T_NATIVE_INT32 };
    return t[i];
}

struct h5out {
    hid_t   f, str, ds[N_DS];
    int64_t frames;
};

static void h5out_close(struct h5out *o)
{
    for (int i = 0; i < N_DS; i++)
        if (o->ds[i] >= 0) H5Dclose(o->ds[i]);
    if (o->str >= 0) H5Tclose(o->str);
    if (o->f >= 0) H5Fclose(o->f);
    o->f = o->str = H5I_INVALID_HID;
    for (int i = 0; i < N_DS; i++) o->ds[i] = H5I_INVALID_HID;
}

static int h5out_append(struct h5out *o, const struct jvideo *v)
{
    int rc = VC_OK;
    int8_t st = (int8_t)v->status;
    const char *path = v->path, *err = v->error;
    const void *row[N_DS] = { &path, &st, &err, &v->label, &v->confidence, &v->n, &v->fps, &o->frames,
                              v->idx, v->probs, v->lab };
    for (int i = F_INDEX; i < N_DS && rc == VC_OK && v->n > 0; i++)
        rc = vc_h5_append_rows(o->ds[i], ds_mtype(i, o->str), (hsize_t)v->n, row[i]);
    for (int i = 0; i < F_INDEX && rc == VC_OK; i++)
        rc = vc_h5_append_rows(o->ds[i], ds_mtype(i, o->str), 1, row[i]);
    if (rc == VC_OK) o->frames += v->n;
    return rc;
}

/* Copy every row of the previous results file (block by block) into o. */
static int h5out_copy(struct h5out *o, hid_t src, int C, const char *src_path)
{
    int rc = VC_OK;
    size_t row_size[N_DS] = { sizeof(char *), 1, sizeof(char *), 4, 4, 8, 8, 8, 8, 4 * (size_t)C, 4 };
    for (int i = 0; i < N_DS && rc == VC_OK; i++) {
        hid_t d = H5Dopen2(src, ds_def[i].name, H5P_DEFAULT);
        hssize_t n = d >= 0 ? vc_h5_rows(d) : -1;
        if (n < 0) rc = vc_error(VC_ERR_FORMAT, "results file '%s': cannot read '%s'", src_path, ds_def[i].name);
        const hsize_t block = 65536;
        void *buf = rc == VC_OK ? malloc(row_size[i] * block) : NULL;
        if (rc == VC_OK && !buf) rc = VC_ERR_NOMEM;
        for (hsize_t r0 = 0; rc == VC_OK && r0 < (hsize_t)n; r0 += block) {
            hsize_t k = (hsize_t)n - r0 < block ? (hsize_t)n - r0 : block;
            rc = vc_h5_read_rows(d, ds_mtype(i, o->str), r0, k, buf);
            if (rc == VC_OK) rc = vc_h5_append_rows(o->ds[i], ds_mtype(i, o->str), k, buf);
            if (rc == VC_OK && ds_def[i].is_str) {
                hid_t sp = H5Screate_simple(1, &k, NULL);
                H5Dvlen_reclaim(o->str, sp, H5P_DEFAULT, buf);
                H5Sclose(sp);
            }
        }
        if (rc == VC_OK && i == F_INDEX) o->frames = n;
        free(buf);
        if (d >= 0) H5Dclose(d);
    }
    return rc;
}

/* ---- the handle ----------------------------------------------------------------------- */

struct vc_results {
    char   *path, *jpath, *tmp;
    char  **class_names;
    int     C, window, stride;
    char   *model, sha[65];
    int     have_file; /* a previous complete results file exists */
    int     fd;        /* journal, open for appending */
    struct pset done;
    struct buf  rec;
};

static int fsync_dir_of(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    int fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int lock_journal(vc_results *r);

/* The previous results file: must match the settings; its videos are done. */
static int load_file(vc_results *r)
{
    hid_t f = H5Fopen(r->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return vc_error(VC_ERR_FORMAT, "results file '%s' cannot be opened as HDF5; move it away to start again", r->path);
    char have[128] = "";
    int64_t win = 0, stride = 0;
    int rc = VC_OK;
    if (vc_h5_read_str_attr(f, "model_sha256", have, sizeof have) != VC_OK || strcmp(have, r->sha) != 0)
        rc = vc_error(VC_ERR_MISMATCH, "results file '%s' was made with another model; choose another output", r->path);
    else if (vc_h5_read_i64_attr(f, "window", &win) != VC_OK || vc_h5_read_i64_attr(f, "frame_stride", &stride) != VC_OK ||
             win != r->window || stride != r->stride)
        rc = vc_error(VC_ERR_MISMATCH, "results file '%s' was made with window %lld and frame_stride %lld; "
                      "this run has %d and %d: choose another output", r->path, (long long)win, (long long)stride,
                      r->window, r->stride);
    hid_t d = rc == VC_OK ? H5Dopen2(f, "videos/path", H5P_DEFAULT) : H5I_INVALID_HID;
    hssize_t n = d >= 0 ? vc_h5_rows(d) : -1;
    if (rc == VC_OK && n < 0) rc = vc_error(VC_ERR_FORMAT, "results file '%s': cannot read /videos/path", r->path);
    hid_t str = vc_h5_vlen_str_type();
    char **paths = rc == VC_OK && n > 0 ? calloc((size_t)n, sizeof(char *)) : NULL;
    if (rc == VC_OK && n > 0) {
        rc = paths ? vc_h5_read_rows(d, str, 0, (hsize_t)n, paths) : VC_ERR_NOMEM;
        for (hssize_t i = 0; rc == VC_OK && i < n; i++) rc = pset_add(&r->done, paths[i], 1);
        if (paths) {
            hid_t sp = H5Screate_simple(1, (hsize_t[]){ (hsize_t)n }, NULL);
            H5Dvlen_reclaim(str, sp, H5P_DEFAULT, paths);
            H5Sclose(sp);
        }
    }
    free(paths);
    H5Tclose(str);
    if (d >= 0) H5Dclose(d);
    H5Fclose(f);
    r->have_file = rc == VC_OK;
    return rc;
}

static int write_head(vc_results *r)
{
    struct buf *b = &r->rec;
    b->n = 0;
    uint8_t pad[J_FRAME] = { 0 };
    int32_t c = r->C, w = r->window, s = r->stride;
    int rc = buf_put(b, pad, J_FRAME);
    if (rc == VC_OK) rc = buf_put_str(b, r->sha);
    if (rc == VC_OK) rc = buf_put(b, &w, 4);
    if (rc == VC_OK) rc = buf_put(b, &s, 4);
    if (rc == VC_OK) rc = buf_put(b, &c, 4);
    for (int i = 0; i < r->C && rc == VC_OK; i++) rc = buf_put_str(b, r->class_names[i]);
    if (rc == VC_OK) rc = buf_put_str(b, r->model);
    if (rc == VC_OK) rc = j_write(r->fd, J_HEAD, b, r->jpath);
    if (rc == VC_OK && fsync_dir_of(r->jpath) != 0)
        rc = vc_error(VC_ERR_IO, "cannot sync the directory of '%s': %s", r->jpath, strerror(errno));
    return rc;
}

/* Check a journal header against this run: VC_OK, or VC_ERR_MISMATCH with a message. */
static int check_head(vc_results *r, const struct buf *b)
{
    struct rd d = { .p = b->p, .n = b->n };
    char *sha = rd_str(&d);
    int32_t w = 0, s = 0, c = 0;
    rd_get(&d, &w, 4);
    rd_get(&d, &s, 4);
    rd_get(&d, &c, 4);
    int rc = VC_OK;
    if (d.bad || !sha) rc = vc_error(VC_ERR_FORMAT, "results journal '%s': damaged header; move it away", r->jpath);
    else if (strcmp(sha, r->sha) != 0 || c != r->C)
        rc = vc_error(VC_ERR_MISMATCH, "results journal '%s' was made with another model; choose another output", r->jpath);
    else if (w != r->window || s != r->stride)
        rc = vc_error(VC_ERR_MISMATCH, "results journal '%s' was made with window %d and frame_stride %d; "
                      "this run has %d and %d: choose another output", r->jpath, w, s, r->window, r->stride);
    free(sha);
    return rc;
}

/* Open the journal to append (locked), then read it: its videos are done; a torn tail is
 * cut off. An empty or header-less journal gets a new header. */
static int load_journal(vc_results *r)
{
    r->fd = open(r->jpath, O_WRONLY | O_APPEND);
    if (r->fd < 0) return vc_error(VC_ERR_IO, "cannot append to '%s': %s", r->jpath, strerror(errno));
    int lrc = lock_journal(r);
    if (lrc != VC_OK) return lrc;
    FILE *f = fopen(r->jpath, "rb");
    if (!f) return vc_error(VC_ERR_IO, "cannot read the results journal '%s': %s", r->jpath, strerror(errno));
    struct buf b = { 0 };
    struct jvideo v = { 0 };
    uint32_t type = 0;
    long good = 0;
    int64_t n = 0, torn = 0;
    int rc = VC_OK, k = j_read(f, &type, &b);
    if (k == 1 && type == J_HEAD) {
        rc = check_head(r, &b);
        good = ftell(f);
        while (rc == VC_OK && (k = j_read(f, &type, &b)) == 1) {
            if (type != J_VIDEO || parse_video(&b, r->C, &v) != 0) { k = -1; break; }
            rc = pset_add(&r->done, v.path, 0);
            good = ftell(f);
            n++;
        }
        torn = k == -1;
    } else {
        torn = k != 0; /* a header cut short by a kill: start the journal again */
    }
    fclose(f);
    jvideo_free(&v);
    free(b.p);
    if (rc != VC_OK) return rc;
    if (torn) {
        if (truncate(r->jpath, good) != 0)
            return vc_error(VC_ERR_IO, "cannot cut the damaged tail of '%s': %s", r->jpath, strerror(errno));
        VC_LOG_WARN("results journal '%s': dropped a damaged last record (a kill during a write); "
                    "that video is done again", r->jpath);
    }
    VC_LOG_INFO("results journal '%s': %lld finished videos to resume from", r->jpath, (long long)n);
    return good == 0 ? write_head(r) : VC_OK;
}

int vc_results_open(const char *path, const struct vc_results_info *info, int resume, vc_results **out)
{
    *out = NULL;
    vc_results *r = calloc(1, sizeof *r);
    if (!r) return VC_ERR_NOMEM;
    r->fd = -1;
    size_t n = strlen(path) + 16;
    r->path = strdup(path);
    r->jpath = malloc(n);
    r->tmp = malloc(n);
    r->class_names = calloc((size_t)info->n_classes, sizeof(char *));
    r->model = strdup(info->model);
    int rc = r->path && r->jpath && r->tmp && r->class_names && r->model ? VC_OK : VC_ERR_NOMEM;
    if (rc == VC_OK) {
        snprintf(r->jpath, n, "%s.journal", path);
        snprintf(r->tmp, n, "%s.partial", path);
        snprintf(r->sha, sizeof r->sha, "%s", info->model_sha);
        r->C = info->n_classes;
        r->window = info->window;
        r->stride = info->frame_stride;
        for (int i = 0; i < r->C && rc == VC_OK; i++)
            if (!(r->class_names[i] = strdup(info->class_names[i]))) rc = VC_ERR_NOMEM;
    }
    int have = rc == VC_OK && access(path, F_OK) == 0, have_j = rc == VC_OK && access(r->jpath, F_OK) == 0;
    if (rc == VC_OK && (have || have_j) && !resume)
        rc = vc_error(VC_ERR_INVALID_ARG, "results file '%s'%s exists; resume is off: remove it or choose another output",
                      have ? path : r->jpath, have ? "" : " (of an unfinished run)");
    if (rc == VC_OK && have) rc = load_file(r);
    if (rc == VC_OK && have_j) rc = load_journal(r);
    if (rc == VC_OK && !have_j) {
        r->fd = open(r->jpath, O_WRONLY | O_APPEND | O_CREAT | O_EXCL, 0644);
        if (r->fd < 0) rc = vc_error(VC_ERR_IO, "cannot create the results journal '%s': %s", r->jpath, strerror(errno));
        else if ((rc = lock_journal(r)) == VC_OK) rc = write_head(r);
    }
    if (rc != VC_OK) { vc_results_close(r); return rc; }
    *out = r;
    return VC_OK;
}

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

int64_t vc_results_n_done(const vc_results *r) { return (int64_t)r->done.n; }

int vc_results_has(const vc_results *r, const char *video_path) { return pset_find(&r->done, video_path) >= 0; }

int vc_results_append(vc_results *r, const struct vc_video_result *v)
{
    struct buf *b = &r->rec;
    b->n = 0;
    uint8_t pad[J_FRAME] = { 0 };
    int32_t st = v->status;
    size_t n = (size_t)v->n;
    int rc = buf_put(b, pad, J_FRAME);
    if (rc == VC_OK) rc = buf_put_str(b, v->path);
    if (rc == VC_OK) rc = buf_put(b, &st, 4);
    if (rc == VC_OK) rc = buf_put_str(b, v->error ? v->error : "");
    if (rc == VC_OK) rc = buf_put(b, &v->label, 4);
    if (rc == VC_OK) rc = buf_put(b, &v->confidence, 4);
    if (rc == VC_OK) rc = buf_put(b, &v->fps, 8);
    if (rc == VC_OK) rc = buf_put(b, &v->n, 8);
    if (rc == VC_OK && n) rc = buf_put(b, v->idx, 8 * n);
    if (rc == VC_OK && n) rc = buf_put(b, v->probs, 4 * n * (size_t)r->C);
    if (rc == VC_OK && n) rc = buf_put(b, v->frame_label, 4 * n);
    if (rc == VC_OK) rc = j_write(r->fd, J_VIDEO, b, r->jpath);
    if (rc == VC_OK) rc = pset_add(&r->done, v->path, 0);
    return rc;
}

/* Create r->tmp with the attributes and empty datasets. */
static int h5out_create(vc_results *r, struct h5out *o)
{
    o->f = H5Fcreate(r->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (o->f < 0) return vc_error(VC_ERR_IO, "cannot create '%s'", r->tmp);
    int rc = vc_h5_write_strlist_attr(o->f, "class_names", (const char *const *)r->class_names, r->C, 1);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(o->f, "window", r->window);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(o->f, "frame_stride", r->stride);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "model", r->model);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "model_sha256", r->sha);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "format", "vidclass-results");
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(o->f, "format_version", 1);
    hsize_t cdim[1] = { (hsize_t)r->C };
    for (int i = 0; i < N_DS && rc == VC_OK; i++) {
        o->ds[i] = vc_h5_create_rows(o->f, ds_def[i].name, ds_ftype(i, o->str), ds_def[i].tail,
                                     ds_def[i].tail ? cdim : NULL, ds_def[i].tail ? 1024 : 4096, 0);
        if (o->ds[i] < 0) rc = vc_error(VC_ERR_IO, "cannot create '%s' in '%s'", ds_def[i].name, r->tmp);
    }
    return rc;
}

/* Append the journal's videos (those not in the previous file) to o. */
static int h5out_journal(vc_results *r, struct h5out *o)
{
    FILE *f = fopen(r->jpath, "rb");
    if (!f) return vc_error(VC_ERR_IO, "cannot read the results journal '%s': %s", r->jpath, strerror(errno));
    struct buf b = { 0 };
    struct jvideo v = { 0 };
    struct pset seen = { 0 };
    uint32_t type = 0;
    int rc = VC_OK, k = j_read(f, &type, &b); /* the header, checked at open */
    while (rc == VC_OK && k == 1 && (k = j_read(f, &type, &b)) == 1) {
        if (type != J_VIDEO || parse_video(&b, r->C, &v) != 0) { k = -1; break; }
        if (pset_find(&r->done, v.path) == 1 || pset_find(&seen, v.path) >= 0) continue; /* already in the file */
        rc = pset_add(&seen, v.path, 0);
        if (rc == VC_OK) rc = h5out_append(o, &v);
    }
    if (rc == VC_OK && k == -1)
        rc = vc_error(VC_ERR_FORMAT, "results journal '%s' was damaged while this run wrote it", r->jpath);
    fclose(f);
    pset_free(&seen);
    jvideo_free(&v);
    free(b.p);
    return rc;
}

int vc_results_finish(vc_results *r)
{
    struct h5out o = { .f = H5I_INVALID_HID, .str = vc_h5_vlen_str_type() };
    for (int i = 0; i < N_DS; i++) o.ds[i] = H5I_INVALID_HID;
    int rc = h5out_create(r, &o);
    if (rc == VC_OK && r->have_file) {
        hid_t src = H5Fopen(r->path, H5F_ACC_RDONLY, H5P_DEFAULT);
        rc = src >= 0 ? h5out_copy(&o, src, r->C, r->path)
                      : vc_error(VC_ERR_FORMAT, "results file '%s' cannot be opened any more", r->path);
        if (src >= 0) H5Fclose(src);
    }
    if (rc == VC_OK) rc = h5out_journal(r, &o);
    h5out_close(&o);
    int fd = rc == VC_OK ? open(r->tmp, O_RDONLY) : -1;
    if (rc == VC_OK && (fd < 0 || fsync(fd) != 0)) rc = vc_error(VC_ERR_IO, "cannot sync '%s': %s", r->tmp, strerror(errno));
    if (fd >= 0) close(fd);
    if (rc == VC_OK && rename(r->tmp, r->path) != 0)
        rc = vc_error(VC_ERR_IO, "cannot rename '%s' to '%s': %s", r->tmp, r->path, strerror(errno));
    if (rc == VC_OK) fsync_dir_of(r->path);
    /* from here every video is in the results file; the journal is redundant */
    if (rc == VC_OK && r->fd >= 0) { close(r->fd); r->fd = -1; }
    if (rc == VC_OK && unlink(r->jpath) != 0)
        rc = vc_error(VC_ERR_IO, "cannot remove '%s': %s", r->jpath, strerror(errno));
    if (rc == VC_OK) fsync_dir_of(r->path);
    if (rc != VC_OK) unlink(r->tmp);
    return rc;
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
    free(r->tmp);
    pset_free(&r->done);
    free(r->rec.p);
    free(r);
}
