/* pack.c - class folders -> one HDF5 pack, decoded by all ranks, written with collective
 * parallel-HDF5 hyperslab writes in sorted-file order (see vidclass/pack.h). */
#define _DEFAULT_SOURCE /* realpath */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/pack.h"
#include "vidclass/dataset.h"
#include "vidclass/image.h"
#include "vidclass/log.h"
#include "vidclass/status.h"
#include "h5util.h"
#include "mpiutil.h"
#include "fsutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PACK_FORMAT_VERSION 1

struct vc_pack_params vc_pack_default_params(void)
{
    struct vc_pack_params p = {
        /*.input         =*/ NULL,
        /*.output        =*/ NULL,
        /*.classes       =*/ NULL,
        /*.n_classes     =*/ 0,
        /*.size          =*/ 224,
        /*.resize        =*/ NULL,
        /*.test_fraction =*/ 0.25,
        /*.seed          =*/ 42,
        /*.round_images  =*/ 32,
        /*.deflate       =*/ 0,
        /*.quiet         =*/ 0,
        /*.force         =*/ 0,
    };
    return p;
}

/* Rank 0 scans; everyone gets the same list. */
static int share_dataset(const struct vc_pack_params *p, MPI_Comm comm, int rank, vc_dataset **ds)
{
    char *buf = NULL;
    long long len = 0;
    int64_t l64 = 0;
    int rc = VC_OK;
    if (rank == 0) {
        rc = vc_dataset_scan(p->input, p->classes, p->n_classes, ds);
        if (rc == VC_OK)
            rc = vc_dataset_serialize(*ds, &buf, &l64);
        len = l64;
    }
    rc = vc_mpi_agree(comm, rc);
    if (rc == VC_OK)
        rc = vc_mpi_agree(comm, vc_mpi_bcast_buf(comm, 0, &buf, &len));
    if (rc == VC_OK && rank != 0)
        rc = vc_dataset_deserialize(buf, len, ds);
    free(buf);
    return vc_mpi_agree(comm, rc);
}

/* The packed rows' labels, split and paths, and per-class counts (rank 0). */
struct rows_meta {
    int32_t     *labels;
    uint8_t     *split;
    const char **paths;
    int64_t     *packed_pc, *skipped_pc, *test_pc;
    const char **cls, **sk_paths, **sk_reasons;
    char        *sk_copy;
    int64_t      n_sk;
};

static void rows_meta_free(struct rows_meta *m)
{
    free(m->labels); free(m->split); free(m->paths);
    free(m->packed_pc); free(m->skipped_pc); free(m->test_pc); free(m->cls);
    free(m->sk_paths); free(m->sk_reasons); free(m->sk_copy);
}

static int collect_rows(const struct vc_pack_params *p, const vc_dataset *ds, const uint8_t *ok, int64_t n_packed,
                        struct rows_meta *m)
{
    const int64_t n = vc_dataset_count(ds);
    const int nc = vc_dataset_class_count(ds);
    int32_t *labels_all = malloc(sizeof(int32_t) * (size_t)n);
    uint8_t *split_all = malloc((size_t)n);
    m->labels = malloc(sizeof(int32_t) * (size_t)n_packed);
    m->split = malloc((size_t)n_packed);
    m->paths = malloc(sizeof(char *) * (size_t)n_packed);
    m->packed_pc = calloc((size_t)nc, sizeof(int64_t));
    m->skipped_pc = calloc((size_t)nc, sizeof(int64_t));
    m->test_pc = calloc((size_t)nc, sizeof(int64_t));
    m->cls = malloc(sizeof(char *) * (size_t)nc);
    int rc = labels_all && split_all && m->labels && m->split && m->paths && m->packed_pc && m->skipped_pc && m->test_pc &&
             m->cls ? VC_OK : VC_NOMEM;
    for (int64_t i = 0; rc == VC_OK && i < n; i++) labels_all[i] = vc_dataset_label(ds, i);
    if (rc == VC_OK) rc = vc_split_stratified(labels_all, ok, n, nc, p->test_fraction, p->seed, split_all);
    for (int64_t i = 0, r = 0; rc == VC_OK && i < n; i++) {
        int c = labels_all[i];
        if (!ok[i]) { m->skipped_pc[c]++; continue; }
        m->labels[r] = c;
        m->split[r] = split_all[i];
        m->paths[r++] = vc_dataset_path(ds, i);
        m->packed_pc[c]++;
        m->test_pc[c] += split_all[i];
    }
    for (int c = 0; rc == VC_OK && c < nc; c++) m->cls[c] = vc_dataset_class_name(ds, c);
    free(labels_all);
    free(split_all);
    return rc;
}

/* The skipped files from the gathered "index\treason\n" lines of every rank. */
static int collect_skipped(const vc_dataset *ds, const char *text, struct rows_meta *m)
{
    int64_t n_sk = 0;
    for (const char *s = text; s && *s; s++) n_sk += *s == '\n';
    m->sk_paths = calloc((size_t)(n_sk ? n_sk : 1), sizeof(char *));
    m->sk_reasons = calloc((size_t)(n_sk ? n_sk : 1), sizeof(char *));
    m->sk_copy = strdup(text ? text : "");
    if (!m->sk_paths || !m->sk_reasons || !m->sk_copy) return VC_NOMEM;
    for (char *line = m->sk_copy, *next; line && *line && m->n_sk < n_sk; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = '\0';
        m->sk_paths[m->n_sk] = vc_dataset_path(ds, atoll(line));
        m->sk_reasons[m->n_sk++] = tab + 1;
    }
    return VC_OK;
}

static int write_meta(const struct vc_pack_params *p, hid_t f, hid_t str, const vc_dataset *ds, const struct rows_meta *m,
                      int64_t n_packed)
{
    const int64_t n = vc_dataset_count(ds);
    const int nc = vc_dataset_class_count(ds);
    char src[PATH_MAX];
    if (!realpath(vc_dataset_root(ds), src)) snprintf(src, sizeof src, "%s", vc_dataset_root(ds));
    int rc = vc_h5_write_1d(f, "labels", H5T_STD_I32LE, H5T_NATIVE_INT32, (hsize_t)n_packed, m->labels, 0);
    if (rc == VC_OK) rc = vc_h5_write_1d(f, "split", H5T_STD_U8LE, H5T_NATIVE_UINT8, (hsize_t)n_packed, m->split, 0);
    if (rc == VC_OK) rc = vc_h5_write_1d(f, "paths", str, str, (hsize_t)n_packed, m->paths, 0);
    if (rc == VC_OK) rc = vc_h5_write_1d(f, "skipped/path", str, str, (hsize_t)m->n_sk, m->sk_paths, 0);
    if (rc == VC_OK) rc = vc_h5_write_1d(f, "skipped/reason", str, str, (hsize_t)m->n_sk, m->sk_reasons, 0);
    if (rc == VC_OK) rc = vc_h5_write_strlist_attr(f, "class_names", m->cls, nc, 1);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "image_size", p->size);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "resize", p->resize ? p->resize : "linear");
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "seed", (int64_t)p->seed);
    if (rc == VC_OK) rc = vc_h5_write_f64_attr(f, "test_fraction", p->test_fraction);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "source_dir", src);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "n_files", n + vc_dataset_scan_skipped(ds));
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "n_skipped", n - n_packed + vc_dataset_scan_skipped(ds));
    if (rc == VC_OK) rc = vc_h5_write_i64_array_attr(f, "n_skipped_per_class", m->skipped_pc, nc);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "format", "vidclass-pack");
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "format_version", PACK_FORMAT_VERSION);
    return rc;
}

/* Rank 0, after the parallel phase: labels, split, paths, skipped list, attributes. */
static int write_metadata(const struct vc_pack_params *p, const char *tmp, const vc_dataset *ds,
                          const uint8_t *ok, const char *skipped_text, int64_t n_packed,
                          struct vc_pack_result *res)
{
    struct rows_meta m = { 0 };
    hid_t str = vc_h5_vlen_str_type(), f = H5I_INVALID_HID;
    int rc = str >= 0 ? collect_rows(p, ds, ok, n_packed, &m) : VC_NOMEM;
    if (rc == VC_OK) rc = collect_skipped(ds, skipped_text, &m);
    if (rc == VC_OK && (f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT)) < 0) rc = vc_error(VC_ERR_IO, "cannot reopen '%s'", tmp);
    if (rc == VC_OK) rc = write_meta(p, f, str, ds, &m, n_packed);
    int crc = vc_h5_close_written(f, tmp, rc != VC_OK, MPI_COMM_NULL);
    if (rc == VC_OK) rc = crc;
    if (str >= 0) H5Tclose(str);
    res->n_train = res->n_test = 0;
    VC_LOG_INFO("%-24s %8s %8s %8s %8s", "class", "packed", "skipped", "train", "test");
    for (int c = 0; rc == VC_OK && c < vc_dataset_class_count(ds); c++) {
        VC_LOG_INFO("%-24s %8lld %8lld %8lld %8lld", m.cls[c], (long long)m.packed_pc[c], (long long)m.skipped_pc[c],
                    (long long)(m.packed_pc[c] - m.test_pc[c]), (long long)m.test_pc[c]);
        res->n_test += m.test_pc[c];
        res->n_train += m.packed_pc[c] - m.test_pc[c];
    }
    rows_meta_free(&m);
    return rc;
}

/* Append "index\treason\n" to a growing text buffer. */
static int note_skip(char **text, size_t *len, size_t *cap, int64_t index, const char *reason)
{
    char clean[1024], line[1200];
    snprintf(clean, sizeof clean, "%s", reason);
    for (char *c = clean; *c; c++) /* the reason must not break the line format */
        if (*c == '\n' || *c == '\t') *c = ' ';
    int n = snprintf(line, sizeof line, "%lld\t%s\n", (long long)index, clean);
    if (n >= (int)sizeof line) {
        n = (int)sizeof line - 1;
        line[n - 1] = '\n';
    }
    if (*len + (size_t)n + 1 > *cap) {
        size_t nc = (*cap + (size_t)n + 1) * 2;
        char *t = realloc(*text, nc);
        if (!t) return VC_NOMEM;
        *text = t;
        *cap = nc;
    }
    memcpy(*text + *len, line, (size_t)n + 1);
    *len += (size_t)n;
    return VC_OK;
}

/* Collect every rank's skip text on rank 0 (result malloc'd there). */
static int gather_text(MPI_Comm comm, int rank, int size, const char *text, size_t len, char **all)
{
    int mine = (int)len, *lens = NULL, *displs = NULL, total = 0, rc = VC_OK;
    if (rank == 0) {
        lens = calloc((size_t)size, sizeof(int));
        displs = calloc((size_t)size, sizeof(int));
        if (!lens || !displs) rc = VC_NOMEM;
    }
    if (MPI_Gather(&mine, 1, MPI_INT, lens, 1, MPI_INT, 0, comm) != MPI_SUCCESS)
        rc = vc_error(VC_ERR_MPI, "MPI_Gather failed");
    if (rank == 0 && rc == VC_OK) {
        for (int i = 0; i < size; i++) {
            displs[i] = total;
            total += lens[i];
        }
        *all = calloc((size_t)total + 1, 1);
        if (!*all) rc = VC_NOMEM;
    }
    if (MPI_Gatherv(text ? text : "", mine, MPI_CHAR, rank == 0 ? *all : NULL, lens, displs, MPI_CHAR, 0, comm) != MPI_SUCCESS)
        rc = vc_error(VC_ERR_MPI, "MPI_Gatherv failed");
    free(lens);
    free(displs);
    return rc;
}

/* Everything one pack run holds. */
struct packer {
    const struct vc_pack_params *p;
    MPI_Comm            comm;
    int                 rank, size, S, B;
    enum vc_resize_mode mode;
    vc_dataset         *ds;
    int64_t             n, rows;
    size_t              px;
    char                tmp[PATH_MAX + 64];
    hid_t               fapl, file, dset, dcpl, dxpl, space;
    uint8_t            *img, *ok, *round_ok, *my_ok;
    char               *sk_text;
    size_t              sk_len, sk_cap;
    double              t0, t_progress;
};

static int is_pack(const char *path) { return vc_h5_file_attr_is(path, "format", "vidclass-pack"); }

/* Rank 0: the output may be a pack this tool wrote, never one of the images packed. */
static int check_output(const struct packer *k)
{
    int rc = VC_OK;
    for (int64_t i = 0; rc == VC_OK && i < k->n; i++) {
        char path[8192];
        const char *one[1] = { path };
        snprintf(path, sizeof path, "%s/%s", vc_dataset_root(k->ds), vc_dataset_path(k->ds, i));
        rc = vc_output_not_input(k->p->output, "--output", one, 1);
    }
    return rc == VC_OK ? vc_output_check(k->p->output, "--output", NULL, 0, k->p->force, is_pack) : rc;
}

/* Collective: the temporary file (made by rank 0 next to the output, name shared) and
 * /images sized for every listed file (shrunk at the end). */
static int create_file(struct packer *k)
{
    int rc = k->rank == 0 ? vc_tmp_create(k->p->output, k->tmp, sizeof k->tmp) : VC_OK;
    rc = vc_mpi_agree(k->comm, rc);
    if (rc == VC_OK) VC_CHECK_MPI(MPI_Bcast(k->tmp, (int)sizeof k->tmp, MPI_CHAR, 0, k->comm));
    if (rc != VC_OK) return rc;
    k->fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (k->fapl < 0 || H5Pset_fapl_mpio(k->fapl, k->comm, MPI_INFO_NULL) < 0)
        rc = vc_error(VC_ERR_IO, "cannot set up MPI-IO for '%s'", k->tmp);
    if (rc == VC_OK && (k->file = H5Fcreate(k->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, k->fapl)) < 0)
        rc = vc_error(VC_ERR_IO, "cannot create '%s' (is the output directory writable?)", k->tmp);
    /* uncompressed, the size is known: a full disk is refused now, not after decoding; the
     * rows plus their chunk index and HDF5's own metadata. The good close of this parallel
     * file gives the rest back, so rank 0's later metadata write (paths, labels, skipped
     * list: small) is not covered; a disk full there fails cleanly (vc_h5_close_written). */
    if (rc == VC_OK && k->rank == 0 && k->p->deflate == 0)
        rc = vc_h5_reserve(k->tmp, k->n * ((int64_t)k->S * k->S * 3 + 1024) + (1 << 20), "pack");
    rc = vc_mpi_agree(k->comm, rc);
    if (rc != VC_OK) return rc;
    const hsize_t S = (hsize_t)k->S;
    hsize_t dims[4] = { (hsize_t)k->n, S, S, 3 }, maxd[4] = { H5S_UNLIMITED, S, S, 3 };
    hsize_t chunk[4] = { 1, S, S, 3 }; /* one image per chunk: random access for training */
    k->space = H5Screate_simple(4, dims, maxd);
    k->dcpl = H5Pcreate(H5P_DATASET_CREATE);
    k->dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (k->space < 0 || k->dcpl < 0 || k->dxpl < 0 || H5Pset_chunk(k->dcpl, 4, chunk) < 0 ||
        H5Pset_fill_time(k->dcpl, H5D_FILL_TIME_NEVER) < 0 ||
        (k->p->deflate > 0 && H5Pset_deflate(k->dcpl, (unsigned)k->p->deflate) < 0) ||
        H5Pset_dxpl_mpio(k->dxpl, H5FD_MPIO_COLLECTIVE) < 0 ||
        (k->dset = H5Dcreate2(k->file, "images", H5T_STD_U8LE, k->space, H5P_DEFAULT, k->dcpl, H5P_DEFAULT)) < 0)
        rc = vc_error(VC_ERR_IO, "cannot create /images [%lld,%d,%d,3] in '%s'", (long long)k->n, k->S, k->S, k->tmp);
    return vc_mpi_agree(k->comm, rc);
}

/* This rank's files of round r: decoded into k->img (good ones packed), bad ones noted. */
static int decode_round(struct packer *k, int64_t r, int *cnt)
{
    const int64_t per_round = (int64_t)k->B * k->size, lo = r * per_round + (int64_t)k->rank * k->B;
    const int64_t hi = lo + k->B < k->n ? lo + k->B : k->n;
    int rc = VC_OK;
    *cnt = 0;
    memset(k->my_ok, 0, (size_t)k->B);
    for (int64_t i = lo; i < hi; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", vc_dataset_root(k->ds), vc_dataset_path(k->ds, i));
        if (vc_image_load(path, k->S, k->S, k->mode, NULL, k->img + (size_t)*cnt * k->px) == VC_OK) {
            k->my_ok[i - lo] = 1;
            (*cnt)++;
        } else {
            VC_LOG_WARN("skipped %s", vc_last_error());
            int src = note_skip(&k->sk_text, &k->sk_len, &k->sk_cap, i, vc_last_error());
            if (src != VC_OK) rc = src;
        }
    }
    return rc;
}

/* Round r: decode, learn which files every rank decoded, one collective hyperslab write of
 * the good images at the rows that follow all earlier files. */
static int pack_round(struct packer *k, int64_t r)
{
    const int64_t per_round = (int64_t)k->B * k->size;
    int cnt = 0, rc = decode_round(k, r, &cnt);
    int arc = VC_MPI(MPI_Allgather(k->my_ok, k->B, MPI_BYTE, k->round_ok, k->B, MPI_BYTE, k->comm));
    if (arc != VC_OK) return arc;
    int64_t my_off = k->rows, round_total = 0;
    for (int64_t j = 0; j < per_round; j++) {
        if (j < (int64_t)k->rank * k->B) my_off += k->round_ok[j];
        round_total += k->round_ok[j];
        if (r * per_round + j < k->n) k->ok[r * per_round + j] = k->round_ok[j];
    }
    /* a rank with nothing to write selects none, but takes part in the collective write */
    hid_t fs = H5Dget_space(k->dset);
    hsize_t mdims[4] = { (hsize_t)(cnt > 0 ? cnt : 1), (hsize_t)k->S, (hsize_t)k->S, 3 };
    hid_t ms = H5Screate_simple(4, mdims, NULL);
    hsize_t start[4] = { (hsize_t)my_off, 0, 0, 0 }, count[4] = { (hsize_t)cnt, (hsize_t)k->S, (hsize_t)k->S, 3 };
    herr_t e = (fs < 0 || ms < 0) ? -1 : 0;
    if (e >= 0 && cnt > 0) e = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    else if (e >= 0) e = (H5Sselect_none(fs) < 0 || H5Sselect_none(ms) < 0) ? -1 : 0;
    if (e >= 0) e = H5Dwrite(k->dset, H5T_NATIVE_UINT8, ms, fs, k->dxpl, k->img);
    if (e < 0 && rc == VC_OK)
        rc = vc_error(VC_ERR_IO, "writing rows %lld..%lld of /images in '%s' failed (disk full or over quota?)", (long long)my_off,
                      (long long)(my_off + cnt), k->tmp);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    k->rows += round_total;
    double now = MPI_Wtime();
    if (k->rank == 0 && !k->p->quiet && (now - k->t_progress >= 1.0 || (r + 1) * per_round >= k->n)) {
        k->t_progress = now;
        int64_t done_files = (r + 1) * per_round < k->n ? (r + 1) * per_round : k->n;
        VC_LOG_INFO("pack: %lld/%lld files, %lld packed, %.1f files/s", (long long)done_files, (long long)k->n,
                    (long long)k->rows, (double)done_files / (now - k->t0));
    }
    return vc_mpi_agree(k->comm, rc);
}

/* Collective: shrink /images to the rows written and close the parallel file. */
static int close_file(struct packer *k)
{
    int rc = VC_OK;
    hsize_t final_dims[4] = { (hsize_t)k->rows, (hsize_t)k->S, (hsize_t)k->S, 3 };
    if (k->rows > 0 && H5Dset_extent(k->dset, final_dims) < 0)
        rc = vc_error(VC_ERR_IO, "cannot shrink /images to %lld rows", (long long)k->rows);
    if (H5Dclose(k->dset) < 0 && rc == VC_OK) rc = vc_error(VC_ERR_IO, "cannot write /images in '%s' (disk full?)", k->tmp);
    k->dset = H5I_INVALID_HID;
    rc = vc_mpi_agree(k->comm, rc);
    int crc = vc_h5_close_written(k->file, k->tmp, rc != VC_OK, k->comm);
    k->file = H5I_INVALID_HID;
    return vc_mpi_agree(k->comm, rc != VC_OK ? rc : crc);
}

/* Rank 0: the metadata, then the file into place. */
static int finish(struct packer *k, struct vc_pack_result *res)
{
    char *sk_all = NULL;
    int rc = vc_mpi_agree(k->comm, gather_text(k->comm, k->rank, k->size, k->sk_text, k->sk_len, &sk_all));
    res->n_packed = k->rows;
    res->n_skipped = k->n - k->rows + vc_dataset_scan_skipped(k->ds);
    if (rc == VC_OK && k->rank == 0) {
        if (k->rows == 0)
            rc = vc_error(VC_ERR_DECODE, "none of the %lld files under '%s' could be decoded; no pack written",
                          (long long)k->n, k->p->input);
        else
            rc = write_metadata(k->p, k->tmp, k->ds, k->ok, sk_all, k->rows, res);
        if (rc == VC_OK) rc = vc_tmp_commit(k->tmp, k->p->output);
    }
    free(sk_all);
    rc = vc_mpi_agree(k->comm, rc);
    int64_t counts[2] = { res->n_train, res->n_test };
    if (rc == VC_OK) rc = VC_MPI(MPI_Bcast(counts, 2, MPI_INT64_T, 0, k->comm));
    res->n_train = counts[0];
    res->n_test = counts[1];
    return rc;
}

static void packer_free(struct packer *k, int failed)
{
    if (k->dset >= 0) H5Dclose(k->dset);
    if (k->file >= 0) vc_h5_close_written(k->file, k->tmp, 1, k->comm); /* failed: every rank is here */
    if (failed && k->rank == 0) vc_tmp_discard(k->tmp);
    if (k->space >= 0) H5Sclose(k->space);
    if (k->dcpl >= 0) H5Pclose(k->dcpl);
    if (k->dxpl >= 0) H5Pclose(k->dxpl);
    if (k->fapl >= 0) H5Pclose(k->fapl);
    free(k->img); free(k->my_ok); free(k->round_ok); free(k->ok); free(k->sk_text);
    vc_dataset_free(&k->ds);
}

int vc_pack_run(const struct vc_pack_params *p, MPI_Comm comm, struct vc_pack_result *res)
{
    struct packer k = { .p = p, .comm = comm, .S = p->size, .B = p->round_images, .mode = VC_RESIZE_LINEAR,
                        .fapl = H5I_INVALID_HID, .file = H5I_INVALID_HID, .dset = H5I_INVALID_HID,
                        .dcpl = H5I_INVALID_HID, .dxpl = H5I_INVALID_HID, .space = H5I_INVALID_HID };
    memset(res, 0, sizeof *res);
    MPI_Comm_rank(comm, &k.rank);
    MPI_Comm_size(comm, &k.size);
    k.t0 = k.t_progress = MPI_Wtime();
    k.px = (size_t)k.S * k.S * 3;
    vc_h5_quiet();
    vc_av_quiet();
    if (!p->input || !p->output || p->size < 32 || p->size > 4096 || p->round_images < 1 ||
        !(p->test_fraction >= 0.0 && p->test_fraction < 1.0) || p->deflate < 0 || p->deflate > 9)
        return vc_error(VC_ERR_INVALID_ARG, "pack: need input and output, size in [32, 4096], test fraction in [0, 1), deflate 0..9");
    int rc = p->resize ? vc_resize_parse(p->resize, &k.mode) : VC_OK;
    if (rc == VC_OK) rc = share_dataset(p, comm, k.rank, &k.ds);
    k.n = rc == VC_OK ? vc_dataset_count(k.ds) : 0;
    res->n_files = k.n;
    if (rc == VC_OK && k.n == 0) rc = vc_error(VC_ERR_INVALID_ARG, "no files found under the class folders of '%s'", p->input);
    if (rc == VC_OK) rc = vc_mpi_agree(comm, k.rank == 0 ? check_output(&k) : VC_OK);
    if (rc == VC_OK) rc = create_file(&k);
    if (rc == VC_OK) {
        k.img = malloc(k.px * (size_t)k.B);
        k.my_ok = malloc((size_t)k.B);
        k.round_ok = malloc((size_t)k.B * (size_t)k.size);
        k.ok = calloc((size_t)k.n, 1);
        rc = vc_mpi_agree(comm, k.img && k.my_ok && k.round_ok && k.ok ? VC_OK : VC_NOMEM);
    }
    const int64_t per_round = (int64_t)k.B * k.size;
    for (int64_t r = 0; rc == VC_OK && r < (k.n + per_round - 1) / per_round; r++) rc = pack_round(&k, r);
    if (rc == VC_OK) rc = close_file(&k);
    if (rc == VC_OK) rc = finish(&k, res);
    packer_free(&k, rc != VC_OK);
    res->seconds = MPI_Wtime() - k.t0;
    return rc;
}
