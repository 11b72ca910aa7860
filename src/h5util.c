/* h5util.c - HDF5 helpers shared by the readers and writers of every vidclass file. */
#define _GNU_SOURCE /* fallocate */
#include "h5util.h"
#include "vidclass/log.h"
#include "vidclass/status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

void vc_h5_quiet(void)
{
    static int done = 0;
    if (done)
        return;
    done = 1;
    if (vc_log_get_level() < VC_LOG_DEBUG)
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

int vc_h5_check_file(const char *path, const char *what)
{
    struct stat st;
    vc_h5_quiet();
    if (stat(path, &st) != 0)
        return vc_error(VC_ERR_IO, "%s file '%s': %s", what, path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return vc_error(VC_ERR_IO, "%s file '%s' is a directory", what, path);
    if (st.st_size == 0)
        return vc_error(VC_ERR_FORMAT, "%s file '%s' is empty (0 bytes)", what, path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return vc_error(VC_ERR_IO, "%s file '%s': %s", what, path, strerror(errno));
    fclose(f);
#if H5_VERSION_GE(1, 12, 0)
    htri_t is = H5Fis_accessible(path, H5P_DEFAULT);
#else
    htri_t is = H5Fis_hdf5(path);
#endif
    if (is <= 0)
        return vc_error(VC_ERR_FORMAT, "%s file '%s' is not an HDF5 file (or is truncated)",
                        what, path);
    return VC_OK;
}

void vc_strlist_free(struct vc_strlist *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}

int vc_strlist_find(const struct vc_strlist *l, const char *s)
{
    for (int i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0)
            return i;
    return -1;
}

int vc_h5_has_attr(hid_t obj, const char *name)
{
    return H5Aexists(obj, name) > 0;
}

static int strlist_push(struct vc_strlist *l, const char *s, size_t len)
{
    char **items = realloc(l->items, sizeof(char *) * (size_t)(l->n + 1));
    if (!items)
        return VC_NOMEM;
    l->items = items;
    char *copy = malloc(len + 1);
    if (!copy)
        return VC_NOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    l->items[l->n++] = copy;
    return VC_OK;
}

/* Append the strings of one attribute to out. */
static int read_one_strlist_attr(hid_t obj, const char *name, struct vc_strlist *out)
{
    int rc = VC_OK;
    hid_t attr = H5I_INVALID_HID, type = H5I_INVALID_HID, space = H5I_INVALID_HID;
    hid_t mtype = H5I_INVALID_HID;
    char *buf = NULL;
    char **vbuf = NULL;

    attr = H5Aopen(obj, name, H5P_DEFAULT);
    if (attr < 0) { rc = vc_error(VC_ERR_MISSING, "attribute '%s' cannot be opened", name); goto done; }
    type = H5Aget_type(attr);
    space = H5Aget_space(attr);
    if (type < 0 || space < 0) { rc = vc_error(VC_ERR_FORMAT, "attribute '%s' unreadable", name); goto done; }
    hssize_t npts = H5Sget_simple_extent_npoints(space);
    if (npts < 0) { rc = vc_error(VC_ERR_FORMAT, "attribute '%s' has a bad dataspace", name); goto done; }
    if (npts == 0)
        goto done; /* empty list: Keras writes np.asarray([]) (float64, shape (0,)) */
    H5T_class_t cls = H5Tget_class(type);
    if (cls != H5T_STRING) {
        rc = vc_error(VC_ERR_FORMAT, "attribute '%s' should hold strings (found HDF5 type class %d with %lld elements)",
                      name, (int)cls, (long long)npts);
        goto done;
    }
    htri_t is_vlen = H5Tis_variable_str(type);
    if (is_vlen < 0) { rc = vc_error(VC_ERR_FORMAT, "attribute '%s': bad string type", name); goto done; }
    if (is_vlen) {
        mtype = H5Tcopy(H5T_C_S1);
        if (mtype < 0 || H5Tset_size(mtype, H5T_VARIABLE) < 0 ||
            H5Tset_cset(mtype, H5Tget_cset(type)) < 0) {
            rc = vc_error(VC_ERR_FORMAT, "attribute '%s': cannot make vlen type", name);
            goto done;
        }
        vbuf = calloc((size_t)npts, sizeof(char *));
        if (!vbuf) { rc = VC_NOMEM; goto done; }
        if (H5Aread(attr, mtype, vbuf) < 0) { rc = vc_error(VC_ERR_FORMAT, "attribute '%s' cannot be read", name); goto done; }
        for (hssize_t i = 0; i < npts && rc == VC_OK; i++)
            rc = strlist_push(out, vbuf[i] ? vbuf[i] : "", vbuf[i] ? strlen(vbuf[i]) : 0);
        H5Dvlen_reclaim(mtype, space, H5P_DEFAULT, vbuf);
    } else {
        size_t sz = H5Tget_size(type);
        buf = calloc((size_t)npts, sz);
        if (!buf) { rc = VC_NOMEM; goto done; }
        if (H5Aread(attr, type, buf) < 0) { rc = vc_error(VC_ERR_FORMAT, "attribute '%s' cannot be read", name); goto done; }
        for (hssize_t i = 0; i < npts && rc == VC_OK; i++) {
            const char *s = buf + (size_t)i * sz;
            size_t len = 0;
            while (len < sz && s[len] != '\0') /* NULPAD or NULLTERM; trim at first NUL */
                len++;
            while (len > 0 && s[len - 1] == ' ') /* SPACEPAD (Fortran-style writers) */
                len--;
            rc = strlist_push(out, s, len);
        }
    }
done:
    free(vbuf);
    free(buf);
    if (mtype >= 0) H5Tclose(mtype);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    if (attr >= 0) H5Aclose(attr);
    return rc;
}

int vc_h5_read_strlist_attr(hid_t obj, const char *name, struct vc_strlist *out)
{
    out->items = NULL;
    out->n = 0;
    if (vc_h5_has_attr(obj, name)) {
        int rc = read_one_strlist_attr(obj, name, out);
        if (rc != VC_OK)
            vc_strlist_free(out);
        return rc;
    }
    /* Keras's chunked form for long lists: name0, name1, ... */
    int chunk = 0;
    char cname[256];
    for (;; chunk++) {
        snprintf(cname, sizeof cname, "%s%d", name, chunk);
        if (!vc_h5_has_attr(obj, cname))
            break;
        int rc = read_one_strlist_attr(obj, cname, out);
        if (rc != VC_OK) {
            vc_strlist_free(out);
            return rc;
        }
    }
    if (chunk == 0)
        return vc_error(VC_ERR_MISSING, "attribute '%s' is missing", name);
    return VC_OK;
}

int vc_h5_write_strlist_attr(hid_t obj, const char *name, const char *const *items, int n,
                             int vlen)
{
    int rc = VC_OK;
    hid_t type = H5I_INVALID_HID, space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
    char *buf = NULL;
    hsize_t dims[1] = { (hsize_t)n };

    space = H5Screate_simple(1, dims, NULL);
    if (space < 0) { rc = VC_ERR_IO; goto done; }
    if (n == 0) {
        attr = H5Acreate2(obj, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
        if (attr < 0) rc = VC_ERR_IO;
        goto done;
    }
    type = H5Tcopy(H5T_C_S1);
    if (type < 0) { rc = VC_ERR_IO; goto done; }
    if (vlen) {
        if (H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0) { rc = VC_ERR_IO; goto done; }
        attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (attr < 0 || H5Awrite(attr, type, items) < 0) { rc = VC_ERR_IO; goto done; }
    } else {
        size_t maxlen = 1;
        for (int i = 0; i < n; i++)
            if (strlen(items[i]) > maxlen)
                maxlen = strlen(items[i]);
        buf = calloc((size_t)n, maxlen);
        if (!buf) { rc = VC_NOMEM; goto done; }
        for (int i = 0; i < n; i++)
            memcpy(buf + (size_t)i * maxlen, items[i], strlen(items[i]));
        if (H5Tset_size(type, maxlen) < 0 || H5Tset_strpad(type, H5T_STR_NULLPAD) < 0) { rc = VC_ERR_IO; goto done; }
        attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        if (attr < 0 || H5Awrite(attr, type, buf) < 0) { rc = VC_ERR_IO; goto done; }
    }
done:
    if (rc != VC_OK)
        rc = vc_error(rc, "cannot write attribute '%s'", name);
    free(buf);
    if (attr >= 0) H5Aclose(attr);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    return rc;
}

int vc_h5_write_str_attr(hid_t obj, const char *name, const char *value)
{
    int rc = VC_OK;
    hid_t type = H5Tcopy(H5T_C_S1), space = H5Screate(H5S_SCALAR), attr = H5I_INVALID_HID;
    if (type < 0 || space < 0 || H5Tset_size(type, H5T_VARIABLE) < 0 ||
        H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
        rc = VC_ERR_IO;
        goto done;
    }
    if (vc_h5_has_attr(obj, name) && H5Adelete(obj, name) < 0) { rc = VC_ERR_IO; goto done; }
    attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, type, &value) < 0)
        rc = VC_ERR_IO;
done:
    if (rc != VC_OK)
        rc = vc_error(rc, "cannot write attribute '%s'", name);
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    return rc;
}

int vc_h5_read_str_attr(hid_t obj, const char *name, char *buf, size_t buf_len)
{
    struct vc_strlist l;
    /* A scalar string is a one-element list for our reader. */
    int rc = vc_h5_read_strlist_attr(obj, name, &l);
    if (rc != VC_OK)
        return rc;
    if (l.n != 1) {
        vc_strlist_free(&l);
        return vc_error(VC_ERR_FORMAT, "attribute '%s' should be one string, found %d", name, l.n);
    }
    snprintf(buf, buf_len, "%s", l.items[0]);
    vc_strlist_free(&l);
    return VC_OK;
}

/* Write attribute `name` (replacing it): rank 0 for a scalar, else 1-D of n elements. */
static int write_attr(hid_t obj, const char *name, hid_t ftype, hid_t mtype, int rank, hsize_t n, const void *v)
{
    int rc = VC_OK;
    hid_t space = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL), attr = H5I_INVALID_HID;
    if (space < 0) { rc = VC_ERR_IO; goto done; }
    if (vc_h5_has_attr(obj, name) && H5Adelete(obj, name) < 0) { rc = VC_ERR_IO; goto done; }
    attr = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, mtype, v) < 0)
        rc = VC_ERR_IO;
done:
    if (rc != VC_OK)
        rc = vc_error(rc, "cannot write attribute '%s'", name);
    if (attr >= 0) H5Aclose(attr);
    if (space >= 0) H5Sclose(space);
    return rc;
}

static int write_scalar_attr(hid_t obj, const char *name, hid_t ftype, hid_t mtype, const void *v)
{
    return write_attr(obj, name, ftype, mtype, 0, 1, v);
}

static int read_scalar_attr(hid_t obj, const char *name, hid_t mtype, void *v)
{
    if (!vc_h5_has_attr(obj, name))
        return vc_error(VC_ERR_MISSING, "attribute '%s' is missing", name);
    hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t space = attr >= 0 ? H5Aget_space(attr) : H5I_INVALID_HID;
    int rc = VC_OK;
    if (attr < 0 || space < 0 || H5Sget_simple_extent_npoints(space) != 1 ||
        H5Aread(attr, mtype, v) < 0)
        rc = vc_error(VC_ERR_FORMAT, "attribute '%s' is not a readable number", name);
    if (space >= 0) H5Sclose(space);
    if (attr >= 0) H5Aclose(attr);
    return rc;
}

int vc_h5_write_i64_attr(hid_t obj, const char *name, int64_t value)
{
    return write_scalar_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

int vc_h5_read_i64_attr(hid_t obj, const char *name, int64_t *value)
{
    return read_scalar_attr(obj, name, H5T_NATIVE_INT64, value);
}

int vc_h5_write_f64_attr(hid_t obj, const char *name, double value)
{
    return write_scalar_attr(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

int vc_h5_read_f64_attr(hid_t obj, const char *name, double *value)
{
    return read_scalar_attr(obj, name, H5T_NATIVE_DOUBLE, value);
}

hid_t vc_h5_lcpl_intermediate(void)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (lcpl >= 0 && H5Pset_create_intermediate_group(lcpl, 1) < 0) {
        H5Pclose(lcpl);
        return H5I_INVALID_HID;
    }
    return lcpl;
}


hid_t vc_h5_vlen_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

hid_t vc_h5_create_rows(hid_t loc, const char *name, hid_t type, int tail_ndim,
                        const hsize_t *tail_dims, hsize_t chunk_rows, int deflate_level)
{
    hsize_t dims[H5S_MAX_RANK], maxd[H5S_MAX_RANK], chunk[H5S_MAX_RANK];
    dims[0] = 0;
    maxd[0] = H5S_UNLIMITED;
    chunk[0] = chunk_rows > 0 ? chunk_rows : 1;
    for (int i = 0; i < tail_ndim; i++) {
        dims[i + 1] = maxd[i + 1] = chunk[i + 1] = tail_dims[i];
    }
    hid_t space = H5Screate_simple(tail_ndim + 1, dims, maxd);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t lcpl = vc_h5_lcpl_intermediate();
    hid_t dset = H5I_INVALID_HID;
    if (space >= 0 && dcpl >= 0 && lcpl >= 0 && H5Pset_chunk(dcpl, tail_ndim + 1, chunk) >= 0 &&
        (deflate_level <= 0 || (H5Pset_shuffle(dcpl) >= 0 && H5Pset_deflate(dcpl, (unsigned)deflate_level) >= 0)))
        dset = H5Dcreate2(loc, name, type, space, lcpl, dcpl, H5P_DEFAULT);
    if (dset < 0)
        vc_error(VC_ERR_IO, "cannot create dataset '%s'", name);
    if (lcpl >= 0) H5Pclose(lcpl);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    return dset;
}

hssize_t vc_h5_rows(hid_t dset)
{
    hid_t space = H5Dget_space(dset);
    if (space < 0)
        return -1;
    hsize_t dims[H5S_MAX_RANK];
    int nd = H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    return nd < 1 ? -1 : (hssize_t)dims[0];
}

/* Select rows [r0, r0+n) of a dataset's file space; returns the space and fills mdims. */
static hid_t select_rows(hid_t dset, hsize_t r0, hsize_t n, int *ndim, hsize_t *mdims)
{
    hid_t fspace = H5Dget_space(dset);
    if (fspace < 0)
        return H5I_INVALID_HID;
    hsize_t dims[H5S_MAX_RANK], start[H5S_MAX_RANK] = { 0 };
    int nd = H5Sget_simple_extent_dims(fspace, dims, NULL);
    if (nd < 1) {
        H5Sclose(fspace);
        return H5I_INVALID_HID;
    }
    start[0] = r0;
    mdims[0] = n;
    for (int i = 1; i < nd; i++)
        mdims[i] = dims[i];
    if (H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, mdims, NULL) < 0) {
        H5Sclose(fspace);
        return H5I_INVALID_HID;
    }
    *ndim = nd;
    return fspace;
}

/* A transfer property list whose type-conversion buffer fits the selection. HDF5 1.10
 * allocates and zeroes that buffer (1 MB by default) on every converting H5Dwrite/H5Dread,
 * which made the one-row appends of a results file's final write cost ~30 us each. */
static hid_t sized_dxpl(hid_t dset, hid_t mtype, int ndim, const hsize_t *mdims)
{
    hid_t ftype = H5Dget_type(dset), dxpl = H5Pcreate(H5P_DATASET_XFER);
    size_t esize = H5Tget_size(mtype), fsize = ftype >= 0 ? H5Tget_size(ftype) : 0;
    if (ftype >= 0) H5Tclose(ftype);
    size_t bytes = esize > fsize ? esize : fsize;
    for (int i = 0; i < ndim; i++) bytes *= (size_t)mdims[i];
    bytes = bytes < 4096 ? 4096 : bytes > ((size_t)1 << 20) ? (size_t)1 << 20 : bytes;
    if (dxpl >= 0 && (fsize == 0 || esize == 0 || H5Pset_buffer(dxpl, bytes, NULL, NULL) < 0)) {
        H5Pclose(dxpl);
        dxpl = H5I_INVALID_HID;
    }
    return dxpl;
}

int vc_h5_append_rows(hid_t dset, hid_t mtype, hsize_t n, const void *buf)
{
    if (n == 0)
        return VC_OK;
    hssize_t rows = vc_h5_rows(dset);
    if (rows < 0)
        return vc_error(VC_ERR_IO, "%s: cannot query dataset size", __func__);
    hid_t space0 = H5Dget_space(dset);
    hsize_t dims[H5S_MAX_RANK];
    int nd = space0 >= 0 ? H5Sget_simple_extent_dims(space0, dims, NULL) : -1;
    if (space0 >= 0) H5Sclose(space0);
    if (nd < 1)
        return vc_error(VC_ERR_IO, "%s: bad dataspace", __func__);
    dims[0] = (hsize_t)rows + n;
    if (H5Dset_extent(dset, dims) < 0)
        return vc_error(VC_ERR_IO, "%s: cannot extend dataset to %llu rows", __func__, (unsigned long long)dims[0]);
    int ndim = 0;
    hsize_t mdims[H5S_MAX_RANK];
    hid_t fspace = select_rows(dset, (hsize_t)rows, n, &ndim, mdims);
    hid_t mspace = fspace >= 0 ? H5Screate_simple(ndim, mdims, NULL) : H5I_INVALID_HID;
    hid_t dxpl = mspace >= 0 ? sized_dxpl(dset, mtype, ndim, mdims) : H5I_INVALID_HID;
    int rc = VC_OK;
    if (dxpl < 0 || H5Dwrite(dset, mtype, mspace, fspace, dxpl, buf) < 0)
        rc = vc_error(VC_ERR_IO, "%s: cannot write %llu rows", __func__, (unsigned long long)n);
    if (dxpl >= 0) H5Pclose(dxpl);
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    return rc;
}

int vc_h5_read_rows(hid_t dset, hid_t mtype, hsize_t r0, hsize_t n, void *buf)
{
    int ndim = 0;
    hsize_t mdims[H5S_MAX_RANK];
    hid_t fspace = select_rows(dset, r0, n, &ndim, mdims);
    hid_t mspace = fspace >= 0 ? H5Screate_simple(ndim, mdims, NULL) : H5I_INVALID_HID;
    hid_t dxpl = mspace >= 0 ? sized_dxpl(dset, mtype, ndim, mdims) : H5I_INVALID_HID;
    int rc = VC_OK;
    if (dxpl < 0 || H5Dread(dset, mtype, mspace, fspace, dxpl, buf) < 0)
        rc = vc_error(VC_ERR_IO, "%s: cannot read rows %llu..%llu", __func__,
                      (unsigned long long)r0, (unsigned long long)(r0 + n));
    if (dxpl >= 0) H5Pclose(dxpl);
    if (mspace >= 0) H5Sclose(mspace);
    if (fspace >= 0) H5Sclose(fspace);
    return rc;
}

/* Create dataset `name` (intermediate groups included) and write all of it. No object
 * timestamps, so the same data gives the same file bytes. Optional gzip (chunked). */
static int write_dataset(hid_t loc, const char *name, hid_t ftype, hid_t mtype, int ndim,
                         const hsize_t *dims, const void *data, int deflate_level)
{
    int rc = VC_OK;
    hsize_t total = 1;
    for (int i = 0; i < ndim; i++) total *= dims[i];
    hid_t space = H5Screate_simple(ndim, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t lcpl = vc_h5_lcpl_intermediate();
    hid_t dset = H5I_INVALID_HID;
    if (space < 0 || dcpl < 0 || lcpl < 0 || H5Pset_obj_track_times(dcpl, 0) < 0) { rc = VC_ERR_IO; goto done; }
    if (deflate_level > 0 && ndim == 1 && total > 0) {
        hsize_t chunk[1] = { total < 65536 ? total : 65536 };
        if (H5Pset_chunk(dcpl, 1, chunk) < 0 || H5Pset_deflate(dcpl, (unsigned)deflate_level) < 0) { rc = VC_ERR_IO; goto done; }
    }
    dset = H5Dcreate2(loc, name, ftype, space, lcpl, dcpl, H5P_DEFAULT);
    if (dset < 0 || (total > 0 && H5Dwrite(dset, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0))
        rc = VC_ERR_IO;
done:
    if (rc != VC_OK)
        rc = vc_error(rc, "cannot write dataset '%s'", name);
    if (dset >= 0) H5Dclose(dset);
    if (lcpl >= 0) H5Pclose(lcpl);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (space >= 0) H5Sclose(space);
    return rc;
}

int vc_h5_write_f32(hid_t loc, const char *path, int ndim, const hsize_t *dims, const float *data)
{
    return write_dataset(loc, path, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, ndim, dims, data, 0);
}

int vc_h5_write_1d(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hsize_t n,
                   const void *data, int deflate_level)
{
    return write_dataset(loc, name, ftype, mtype, 1, &n, data, deflate_level);
}

int vc_h5_write_i64_array_attr(hid_t obj, const char *name, const int64_t *v, int n)
{
    return write_attr(obj, name, H5T_STD_I64LE, H5T_NATIVE_INT64, 1, (hsize_t)n, v);
}

int vc_h5_dims_match(hid_t dset, int nd, const hsize_t *want, hsize_t *rows)
{
    hid_t s = H5Dget_space(dset);
    hsize_t dims[H5S_MAX_RANK];
    int ok = s >= 0 && H5Sget_simple_extent_ndims(s) == nd && H5Sget_simple_extent_dims(s, dims, NULL) == nd;
    for (int i = 1; ok && i < nd; i++) ok = dims[i] == want[i];
    if (ok) *rows = dims[0];
    if (s >= 0) H5Sclose(s);
    return ok;
}

int vc_h5_reserve(const char *path, int64_t bytes, const char *what)
{
#ifdef FALLOC_FL_KEEP_SIZE
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return vc_error(VC_ERR_IO, "cannot open '%s' to reserve space: %s", path, strerror(errno));
    int r = bytes > 0 ? fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) : 0, e = errno;
    close(fd);
    struct statvfs fs;
    if (r != 0 && e != EOPNOTSUPP && e != ENOSYS) {
        if (statvfs(path, &fs) == 0)
            return vc_error(VC_ERR_IO, "cannot reserve %.1f MB for the %s '%s': %s (%.1f MB free)", (double)bytes / 1e6,
                            what, path, strerror(e), (double)fs.f_bavail * (double)fs.f_frsize / 1e6);
        return vc_error(VC_ERR_IO, "cannot reserve %.1f MB for the %s '%s': %s", (double)bytes / 1e6, what, path,
                        strerror(e));
    }
#else
    (void)path, (void)bytes, (void)what;
#endif
    return VC_OK;
}

/* Cut (discard) or trim (give back reserved blocks past the end: growing by one byte and
 * shrinking back frees them) the file at path. */
static int cut_or_trim(const char *path, int cut)
{
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    int ok = fd >= 0 && fstat(fd, &st) == 0 &&
             (cut ? ftruncate(fd, 0) == 0 : ftruncate(fd, st.st_size + 1) == 0 && ftruncate(fd, st.st_size) == 0);
    int e = errno;
    if (fd >= 0) close(fd);
    return ok ? VC_OK : vc_error(VC_ERR_IO, "cannot %s '%s': %s", cut ? "empty" : "trim", path, strerror(e));
}

int vc_h5_close_written(hid_t f, const char *path, int discard, MPI_Comm comm)
{
    if (f < 0) return VC_OK;
    int rank = 0, rc = VC_OK;
    if (comm != MPI_COMM_NULL && MPI_Comm_rank(comm, &rank) != MPI_SUCCESS) rank = 0;
    if (discard) {
        if (rank == 0) cut_or_trim(path, 1); /* best effort: the caller removes the file anyway */
        if (comm != MPI_COMM_NULL && MPI_Barrier(comm) != MPI_SUCCESS) /* the cut before any close */
            rc = vc_error(VC_ERR_MPI, "MPI_Barrier failed before closing '%s'", path);
    }
    if (H5Fclose(f) < 0)
        return vc_error(VC_ERR_IO, "cannot finish writing '%s' (HDF5 could not flush it: disk full or over quota?)", path);
    if (rc == VC_OK && !discard && rank == 0) rc = cut_or_trim(path, 0);
    return rc;
}

int vc_h5_is_damaged(const char *path)
{
    vc_h5_quiet();
    if (H5Fis_hdf5(path) <= 0) return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 1;
    H5Fclose(f);
    return 0;
}

int vc_h5_file_attr_is(const char *path, const char *attr, const char *value)
{
    vc_h5_quiet();
    htri_t is = H5Fis_hdf5(path);
    if (is <= 0) return 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 0;
    char have[256] = "";
    int same = vc_h5_has_attr(f, attr) && vc_h5_read_str_attr(f, attr, have, sizeof have) == VC_OK && strcmp(have, value) == 0;
    H5Fclose(f);
    return same;
}
