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

/* Rank 0, after the parallel phase: labels, split, paths, skipped list, attributes. */
static int write_metadata(const struct vc_pack_params *p, const char *tmp, const vc_dataset *ds,
                          const uint8_t *ok, const char *skipped_text, int64_t n_packed,
                          struct vc_pack_result *res)
{
    const int64_t n = vc_dataset_count(ds);
    const int nc = vc_dataset_class_count(ds);
    int rc = VC_OK;
    hid_t f = H5I_INVALID_HID, str = vc_h5_vlen_str_type();
    int32_t *labels_all = malloc(sizeof(int32_t) * (size_t)n), *labels = malloc(sizeof(int32_t) * (size_t)n_packed);
    uint8_t *split_all = malloc((size_t)n), *split = malloc((size_t)n_packed);
    const char **paths = malloc(sizeof(char *) * (size_t)n_packed);
    int64_t *packed_pc = calloc((size_t)nc, sizeof(int64_t)), *skipped_pc = calloc((size_t)nc, sizeof(int64_t));
    int64_t *test_pc = calloc((size_t)nc, sizeof(int64_t));
    const char **cls = malloc(sizeof(char *) * (size_t)nc);
    const char **sk_paths = NULL, **sk_reasons = NULL;
    char *sk_copy = NULL;
    if (str < 0 || !labels_all || !labels || !split_all || !split || !paths || !packed_pc || !skipped_pc || !test_pc || !cls) {
        rc = VC_ERR_NOMEM;
        goto done;
    }
    for (int64_t i = 0; i < n; i++)
        labels_all[i] = vc_dataset_label(ds, i);
    rc = vc_split_stratified(labels_all, ok, n, nc, p->test_fraction, p->seed, split_all);
    if (rc != VC_OK) goto done;
    int64_t r = 0;
    for (int64_t i = 0; i < n; i++) {
        int c = labels_all[i];
        if (!ok[i]) {
            skipped_pc[c]++;
            continue;
        }
        labels[r] = c;
        split[r] = split_all[i];
        paths[r] = vc_dataset_path(ds, i);
        packed_pc[c]++;
        test_pc[c] += split_all[i];
        r++;
    }
    for (int c = 0; c < nc; c++)
        cls[c] = vc_dataset_class_name(ds, c);

    /* skipped: "index\treason\n" lines gathered from all ranks */
    int64_t n_sk = 0;
    for (const char *s = skipped_text; s && *s; s++)
        n_sk += *s == '\n';
    sk_paths = calloc((size_t)(n_sk ? n_sk : 1), sizeof(char *));
    sk_reasons = calloc((size_t)(n_sk ? n_sk : 1), sizeof(char *));
    sk_copy = strdup(skipped_text ? skipped_text : "");
    if (!sk_paths || !sk_reasons || !sk_copy) { rc = VC_ERR_NOMEM; goto done; }
    int64_t k = 0;
    for (char *line = sk_copy, *next; line && *line && k < n_sk; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = '\0';
        sk_paths[k] = vc_dataset_path(ds, atoll(line));
        sk_reasons[k++] = tab + 1;
    }

    f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
    if (f < 0) { rc = vc_error(VC_ERR_IO, "cannot reopen '%s'", tmp); goto done; }
    char src[PATH_MAX];
    if (!realpath(vc_dataset_root(ds), src))
        snprintf(src, sizeof src, "%s", vc_dataset_root(ds));
    if (rc == VC_OK) rc = vc_h5_write_1d(f, "labels", H5T_STD_I32LE, H5T_NATIVE_INT32, (hsize_t)n_packed, labels, 0);
    if (rc == VC_OK) rc = vc_h5_write_1d(f, "split", H5T_STD_U8LE, H5T_NATIVE_UINT8, (hsize_t)n_packed, split, 0);
    if (rc == VC_OK) rc = vc_h5_write_1d(f, "paths", str, str, (hsize_t)n_packed, paths, 0);
    if (rc == VC_OK) rc = vc_h5_write_1d(f, "skipped/path", str, str, (hsize_t)k, sk_paths, 0);
    if (rc == VC_OK) rc = vc_h5_write_1d(f, "skipped/reason", str, str, (hsize_t)k, sk_reasons, 0);
    if (rc == VC_OK) rc = vc_h5_write_strlist_attr(f, "class_names", cls, nc, 1);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "image_size", p->size);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "resize", p->resize ? p->resize : "linear");
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "seed", (int64_t)p->seed);
    if (rc == VC_OK) rc = vc_h5_write_f64_attr(f, "test_fraction", p->test_fraction);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "source_dir", src);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "n_files", n + vc_dataset_scan_skipped(ds));
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "n_skipped", n - n_packed + vc_dataset_scan_skipped(ds));
    if (rc == VC_OK) rc = vc_h5_write_i64_array_attr(f, "n_skipped_per_class", skipped_pc, nc);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "format", "vidclass-pack");
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "format_version", PACK_FORMAT_VERSION);
    if (H5Fclose(f) < 0 && rc == VC_OK)
        rc = vc_error(VC_ERR_IO, "cannot close '%s'", tmp);
    f = H5I_INVALID_HID;

    res->n_train = res->n_test = 0;
    VC_LOG_INFO("%-24s %8s %8s %8s %8s", "class", "packed", "skipped", "train", "test");
    for (int c = 0; c < nc; c++) {
        VC_LOG_INFO("%-24s %8lld %8lld %8lld %8lld", cls[c], (long long)packed_pc[c], (long long)skipped_pc[c],
                    (long long)(packed_pc[c] - test_pc[c]), (long long)test_pc[c]);
        res->n_test += test_pc[c];
        res->n_train += packed_pc[c] - test_pc[c];
    }
done:
    if (f >= 0) H5Fclose(f);
    if (str >= 0) H5Tclose(str);
    free(labels_all); free(labels); free(split_all); free(split); free(paths);
    free(packed_pc); free(skipped_pc); free(test_pc); free(cls);
    free(sk_paths); free(sk_reasons); free(sk_copy);
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
        if (!t) return VC_ERR_NOMEM;
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
        if (!lens || !displs) rc = VC_ERR_NOMEM;
    }
    if (MPI_Gather(&mine, 1, MPI_INT, lens, 1, MPI_INT, 0, comm) != MPI_SUCCESS)
        rc = vc_error(VC_ERR_MPI, "MPI_Gather failed");
    if (rank == 0 && rc == VC_OK) {
        for (int i = 0; i < size; i++) {
            displs[i] = total;
            total += lens[i];
        }
        *all = calloc((size_t)total + 1, 1);
        if (!*all) rc = VC_ERR_NOMEM;
    }
    if (MPI_Gatherv(text ? text : "", mine, MPI_CHAR, rank == 0 ? *all : NULL, lens, displs, MPI_CHAR, 0, comm) != MPI_SUCCESS)
        rc = vc_error(VC_ERR_MPI, "MPI_Gatherv failed");
    free(lens);
    free(displs);
    return rc;
}

int vc_pack_run(const struct vc_pack_params *p, MPI_Comm comm, struct vc_pack_result *res)
{
    int rank, size, rc = VC_OK;
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    memset(res, 0, sizeof *res);
    double t0 = MPI_Wtime();
    vc_dataset *ds = NULL;
    hid_t fapl = H5I_INVALID_HID, file = H5I_INVALID_HID, dset = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    hid_t dxpl = H5I_INVALID_HID, space = H5I_INVALID_HID;
    uint8_t *img = NULL, *ok = NULL, *round_ok = NULL, *my_ok = NULL;
    char *sk_text = NULL, *sk_all = NULL;
    size_t sk_len = 0, sk_cap = 0;
    char tmp[4200];
    int64_t rows = 0;
    vc_h5_quiet();
    vc_av_quiet();

    if (!p->input || !p->output || p->size < 32 || p->size > 4096 || p->round_images < 1 ||
        !(p->test_fraction >= 0.0 && p->test_fraction < 1.0) || p->deflate < 0 || p->deflate > 9)
        return vc_error(VC_ERR_INVALID_ARG, "pack: need input and output, size in [32, 4096], test fraction in [0, 1), deflate 0..9");
    enum vc_resize_mode mode = VC_RESIZE_LINEAR;
    if (p->resize && (rc = vc_resize_parse(p->resize, &mode)) != VC_OK)
        return rc;
    rc = share_dataset(p, comm, rank, &ds);
    if (rc != VC_OK)
        return rc;
    const int64_t n = vc_dataset_count(ds);
    const int S = p->size, B = p->round_images;
    const size_t px = (size_t)S * S * 3;
    res->n_files = n;
    if (n == 0) {
        rc = vc_error(VC_ERR_INVALID_ARG, "no files found under the class folders of '%s'", p->input);
        goto done;
    }
    /* Same temporary name on every rank; renamed by rank 0 when complete. */
    snprintf(tmp, sizeof tmp, "%s.partial", p->output);

    fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0)
        rc = vc_error(VC_ERR_IO, "cannot set up MPI-IO for '%s'", tmp);
    if (rc == VC_OK && (file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0)
        rc = vc_error(VC_ERR_IO, "cannot create '%s' (is the output directory writable?)", tmp);
    rc = vc_mpi_agree(comm, rc);
    if (rc != VC_OK) goto done;

    hsize_t dims[4] = { (hsize_t)n, (hsize_t)S, (hsize_t)S, 3 };
    hsize_t maxd[4] = { H5S_UNLIMITED, (hsize_t)S, (hsize_t)S, 3 };
    hsize_t chunk[4] = { 1, (hsize_t)S, (hsize_t)S, 3 }; /* one image per chunk: random access for training */
    space = H5Screate_simple(4, dims, maxd);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (space < 0 || dcpl < 0 || dxpl < 0 || H5Pset_chunk(dcpl, 4, chunk) < 0 ||
        H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER) < 0 ||
        (p->deflate > 0 && H5Pset_deflate(dcpl, (unsigned)p->deflate) < 0) ||
        H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE) < 0 ||
        (dset = H5Dcreate2(file, "images", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0)
        rc = vc_error(VC_ERR_IO, "cannot create /images [%lld,%d,%d,3] in '%s'", (long long)n, S, S, tmp);
    rc = vc_mpi_agree(comm, rc);
    if (rc != VC_OK) goto done;

    img = malloc(px * (size_t)B);
    my_ok = malloc((size_t)B);
    round_ok = malloc((size_t)B * (size_t)size);
    ok = calloc((size_t)n, 1);
    rc = vc_mpi_agree(comm, (img && my_ok && round_ok && ok) ? VC_OK : vc_error(VC_ERR_NOMEM, "pack: out of memory"));
    if (rc != VC_OK) goto done;

    const int64_t per_round = (int64_t)B * size;
    const int64_t n_rounds = (n + per_round - 1) / per_round;
    double t_progress = MPI_Wtime();
    for (int64_t k = 0; k < n_rounds && rc == VC_OK; k++) {
        int64_t lo = k * per_round + (int64_t)rank * B, hi = lo + B < n ? lo + B : n;
        int cnt = 0;
        memset(my_ok, 0, (size_t)B);
        for (int64_t i = lo; i < hi; i++) {
            char path[8192];
            snprintf(path, sizeof path, "%s/%s", vc_dataset_root(ds), vc_dataset_path(ds, i));
            if (vc_image_load(path, S, S, mode, NULL, img + (size_t)cnt * px) == VC_OK) {
                my_ok[i - lo] = 1;
                cnt++;
            } else {
                VC_LOG_WARN("skipped %s", vc_last_error());
                int src = note_skip(&sk_text, &sk_len, &sk_cap, i, vc_last_error());
                if (src != VC_OK) rc = src;
            }
        }
        if (MPI_Allgather(my_ok, B, MPI_BYTE, round_ok, B, MPI_BYTE, comm) != MPI_SUCCESS)
            rc = vc_error(VC_ERR_MPI, "MPI_Allgather of decode flags failed");
        int64_t my_off = rows, round_total = 0;
        for (int64_t j = 0; j < per_round; j++) {
            if (j < (int64_t)rank * B) my_off += round_ok[j];
            round_total += round_ok[j];
            if (k * per_round + j < n) ok[k * per_round + j] = round_ok[j];
        }
        /* one collective write per round; a rank with nothing to write selects none */
        hid_t fs = H5Dget_space(dset);
        hsize_t mdims[4] = { (hsize_t)(cnt > 0 ? cnt : 1), (hsize_t)S, (hsize_t)S, 3 };
        hid_t ms = H5Screate_simple(4, mdims, NULL);
        hsize_t start[4] = { (hsize_t)my_off, 0, 0, 0 }, count[4] = { (hsize_t)cnt, (hsize_t)S, (hsize_t)S, 3 };
        herr_t e = (fs < 0 || ms < 0) ? -1 : 0;
        if (e >= 0 && cnt > 0)
            e = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
        else if (e >= 0)
            e = (H5Sselect_none(fs) < 0 || H5Sselect_none(ms) < 0) ? -1 : 0;
        if (e >= 0)
            e = H5Dwrite(dset, H5T_NATIVE_UINT8, ms, fs, dxpl, img);
        if (e < 0)
            rc = vc_error(VC_ERR_IO, "writing rows %lld..%lld of /images in '%s' failed", (long long)my_off,
                          (long long)(my_off + cnt), tmp);
        if (ms >= 0) H5Sclose(ms);
        if (fs >= 0) H5Sclose(fs);
        rc = vc_mpi_agree(comm, rc);
        rows += round_total;
        double now = MPI_Wtime();
        if (rank == 0 && !p->quiet && (now - t_progress >= 1.0 || k == n_rounds - 1)) {
            t_progress = now;
            int64_t done_files = (k + 1) * per_round < n ? (k + 1) * per_round : n;
            VC_LOG_INFO("pack: %lld/%lld files, %lld packed, %.1f files/s", (long long)done_files, (long long)n,
                        (long long)rows, (double)done_files / (now - t0));
        }
    }
    if (rc != VC_OK) goto done;
    hsize_t final_dims[4] = { (hsize_t)rows, (hsize_t)S, (hsize_t)S, 3 };
    if (rows > 0 && H5Dset_extent(dset, final_dims) < 0)
        rc = vc_error(VC_ERR_IO, "cannot shrink /images to %lld rows", (long long)rows);
    H5Dclose(dset);
    dset = H5I_INVALID_HID;
    if (H5Fclose(file) < 0 && rc == VC_OK)
        rc = vc_error(VC_ERR_IO, "cannot close '%s'", tmp);
    file = H5I_INVALID_HID;
    rc = vc_mpi_agree(comm, rc);
    if (rc == VC_OK)
        rc = vc_mpi_agree(comm, gather_text(comm, rank, size, sk_text, sk_len, &sk_all));
    if (rc != VC_OK) goto done;

    res->n_packed = rows;
    res->n_skipped = n - rows + vc_dataset_scan_skipped(ds);
    if (rank == 0) {
        if (rows == 0)
            rc = vc_error(VC_ERR_DECODE, "none of the %lld files under '%s' could be decoded; no pack written",
                          (long long)n, p->input);
        else
            rc = write_metadata(p, tmp, ds, ok, sk_all, rows, res);
        if (rc == VC_OK && rename(tmp, p->output) != 0)
            rc = vc_error(VC_ERR_IO, "cannot rename '%s' to '%s'", tmp, p->output);
    }
    rc = vc_mpi_agree(comm, rc);
    MPI_Bcast(&res->n_train, 1, MPI_INT64_T, 0, comm);
    MPI_Bcast(&res->n_test, 1, MPI_INT64_T, 0, comm);
done:
    if (dset >= 0) H5Dclose(dset);
    if (file >= 0) H5Fclose(file);
    if (rc != VC_OK && rank == 0)
        unlink(tmp);
    if (space >= 0) H5Sclose(space);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (dxpl >= 0) H5Pclose(dxpl);
    if (fapl >= 0) H5Pclose(fapl);
    free(img); free(my_ok); free(round_ok); free(ok); free(sk_text); free(sk_all);
    vc_dataset_free(&ds);
    res->seconds = MPI_Wtime() - t0;
    return rc;
}
