/* results_h5.c - the HDF5 results file: written row by row, read video by video (see
 * results_h5.h and docs/formats.md "Results file"). */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "results_h5.h"
#include "results.h"
#include "h5util.h"
#include "segments.h"
#include "vidclass/gemm.h"
#include "vidclass/smooth.h"
#include "vidclass/status.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    V_PATH, V_STATUS, V_ERROR, V_LABEL, V_CONF, V_NFRAMES, V_FPS, V_FSTART, V_PATH_RAW, V_DURATION,
    F_INDEX, F_TIME, F_PROBS, F_LABEL, F_CONF,
    S_VIDEO, S_LABEL, S_START, S_END, S_T0, S_T1, S_CONF,
    N_DS
};
#define FORMAT_VERSION 2

enum { T_STR = 1, T_RAW, T_I8, T_I32, T_I64, T_F32, T_F64 };

/* name, type, rows carry a [classes] tail, absent from files of format 1 (vidclass 0.1/0.2) */
static const struct {
    const char *name;
    int         type, tail, since2;
} k_ds[N_DS] = {
    { "videos/path", T_STR, 0, 0 },        { "videos/status", T_I8, 0, 0 },      { "videos/error", T_STR, 0, 0 },
    { "videos/label", T_I32, 0, 0 },       { "videos/confidence", T_F32, 0, 0 }, { "videos/n_frames", T_I64, 0, 0 },
    { "videos/fps", T_F64, 0, 0 },         { "videos/frame_start", T_I64, 0, 0 }, { "videos/path_bytes", T_RAW, 0, 1 },
    { "videos/duration", T_F64, 0, 1 },
    { "frames/index", T_I64, 0, 0 },       { "frames/time", T_F64, 0, 1 },       { "frames/probs", T_F32, 1, 0 },
    { "frames/label", T_I32, 0, 0 },       { "frames/confidence", T_F32, 0, 1 },
    { "segments/video", T_I64, 0, 1 },     { "segments/label", T_I32, 0, 1 },    { "segments/start_frame", T_I64, 0, 1 },
    { "segments/end_frame", T_I64, 0, 1 }, { "segments/start_time", T_F64, 0, 1 }, { "segments/end_time", T_F64, 0, 1 },
    { "segments/confidence", T_F32, 0, 1 },
};

/* The first dataset of i's group: its datasets have one length. */
static int group_of(int i) { return i < F_INDEX ? 0 : i < S_VIDEO ? F_INDEX : S_VIDEO; }

/* str: UTF-8 strings; raw: the same bytes as ASCII-tagged strings (h5py reads bytes) */
static hid_t file_type(int t, hid_t str, hid_t raw)
{
    switch (t) {
    case T_STR: return str;
    case T_RAW: return raw;
    case T_I8: return H5T_STD_I8LE;
    case T_I32: return H5T_STD_I32LE;
    case T_I64: return H5T_STD_I64LE;
    case T_F32: return H5T_IEEE_F32LE;
    default: return H5T_IEEE_F64LE;
    }
}

static hid_t mem_type(int t, hid_t str, hid_t raw)
{
    switch (t) {
    case T_STR: return str;
    case T_RAW: return raw;
    case T_I8: return H5T_NATIVE_SCHAR;
    case T_I32: return H5T_NATIVE_INT;
    case T_I64: return H5T_NATIVE_LLONG;
    case T_F32: return H5T_NATIVE_FLOAT;
    default: return H5T_NATIVE_DOUBLE;
    }
}

/* The two string types (caller closes both). */
static int string_types(hid_t *str, hid_t *raw)
{
    H5open(); /* the H5T_* ids are set by the library's initialisation */
    *str = vc_h5_vlen_str_type();
    *raw = H5Tcopy(H5T_C_S1);
    if (*raw >= 0 && (H5Tset_size(*raw, H5T_VARIABLE) < 0 || H5Tset_cset(*raw, H5T_CSET_ASCII) < 0)) {
        H5Tclose(*raw);
        *raw = H5I_INVALID_HID;
    }
    return *str >= 0 && *raw >= 0 ? VC_OK : vc_error(VC_ERR_NOMEM, "cannot make the HDF5 string types");
}

/* A path as valid UTF-8: each byte that is not part of a valid UTF-8 sequence becomes the
 * four characters \xHH (a file name is bytes; the exact ones are in videos/path_bytes). */
char *vc_utf8_form(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *o = malloc(4 * n + 1);
    if (!o) return NULL;
    for (size_t i = 0; i < n;) {
        const unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        int ok = len > 0 && i + len <= n && !(len == 2 && c < 0xC2);
        for (size_t j = 1; ok && j < len; j++) ok = ((unsigned char)s[i + j] >> 6) == 2;
        if (ok) {
            memcpy(o + k, s + i, len);
            k += len;
            i += len;
        } else {
            k += (size_t)sprintf(o + k, "\\x%02X", c);
            i++;
        }
    }
    o[k] = '\0';
    return o;
}

/* ---- writing ---------------------------------------------------------------------------- */

struct vc_h5out {
    char    path[4200];
    hid_t   f, str, raw, ds[N_DS];
    int     classes;
    double  min_segment;
    int64_t frames, videos, failed;
    struct vc_segment *seg;
    int64_t seg_cap;
    void   *col; /* one segment column */
    size_t  col_cap;
};

int vc_h5out_create(const char *path, const struct vc_results_info *info, vc_h5out **out)
{
    *out = NULL;
    vc_h5out *o = calloc(1, sizeof *o);
    if (!o) return VC_NOMEM;
    snprintf(o->path, sizeof o->path, "%s", path);
    o->classes = info->n_classes;
    o->min_segment = info->min_segment;
    for (int i = 0; i < N_DS; i++) o->ds[i] = H5I_INVALID_HID;
    o->f = H5I_INVALID_HID;
    int rc = string_types(&o->str, &o->raw);
    if (rc == VC_OK && (o->f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        rc = vc_error(VC_ERR_IO, "cannot create the results file '%s'", path);
    if (rc == VC_OK) rc = vc_h5_write_strlist_attr(o->f, "class_names", info->class_names, info->n_classes, 1);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(o->f, "window", info->window);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(o->f, "frame_stride", info->frame_stride);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "smoothing", vc_smoothing_name(info->smoothing));
    if (rc == VC_OK) rc = vc_h5_write_f64_attr(o->f, "min_confidence", info->min_confidence);
    if (rc == VC_OK) rc = vc_h5_write_f64_attr(o->f, "min_segment", info->min_segment);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "precision", vc_precision_name((enum vc_precision)info->precision));
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "model", info->model);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "model_sha256", info->model_sha);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "format", "vidclass-results");
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(o->f, "format_version", FORMAT_VERSION);
    hsize_t cdim[1] = { (hsize_t)info->n_classes };
    for (int i = 0; i < N_DS && rc == VC_OK; i++) {
        o->ds[i] = vc_h5_create_rows(o->f, k_ds[i].name, file_type(k_ds[i].type, o->str, o->raw), k_ds[i].tail,
                                     k_ds[i].tail ? cdim : NULL, k_ds[i].tail ? 1024 : 4096, 0);
        if (o->ds[i] < 0) rc = vc_error(VC_ERR_IO, "cannot create '%s' in '%s'", k_ds[i].name, path);
    }
    if (rc != VC_OK) {
        vc_h5out_close(&o, 1);
        return rc;
    }
    *out = o;
    return VC_OK;
}

static int append(vc_h5out *o, int i, hsize_t n, const void *buf)
{
    return vc_h5_append_rows(o->ds[i], mem_type(k_ds[i].type, o->str, o->raw), n, buf);
}

/* The video's segments, one column at a time. */
static int append_segments(vc_h5out *o, const struct vc_record *r)
{
    int64_t n = 0;
    int rc = vc_segments_of(r, o->min_segment, &o->seg, &n, &o->seg_cap);
    if (rc != VC_OK || n == 0) return rc;
    if ((size_t)n * 8 > o->col_cap) {
        void *c = realloc(o->col, (size_t)n * 8);
        if (!c) return VC_NOMEM;
        o->col = c;
        o->col_cap = (size_t)n * 8;
    }
    int64_t *i64 = o->col;
    int32_t *i32 = o->col;
    double *f64 = o->col;
    float *f32 = o->col;
    for (int ds = S_VIDEO; ds < N_DS && rc == VC_OK; ds++) {
        for (int64_t k = 0; k < n; k++) {
            const struct vc_segment *s = &o->seg[k];
            switch (ds) {
            case S_VIDEO: i64[k] = o->videos; break;
            case S_LABEL: i32[k] = s->label; break;
            case S_START: i64[k] = r->index[s->start]; break;
            case S_END: i64[k] = r->index[s->end]; break;
            case S_T0: f64[k] = s->t0; break;
            case S_T1: f64[k] = s->t1; break;
            default: f32[k] = s->confidence; break;
            }
        }
        rc = append(o, ds, (hsize_t)n, o->col);
    }
    return rc;
}

int vc_h5out_append(vc_h5out *o, const struct vc_record *r)
{
    int8_t st = (int8_t)r->status;
    char *path = vc_utf8_form(r->path), *err = vc_utf8_form(r->error);
    const char *raw = r->path;
    const long long nf = r->n;
    const void *row[N_DS] = { &path, &st, &err, &r->label, &r->confidence, &nf, &r->fps, &o->frames, &raw, &r->duration,
                              r->index, r->time, r->probs, r->frame_label, r->frame_confidence };
    int rc = path && err ? VC_OK : VC_NOMEM;
    for (int i = F_INDEX; i < S_VIDEO && rc == VC_OK && r->n > 0; i++) rc = append(o, i, (hsize_t)r->n, row[i]);
    if (rc == VC_OK) rc = append_segments(o, r);
    for (int i = 0; i < F_INDEX && rc == VC_OK; i++) rc = append(o, i, 1, row[i]);
    free(path);
    free(err);
    if (rc != VC_OK) return vc_error(rc, "cannot write '%s' to '%s': %s", r->path, o->path, vc_last_error());
    o->frames += r->n;
    o->videos++;
    o->failed += r->status != 0;
    return VC_OK;
}

int64_t vc_h5out_n_failed(const vc_h5out *o) { return o->failed; }

int vc_h5out_copy(vc_h5out *o, const char *src_path, int (*skip)(const char *path, void *user), void *user)
{
    vc_h5in *in = NULL;
    struct vc_record rec = { 0 };
    int rc = vc_h5in_open(src_path, &in);
    for (int64_t i = 0; rc == VC_OK && i < vc_h5in_videos(in); i++) {
        rc = vc_h5in_read(in, i, &rec);
        if (rc == VC_OK && !(skip && skip(rec.path, user))) rc = vc_h5out_append(o, &rec);
    }
    vc_record_free(&rec);
    vc_h5in_close(&in);
    return rc;
}

int vc_h5out_reserve(vc_h5out *o, int64_t bytes)
{
    return vc_h5_reserve(o->path, bytes, "results file");
}

int vc_h5out_close(vc_h5out **op, int discard)
{
    if (!op || !*op) return VC_OK;
    vc_h5out *o = *op;
    int bad = 0;
    for (int i = 0; i < N_DS; i++)
        if (o->ds[i] >= 0 && H5Dclose(o->ds[i]) < 0) bad = 1;
    if (o->str >= 0) H5Tclose(o->str);
    if (o->raw >= 0) H5Tclose(o->raw);
    int rc = vc_h5_close_written(o->f, o->path, discard || bad, MPI_COMM_NULL);
    if (rc == VC_OK && bad)
        rc = vc_error(VC_ERR_IO, "cannot finish writing the results file '%s' (disk full or over quota?)", o->path);
    free(o->seg);
    free(o->col);
    free(o);
    *op = NULL;
    return rc;
}

/* ---- checking and reading ---------------------------------------------------------------- */

/* Check an open results file before building on it (path: for the messages): every dataset
 * there and readable, each group's datasets of one length, probabilities of `classes`
 * columns, and frame_start / n_frames describing exactly the frame rows. */
static int check_open(hid_t f, const char *path, int classes)
{
    hssize_t rows[N_DS];
    int rc = VC_OK;
    for (int i = 0; i < N_DS && rc == VC_OK; i++) {
        if (k_ds[i].since2 && H5Lexists(f, k_ds[i].name, H5P_DEFAULT) <= 0) { rows[i] = -2; continue; } /* format 1 */
        hid_t d = H5Dopen2(f, k_ds[i].name, H5P_DEFAULT);
        hsize_t want[2] = { 0, (hsize_t)classes }, n = 0;
        rows[i] = d >= 0 ? vc_h5_rows(d) : -1;
        if (rows[i] < 0 || (k_ds[i].tail && !vc_h5_dims_match(d, 2, want, &n)))
            rc = vc_error(VC_ERR_FORMAT, "results file '%s': '%s' is missing or damaged; move the file away to start again",
                          path, k_ds[i].name);
        if (d >= 0) H5Dclose(d);
    }
    for (int i = 1; i < N_DS && rc == VC_OK; i++) {
        int g = group_of(i);
        if (rows[i] != -2 && rows[g] != -2 && rows[i] != rows[g])
            rc = vc_error(VC_ERR_FORMAT, "results file '%s': '%s' has %lld rows, not %lld like '%s'; move the file away to "
                          "start again", path, k_ds[i].name, (long long)rows[i], (long long)rows[g], k_ds[g].name);
    }
    int64_t *nf = rc == VC_OK ? malloc(sizeof(int64_t) * 2 * (size_t)(rows[0] + 1)) : NULL;
    if (rc == VC_OK && !nf) rc = VC_NOMEM;
    hid_t dn = rc == VC_OK ? H5Dopen2(f, "videos/n_frames", H5P_DEFAULT) : H5I_INVALID_HID;
    hid_t ds = rc == VC_OK ? H5Dopen2(f, "videos/frame_start", H5P_DEFAULT) : H5I_INVALID_HID;
    if (rc == VC_OK && rows[0] > 0 &&
        (vc_h5_read_rows(dn, H5T_NATIVE_LLONG, 0, (hsize_t)rows[0], nf) != VC_OK ||
         vc_h5_read_rows(ds, H5T_NATIVE_LLONG, 0, (hsize_t)rows[0], nf + rows[0]) != VC_OK))
        rc = vc_error(VC_ERR_FORMAT, "results file '%s': the videos' frame counts cannot be read", path);
    int64_t at = 0;
    for (hssize_t i = 0; rc == VC_OK && i < rows[0]; i++) {
        if (nf[i] < 0 || nf[rows[0] + i] != at)
            rc = vc_error(VC_ERR_FORMAT, "results file '%s': video %lld's frame rows are inconsistent; move the file away",
                          path, (long long)i);
        at += nf[i];
    }
    if (rc == VC_OK && at != rows[F_INDEX])
        rc = vc_error(VC_ERR_FORMAT, "results file '%s': its videos count %lld frames, /frames has %lld rows", path,
                      (long long)at, (long long)rows[F_INDEX]);
    free(nf);
    if (dn >= 0) H5Dclose(dn);
    if (ds >= 0) H5Dclose(ds);
    return rc;
}


struct vc_h5in {
    char    path[4200];
    hid_t   f, str, raw, ds[N_DS];
    int64_t videos, frames;
    struct vc_results_info info;
    struct vc_strlist classes;
    char    model[4096], sha[128];
};

static int read_info(vc_h5in *in)
{
    struct vc_results_info *p = &in->info;
    int64_t w = 0, s = 0;
    char sm[32] = "trailing";
    int rc = vc_h5_read_strlist_attr(in->f, "class_names", &in->classes);
    if (rc == VC_OK) rc = vc_h5_read_i64_attr(in->f, "window", &w);
    if (rc == VC_OK) rc = vc_h5_read_i64_attr(in->f, "frame_stride", &s);
    if (rc == VC_OK) rc = vc_h5_read_str_attr(in->f, "model", in->model, sizeof in->model);
    if (rc == VC_OK) rc = vc_h5_read_str_attr(in->f, "model_sha256", in->sha, sizeof in->sha);
    if (rc != VC_OK) return vc_error(VC_ERR_FORMAT, "results file '%s': %s", in->path, vc_last_error());
    /* absent from files of format 1: what those runs did */
    if (vc_h5_has_attr(in->f, "smoothing")) rc = vc_h5_read_str_attr(in->f, "smoothing", sm, sizeof sm);
    if (rc == VC_OK && vc_h5_has_attr(in->f, "min_confidence")) rc = vc_h5_read_f64_attr(in->f, "min_confidence", &p->min_confidence);
    if (rc == VC_OK && vc_h5_has_attr(in->f, "min_segment")) rc = vc_h5_read_f64_attr(in->f, "min_segment", &p->min_segment);
    char prec[16] = "fp32"; /* absent from earlier files: all fp32 */
    if (rc == VC_OK && vc_h5_has_attr(in->f, "precision")) rc = vc_h5_read_str_attr(in->f, "precision", prec, sizeof prec);
    enum vc_precision pv = VC_PRECISION_FP32;
    if (rc == VC_OK && vc_precision_parse(prec, &pv) != VC_OK)
        rc = vc_error(VC_ERR_FORMAT, "results file '%s': unknown precision '%s'", in->path, prec);
    p->precision = (int)pv;
    p->smoothing = vc_smoothing_parse(sm);
    if (rc == VC_OK && p->smoothing < 0) rc = vc_error(VC_ERR_FORMAT, "results file '%s': unknown smoothing '%s'", in->path, sm);
    p->class_names = (const char *const *)in->classes.items;
    p->n_classes = in->classes.n;
    p->window = (int)w;
    p->frame_stride = (int)s;
    p->model = in->model;
    p->model_sha = in->sha;
    return rc;
}

int vc_h5in_open(const char *path, vc_h5in **out)
{
    *out = NULL;
    if (access(path, R_OK) != 0) return vc_error(VC_ERR_INVALID_ARG, "results file '%s': %s", path, strerror(errno));
    vc_h5in *in = calloc(1, sizeof *in);
    if (!in) return VC_NOMEM;
    snprintf(in->path, sizeof in->path, "%s", path);
    for (int i = 0; i < N_DS; i++) in->ds[i] = H5I_INVALID_HID;
    in->f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    int rc = in->f >= 0 ? string_types(&in->str, &in->raw)
                        : vc_error(VC_ERR_FORMAT, "results file '%s' cannot be opened as HDF5", path);
    if (rc == VC_OK) rc = read_info(in);
    if (rc == VC_OK) rc = check_open(in->f, path, in->info.n_classes);
    for (int i = 0; i < N_DS && rc == VC_OK; i++)
        if (!(k_ds[i].since2 && H5Lexists(in->f, k_ds[i].name, H5P_DEFAULT) <= 0) &&
            (in->ds[i] = H5Dopen2(in->f, k_ds[i].name, H5P_DEFAULT)) < 0)
            rc = vc_error(VC_ERR_FORMAT, "results file '%s': cannot open '%s'", path, k_ds[i].name);
    if (rc == VC_OK) {
        in->videos = vc_h5_rows(in->ds[V_PATH]);
        in->frames = vc_h5_rows(in->ds[F_INDEX]);
    }
    if (rc != VC_OK) {
        vc_h5in_close(&in);
        return rc;
    }
    *out = in;
    return VC_OK;
}

int64_t vc_h5in_videos(const vc_h5in *in) { return in->videos; }

const struct vc_results_info *vc_h5in_info(const vc_h5in *in) { return &in->info; }

static int read_one(vc_h5in *in, int i, int64_t row, void *buf)
{
    return vc_h5_read_rows(in->ds[i], mem_type(k_ds[i].type, in->str, in->raw), (hsize_t)row, 1, buf);
}

/* A string cell into *dst (replaced). */
static int read_string(vc_h5in *in, int i, int64_t row, char **dst)
{
    char *s = NULL;
    int rc = read_one(in, i, row, &s);
    if (rc != VC_OK) return rc;
    char *copy = strdup(s ? s : "");
    H5free_memory(s);
    if (!copy) return VC_NOMEM;
    free(*dst);
    *dst = copy;
    return VC_OK;
}

int vc_h5in_read(vc_h5in *in, int64_t v, struct vc_record *r)
{
    if (v < 0 || v >= in->videos) return vc_error(VC_ERR_INVALID_ARG, "%s: no video %lld", __func__, (long long)v);
    int8_t st = 0;
    long long n = 0, start = 0;
    const int C = in->info.n_classes;
    int rc = read_string(in, in->ds[V_PATH_RAW] >= 0 ? V_PATH_RAW : V_PATH, v, &r->path);
    if (rc == VC_OK) rc = read_string(in, V_ERROR, v, &r->error);
    if (rc == VC_OK) rc = read_one(in, V_STATUS, v, &st);
    if (rc == VC_OK) rc = read_one(in, V_LABEL, v, &r->label);
    if (rc == VC_OK) rc = read_one(in, V_CONF, v, &r->confidence);
    if (rc == VC_OK) rc = read_one(in, V_NFRAMES, v, &n);
    if (rc == VC_OK) rc = read_one(in, V_FPS, v, &r->fps);
    if (rc == VC_OK) rc = read_one(in, V_FSTART, v, &start);
    r->duration = 0;
    if (rc == VC_OK && in->ds[V_DURATION] >= 0) rc = read_one(in, V_DURATION, v, &r->duration);
    if (rc == VC_OK) rc = vc_record_reserve(r, n, C);
    r->status = st;
    r->n = rc == VC_OK ? n : 0;
    void *col[S_VIDEO] = { [F_INDEX] = r->index, [F_TIME] = r->time, [F_PROBS] = r->probs, [F_LABEL] = r->frame_label,
                           [F_CONF] = r->frame_confidence };
    for (int i = F_INDEX; i < S_VIDEO && rc == VC_OK && n > 0; i++)
        if (in->ds[i] >= 0) rc = vc_h5_read_rows(in->ds[i], mem_type(k_ds[i].type, 0, 0), (hsize_t)start, (hsize_t)n, col[i]);
    /* files of format 1: times from the frame numbers and the average rate; the smoothed
     * confidences again from the probabilities (those runs smoothed trailing) */
    if (rc == VC_OK && in->ds[F_TIME] < 0)
        for (int64_t k = 0; k < n; k++) r->time[k] = r->fps > 0 ? (double)r->index[k] / r->fps : 0.0;
    if (rc == VC_OK && in->ds[F_CONF] < 0 && n > 0) {
        vc_smoother *sm = NULL;
        float *mean = malloc(sizeof(float) * (size_t)C);
        rc = mean ? vc_smoother_init(in->info.window, C, &sm) : VC_NOMEM;
        for (int64_t k = 0; rc == VC_OK && k < n; k++) {
            int best = vc_smoother_push(sm, r->probs + (size_t)k * C, mean);
            r->frame_confidence[k] = mean[best];
        }
        vc_smoother_free(&sm);
        free(mean);
    }
    if (rc != VC_OK) return vc_error(rc, "results file '%s': cannot read video %lld: %s", in->path, (long long)v, vc_last_error());
    return VC_OK;
}

void vc_h5in_close(vc_h5in **inp)
{
    if (!inp || !*inp) return;
    vc_h5in *in = *inp;
    for (int i = 0; i < N_DS; i++)
        if (in->ds[i] >= 0) H5Dclose(in->ds[i]);
    if (in->str >= 0) H5Tclose(in->str);
    if (in->raw >= 0) H5Tclose(in->raw);
    if (in->f >= 0) H5Fclose(in->f);
    vc_strlist_free(&in->classes);
    free(in);
    *inp = NULL;
}

int vc_h5in_read_paths(vc_h5in *in, int (*add)(const char *p, int status, void *user), void *user)
{
    const hsize_t block = 65536;
    char **paths = calloc(block, sizeof(char *));
    int8_t *status = malloc(block);
    int rc = paths && status ? VC_OK : vc_error(VC_ERR_NOMEM, "out of memory reading '%s'", in->path);
    const int pi = in->ds[V_PATH_RAW] >= 0 ? V_PATH_RAW : V_PATH; /* the exact bytes, where present */
    for (hsize_t r0 = 0; rc == VC_OK && r0 < (hsize_t)in->videos; r0 += block) {
        hsize_t k = (hsize_t)in->videos - r0 < block ? (hsize_t)in->videos - r0 : block;
        hid_t st = mem_type(k_ds[pi].type, in->str, in->raw);
        if ((rc = vc_h5_read_rows(in->ds[pi], st, r0, k, paths)) != VC_OK) break;
        rc = vc_h5_read_rows(in->ds[V_STATUS], H5T_NATIVE_SCHAR, r0, k, status);
        for (hsize_t i = 0; rc == VC_OK && i < k; i++) rc = add(paths[i], status[i], user);
        hid_t sp = H5Screate_simple(1, &k, NULL);
        H5Dvlen_reclaim(st, sp, H5P_DEFAULT, paths);
        H5Sclose(sp);
    }
    free(paths);
    free(status);
    return rc;
}
