/* results_h5.c - the HDF5 results file, written row by row (see results_h5.h). */
#define _GNU_SOURCE /* fallocate */
#include "results_h5.h"
#include "results.h"
#include "h5util.h"
#include "vidclass/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

enum { V_PATH, V_STATUS, V_ERROR, V_LABEL, V_CONF, V_NFRAMES, V_FPS, V_FSTART, V_PATH_RAW, F_INDEX, F_PROBS, F_LABEL, N_DS };

/* name, string?, rows carry a [classes] tail?, file type, memory type (0: the string type) */
static const struct {
    const char *name;
    int         is_str, tail;
    const hid_t *ftype, *mtype;
} k_ds[N_DS] = {
    { "videos/path", 1, 0, NULL, NULL },
    { "videos/status", 0, 0, &H5T_STD_I8LE_g, &H5T_NATIVE_SCHAR_g },
    { "videos/error", 1, 0, NULL, NULL },
    { "videos/label", 0, 0, &H5T_STD_I32LE_g, &H5T_NATIVE_INT_g },
    { "videos/confidence", 0, 0, &H5T_IEEE_F32LE_g, &H5T_NATIVE_FLOAT_g },
    { "videos/n_frames", 0, 0, &H5T_STD_I64LE_g, &H5T_NATIVE_LLONG_g },
    { "videos/fps", 0, 0, &H5T_IEEE_F64LE_g, &H5T_NATIVE_DOUBLE_g },
    { "videos/frame_start", 0, 0, &H5T_STD_I64LE_g, &H5T_NATIVE_LLONG_g },
    { "videos/path_bytes", 2, 0, NULL, NULL },
    { "frames/index", 0, 0, &H5T_STD_I64LE_g, &H5T_NATIVE_LLONG_g },
    { "frames/probs", 0, 1, &H5T_IEEE_F32LE_g, &H5T_NATIVE_FLOAT_g },
    { "frames/label", 0, 0, &H5T_STD_I32LE_g, &H5T_NATIVE_INT_g },
};

/* Row sizes in memory (strings: a char pointer). */
static size_t row_size(int i, int classes)
{
    static const size_t k[N_DS] = { sizeof(char *), 1, sizeof(char *), 4, 4, 8, 8, 8, sizeof(char *), 8, 4, 4 };
    return k[i] * (k_ds[i].tail ? (size_t)classes : 1);
}

struct vc_h5out {
    char    path[4200];
    hid_t   f, str, raw, ds[N_DS];
    int     classes;
    int64_t frames;
};

/* is_str 1: UTF-8 strings; 2: the same bytes as ASCII-tagged strings (h5py: bytes) */
static hid_t ftype(const vc_h5out *o, int i) { return k_ds[i].is_str == 2 ? o->raw : k_ds[i].is_str ? o->str : *k_ds[i].ftype; }
static hid_t mtype(const vc_h5out *o, int i) { return ftype(o, i) == o->raw || k_ds[i].is_str ? ftype(o, i) : *k_ds[i].mtype; }

/* A path as valid UTF-8: each byte that is not part of a valid UTF-8 sequence becomes the
 * four characters \xHH (a file name is bytes; the exact ones are in videos/path_bytes). */
static char *utf8_form(const char *s)
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

int vc_h5out_create(const char *path, const struct vc_results_info *info, vc_h5out **out)
{
    *out = NULL;
    vc_h5out *o = calloc(1, sizeof *o);
    if (!o) return vc_error(VC_ERR_NOMEM, "out of memory creating '%s'", path);
    snprintf(o->path, sizeof o->path, "%s", path);
    H5open(); /* the H5T_*_g type ids above are set by the library's initialisation */
    o->classes = info->n_classes;
    o->str = vc_h5_vlen_str_type();
    o->raw = H5Tcopy(H5T_C_S1);
    if (o->raw >= 0 && (H5Tset_size(o->raw, H5T_VARIABLE) < 0 || H5Tset_cset(o->raw, H5T_CSET_ASCII) < 0)) {
        H5Tclose(o->raw);
        o->raw = H5I_INVALID_HID;
    }
    for (int i = 0; i < N_DS; i++) o->ds[i] = H5I_INVALID_HID;
    o->f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    int rc = o->f >= 0 && o->str >= 0 && o->raw >= 0 ? VC_OK : vc_error(VC_ERR_IO, "cannot create the results file '%s'", path);
    if (rc == VC_OK) rc = vc_h5_write_strlist_attr(o->f, "class_names", info->class_names, info->n_classes, 1);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(o->f, "window", info->window);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(o->f, "frame_stride", info->frame_stride);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "model", info->model);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "model_sha256", info->model_sha);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(o->f, "format", "vidclass-results");
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(o->f, "format_version", 1);
    hsize_t cdim[1] = { (hsize_t)info->n_classes };
    for (int i = 0; i < N_DS && rc == VC_OK; i++) {
        o->ds[i] = vc_h5_create_rows(o->f, k_ds[i].name, ftype(o, i), k_ds[i].tail, k_ds[i].tail ? cdim : NULL,
                                     k_ds[i].tail ? 1024 : 4096, 0);
        if (o->ds[i] < 0) rc = vc_error(VC_ERR_IO, "cannot create '%s' in '%s'", k_ds[i].name, path);
    }
    if (rc != VC_OK) {
        vc_h5out_close(&o);
        return rc;
    }
    *out = o;
    return VC_OK;
}

int vc_h5out_append(vc_h5out *o, const struct vc_record *r)
{
    int8_t st = (int8_t)r->status;
    char *path = utf8_form(r->path), *err = utf8_form(r->error);
    const char *raw = r->path;
    const void *row[N_DS] = { &path, &st, &err, &r->label, &r->confidence, &r->n, &r->fps, &o->frames, &raw,
                              r->index, r->probs, r->frame_label };
    int rc = path && err ? VC_OK : VC_NOMEM;
    for (int i = F_INDEX; i < N_DS && rc == VC_OK && r->n > 0; i++)
        rc = vc_h5_append_rows(o->ds[i], mtype(o, i), (hsize_t)r->n, row[i]);
    for (int i = 0; i < F_INDEX && rc == VC_OK; i++)
        rc = vc_h5_append_rows(o->ds[i], mtype(o, i), 1, row[i]);
    free(path);
    free(err);
    if (rc != VC_OK) return vc_error(rc, "cannot write '%s' to '%s': %s", r->path, o->path, vc_last_error());
    o->frames += r->n;
    return VC_OK;
}

int vc_h5out_copy(vc_h5out *o, const char *src_path)
{
    const hsize_t block = 65536;
    hid_t src = H5Fopen(src_path, H5F_ACC_RDONLY, H5P_DEFAULT);
    int rc = src >= 0 ? VC_OK : vc_error(VC_ERR_FORMAT, "results file '%s' cannot be opened any more", src_path);
    for (int i = 0; i < N_DS && rc == VC_OK; i++) {
        /* files of vidclass 0.1 have no path_bytes: their paths are the bytes */
        const char *name = i == V_PATH_RAW && H5Lexists(src, k_ds[i].name, H5P_DEFAULT) <= 0 ? "videos/path" : k_ds[i].name;
        hid_t d = H5Dopen2(src, name, H5P_DEFAULT), rtype = name == k_ds[i].name ? mtype(o, i) : o->str;
        hssize_t n = d >= 0 ? vc_h5_rows(d) : -1;
        void *buf = n >= 0 ? malloc(row_size(i, o->classes) * block) : NULL;
        if (n < 0) rc = vc_error(VC_ERR_FORMAT, "results file '%s': cannot read '%s'", src_path, k_ds[i].name);
        else if (!buf) rc = vc_error(VC_ERR_NOMEM, "out of memory copying '%s'", src_path);
        for (hsize_t r0 = 0; rc == VC_OK && r0 < (hsize_t)n; r0 += block) {
            hsize_t k = (hsize_t)n - r0 < block ? (hsize_t)n - r0 : block;
            rc = vc_h5_read_rows(d, rtype, r0, k, buf);
            if (rc == VC_OK) rc = vc_h5_append_rows(o->ds[i], mtype(o, i), k, buf);
            if (rc == VC_OK && k_ds[i].is_str) {
                hid_t sp = H5Screate_simple(1, &k, NULL);
                H5Dvlen_reclaim(rtype, sp, H5P_DEFAULT, buf);
                H5Sclose(sp);
            }
        }
        if (rc == VC_OK && i == F_INDEX) o->frames = n;
        free(buf);
        if (d >= 0) H5Dclose(d);
    }
    if (src >= 0) H5Fclose(src);
    return rc;
}

int vc_h5out_reserve(vc_h5out *o, int64_t bytes)
{
#ifdef FALLOC_FL_KEEP_SIZE
    int *fd = NULL;
    if (H5Fget_vfd_handle(o->f, H5P_DEFAULT, (void **)&fd) < 0 || !fd)
        return vc_error(VC_ERR_IO, "cannot reach the file descriptor of '%s'", o->path);
    if (fallocate(*fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) == 0) return VC_OK;
    if (errno != EOPNOTSUPP && errno != ENOSYS)
        return vc_error(VC_ERR_IO, "cannot reserve %.1f MB for the results file '%s': %s", (double)bytes / 1e6, o->path,
                        strerror(errno));
#else
    (void)bytes;
#endif
    return VC_OK; /* a file system without reservations: HDF5 finds out at its writes */
}

int vc_h5out_close(vc_h5out **op)
{
    if (!op || !*op) return VC_OK;
    vc_h5out *o = *op;
    int bad = 0;
    for (int i = 0; i < N_DS; i++)
        if (o->ds[i] >= 0 && H5Dclose(o->ds[i]) < 0) bad = 1;
    if (o->str >= 0) H5Tclose(o->str);
    if (o->raw >= 0) H5Tclose(o->raw);
    if (o->f >= 0 && H5Fclose(o->f) < 0) bad = 1;
    int rc = bad ? vc_error(VC_ERR_IO, "cannot finish writing the results file '%s' (HDF5 could not flush it: disk "
                            "full or quota?)", o->path) : VC_OK;
    free(o);
    *op = NULL;
    return rc;
}

int vc_h5out_read_paths(const char *path, int (*add)(const char *p, void *user), void *user)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return vc_error(VC_ERR_FORMAT, "results file '%s' cannot be opened as HDF5; move it away to start again", path);
    int raw = H5Lexists(f, "videos/path_bytes", H5P_DEFAULT) > 0; /* the exact bytes, where present */
    hid_t d = H5Dopen2(f, raw ? "videos/path_bytes" : "videos/path", H5P_DEFAULT), str = vc_h5_vlen_str_type();
    if (raw && str >= 0) H5Tset_cset(str, H5T_CSET_ASCII);
    hssize_t n = d >= 0 ? vc_h5_rows(d) : -1;
    int rc = n >= 0 ? VC_OK : vc_error(VC_ERR_FORMAT, "results file '%s': cannot read /videos/path", path);
    const hsize_t block = 65536;
    char **paths = rc == VC_OK ? calloc(block, sizeof(char *)) : NULL;
    if (rc == VC_OK && !paths) rc = vc_error(VC_ERR_NOMEM, "out of memory reading '%s'", path);
    for (hsize_t r0 = 0; rc == VC_OK && r0 < (hsize_t)n; r0 += block) {
        hsize_t k = (hsize_t)n - r0 < block ? (hsize_t)n - r0 : block;
        if ((rc = vc_h5_read_rows(d, str, r0, k, paths)) != VC_OK) break;
        for (hsize_t i = 0; rc == VC_OK && i < k; i++) rc = add(paths[i], user);
        hid_t sp = H5Screate_simple(1, &k, NULL);
        H5Dvlen_reclaim(str, sp, H5P_DEFAULT, paths);
        H5Sclose(sp);
    }
    free(paths);
    H5Tclose(str);
    if (d >= 0) H5Dclose(d);
    H5Fclose(f);
    return rc;
}

int vc_h5out_check(const char *path, int classes)
{
    H5open();
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return vc_error(VC_ERR_FORMAT, "results file '%s' cannot be opened as HDF5; move it away to start again", path);
    hssize_t rows[N_DS];
    int rc = VC_OK;
    for (int i = 0; i < N_DS && rc == VC_OK; i++) {
        if (i == V_PATH_RAW && H5Lexists(f, k_ds[i].name, H5P_DEFAULT) <= 0) { rows[i] = rows[0]; continue; } /* 0.1 files */
        hid_t d = H5Dopen2(f, k_ds[i].name, H5P_DEFAULT);
        hsize_t want[2] = { 0, (hsize_t)classes }, n = 0;
        rows[i] = d >= 0 ? vc_h5_rows(d) : -1;
        if (rows[i] < 0 || (k_ds[i].tail && !vc_h5_dims_match(d, 2, want, &n)))
            rc = vc_error(VC_ERR_FORMAT, "results file '%s': '%s' is missing or damaged; move the file away to start again",
                          path, k_ds[i].name);
        if (d >= 0) H5Dclose(d);
    }
    for (int i = 1; i < N_DS && rc == VC_OK; i++)
        if (rows[i] != rows[i < F_INDEX ? 0 : F_INDEX])
            rc = vc_error(VC_ERR_FORMAT, "results file '%s': '%s' has %lld rows, not %lld like the other %s datasets; move "
                          "the file away to start again", path, k_ds[i].name, (long long)rows[i],
                          (long long)rows[i < F_INDEX ? 0 : F_INDEX], i < F_INDEX ? "videos/" : "frames/");
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
    H5Fclose(f);
    return rc;
}
