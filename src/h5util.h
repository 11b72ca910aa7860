/*
 * h5util.h - vidclass internal HDF5 helpers (never installed).
 *
 * Wraps HDF5's "negative = failure" convention into vidclass status codes with messages,
 * and reads/writes the string-list attributes Keras uses in every encoding that occurs in
 * real files: fixed-length NUL-padded byte strings (h5py writing numpy 'S' arrays),
 * variable-length strings (h5py 3 writing str objects), an empty float64 array for "no
 * strings", and Keras's chunked form (`name0`, `name1`, ...) for lists longer than the
 * 64 KiB object-header limit.
 */
#ifndef VIDCLASS_H5UTIL_H
#define VIDCLASS_H5UTIL_H

#include <hdf5.h>
#include <stdint.h>

/* Turn off HDF5's automatic error-stack printing (we report our own messages), once per
 * process. VIDCLASS_LOG=debug leaves it on, for diagnosing HDF5 itself. */
void vc_h5_quiet(void);

/* Check a path before H5Fopen so the user gets "does not exist" / "is empty" /
 * "is not an HDF5 file" instead of an HDF5 error stack. Returns VC_OK or an error. */
int vc_h5_check_file(const char *path, const char *what);

/* A list of strings owned by the caller; free with vc_strlist_free. */
struct vc_strlist {
    char **items;
    int    n;
};
void vc_strlist_free(struct vc_strlist *l);
/* Index of s in l, or -1. */
int vc_strlist_find(const struct vc_strlist *l, const char *s);

/* 1 if attribute `name` exists on obj, else 0. */
int vc_h5_has_attr(hid_t obj, const char *name);

/* Read a 1-D string-list attribute in any of the encodings above. A missing attribute
 * (and no chunked form) is VC_ERR_MISSING. */
int vc_h5_read_strlist_attr(hid_t obj, const char *name, struct vc_strlist *out);

/* Write a 1-D string-list attribute: fixed-length NUL-padded (vlen = 0), as Keras does,
 * or variable-length UTF-8 (vlen = 1). n = 0 writes an empty float64 array, as Keras does. */
int vc_h5_write_strlist_attr(hid_t obj, const char *name, const char *const *items, int n,
                             int vlen);

/* Scalar attributes. Strings are variable-length UTF-8. */
int vc_h5_write_str_attr(hid_t obj, const char *name, const char *value);
int vc_h5_read_str_attr(hid_t obj, const char *name, char *buf, size_t buf_len);
int vc_h5_write_i64_attr(hid_t obj, const char *name, int64_t value);
int vc_h5_read_i64_attr(hid_t obj, const char *name, int64_t *value);
int vc_h5_write_f64_attr(hid_t obj, const char *name, double value);
int vc_h5_read_f64_attr(hid_t obj, const char *name, double *value);

/* vc_h5_file_attr_is: vidclass/fileguard.h */

/* A full disk must be an error, never a crash. HDF5 1.10 does not survive a metadata write
 * that fails: the failed flush leaves its cache in a state that fails every later flush, the
 * close fails, and the half-closed file crashes the library's exit handler (at exit() or
 * MPI_Finalize, after our message, as a segfault). Hence two rules for every file we write,
 * always our own temporary file:
 * - reserve the blocks it will need right after creating it (vc_h5_reserve), so that the
 *   file system says "full" before HDF5 writes anything;
 * - close it with vc_h5_close_written, which on failure first cuts the file to zero bytes:
 *   the blocks come back and the close's own metadata writes find room. */

/* Reserve `bytes` for the file at path (created by us, open in HDF5) without changing its
 * size (fallocate FALLOC_FL_KEEP_SIZE). VC_OK also where the file system cannot reserve
 * (HDF5 then meets a full disk at its writes); VC_ERR_IO with the reason and the size
 * otherwise. what: "weights file", "pack", ... for the message. */
int vc_h5_reserve(const char *path, int64_t bytes, const char *what);

/* Close file f, created or written by us at path (a temporary file): with discard (the
 * caller failed and removes the file), the file is first cut to zero bytes; after a good
 * close, blocks reserved past its end are given back. comm: MPI_COMM_NULL for a file one
 * process opened; else the communicator of a file opened with MPI-IO (collective, with one
 * `discard` on every rank; rank 0 cuts and trims). Returns VC_OK, or VC_ERR_IO naming path. */
int vc_h5_close_written(hid_t f, const char *path, int discard, MPI_Comm comm);

/* 1 if path starts as an HDF5 file (signature) but does not open: a damaged file. */
int vc_h5_is_damaged(const char *path);
#include "vidclass/fileguard.h"

/* Write a whole float32 dataset of rank ndim (contiguous, no filters). */
int vc_h5_write_f32(hid_t loc, const char *path, int ndim, const hsize_t *dims,
                    const float *data);

/* Create intermediate groups as needed (link-creation property list). Caller closes. */
hid_t vc_h5_lcpl_intermediate(void);

#endif /* VIDCLASS_H5UTIL_H */

/* ---- growing datasets: rows appended as work finishes --------------------------------
 * A dataset of shape [rows, tail...] with unlimited first dimension, chunked by
 * chunk_rows rows. `type` is the file type (e.g. H5T_IEEE_F32LE, or a vlen string type
 * from vc_h5_vlen_str_type()). */
hid_t vc_h5_create_rows(hid_t loc, const char *name, hid_t type, int tail_ndim,
                        const hsize_t *tail_dims, hsize_t chunk_rows, int deflate_level);

/* Append n rows from buf (memory type mtype) at the end of dset. */
int vc_h5_append_rows(hid_t dset, hid_t mtype, hsize_t n, const void *buf);

/* Current number of rows (first dimension) of dset, or -1. */
hssize_t vc_h5_rows(hid_t dset);

/* 1 if dset has exactly nd dimensions and dims 1..nd-1 equal want[1..nd-1] (want[0] is
 * ignored: any number of rows); then *rows is dims[0]. 0 otherwise. */
int vc_h5_dims_match(hid_t dset, int nd, const hsize_t *want, hsize_t *rows);

/* Read rows [r0, r0 + n) of a dataset into buf (memory type mtype). */
int vc_h5_read_rows(hid_t dset, hid_t mtype, hsize_t r0, hsize_t n, void *buf);

/* A variable-length UTF-8 string type; caller closes with H5Tclose. */
hid_t vc_h5_vlen_str_type(void);

/* Write a whole 1-D dataset of n elements (file type ftype, memory type mtype); n may
 * be 0. Optional gzip level (0 = none). */
int vc_h5_write_1d(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                   const void *data, int deflate_level);

/* 1-D int64 array attribute. */
int vc_h5_write_i64_array_attr(hid_t obj, const char *name, const int64_t *v, int n);
