/* keras_weights.c - reader and writer for the Keras HDF5 weights layout. */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/keras_weights.h"
#include "vidclass/status.h"
#include "h5util.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vc_keras_weights {
    char              path[4096];
    hid_t             file;
    hid_t             root;        /* "/" or "/model_weights" */
    struct vc_strlist layer_names;
};

int vc_keras_weights_open(const char *path, vc_keras_weights **out)
{
    *out = NULL;
    int rc = vc_h5_check_file(path, "weights");
    if (rc != VC_OK)
        return rc;
    vc_keras_weights *kw = calloc(1, sizeof *kw);
    if (!kw)
        return VC_NOMEM;
    kw->file = H5I_INVALID_HID;
    kw->root = H5I_INVALID_HID;
    snprintf(kw->path, sizeof kw->path, "%s", path);

    kw->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (kw->file < 0) {
        rc = vc_error(VC_ERR_FORMAT, "weights file '%s': HDF5 cannot open it (truncated or damaged?)", path);
        goto fail;
    }
    const char *root_name = "/";
    if (!vc_h5_has_attr(kw->file, "layer_names") && !vc_h5_has_attr(kw->file, "layer_names0") &&
        H5Lexists(kw->file, "model_weights", H5P_DEFAULT) > 0)
        root_name = "model_weights";
    kw->root = H5Gopen2(kw->file, root_name, H5P_DEFAULT);
    if (kw->root < 0) {
        rc = vc_error(VC_ERR_FORMAT, "weights file '%s': cannot open group '%s'", path, root_name);
        goto fail;
    }
    rc = vc_h5_read_strlist_attr(kw->root, "layer_names", &kw->layer_names);
    if (rc != VC_OK) {
        rc = vc_error(VC_ERR_FORMAT, "weights file '%s' is not a Keras weights file: no 'layer_names' attribute at '/' or '/model_weights' (%s)",
                      path, vc_last_error());
        goto fail;
    }
    *out = kw;
    return VC_OK;
fail:
    vc_keras_weights_close(&kw);
    return rc;
}

void vc_keras_weights_close(vc_keras_weights **kwp)
{
    if (!kwp || !*kwp)
        return;
    vc_keras_weights *kw = *kwp;
    vc_strlist_free(&kw->layer_names);
    if (kw->root >= 0) H5Gclose(kw->root);
    if (kw->file >= 0) H5Fclose(kw->file);
    free(kw);
    *kwp = NULL;
}

int vc_keras_weights_layer_count(const vc_keras_weights *kw)
{
    return kw->layer_names.n;
}

/* "conv1_conv/kernel:0" -> matches "kernel"; "conv1_conv/kernel" too (Keras 3). */
static int weight_name_matches(const char *full, const char *want)
{
    const char *base = strrchr(full, '/');
    base = base ? base + 1 : full;
    size_t len = strlen(base);
    const char *colon = strrchr(base, ':');
    if (colon)
        len = (size_t)(colon - base);
    return strlen(want) == len && strncmp(base, want, len) == 0;
}

static void format_dims(char *buf, size_t len, int ndim, const int64_t *dims)
{
    size_t off = (size_t)snprintf(buf, len, "[");
    for (int i = 0; i < ndim && off < len; i++)
        off += (size_t)snprintf(buf + off, len - off, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (off < len)
        snprintf(buf + off, len - off, "]");
}

/* Open layer's group and read its weight_names; errors name the file and layer. */
static int open_layer(vc_keras_weights *kw, const char *layer, hid_t *grp, struct vc_strlist *wn)
{
    *grp = H5I_INVALID_HID;
    if (vc_strlist_find(&kw->layer_names, layer) < 0)
        return vc_error(VC_ERR_MISSING, "weights file '%s': layer '%s' is missing (the file lists %d layers)",
                        kw->path, layer, kw->layer_names.n);
    if (H5Lexists(kw->root, layer, H5P_DEFAULT) <= 0 || (*grp = H5Gopen2(kw->root, layer, H5P_DEFAULT)) < 0)
        return vc_error(VC_ERR_MISSING, "weights file '%s': layer '%s' is listed but has no group", kw->path, layer);
    if (vc_h5_read_strlist_attr(*grp, "weight_names", wn) != VC_OK)
        return vc_error(VC_ERR_FORMAT, "weights file '%s': layer '%s': %s", kw->path, layer, vc_last_error());
    return VC_OK;
}

/* Read dataset `name` of an open layer group: floating point, exactly `dims`, finite. */
static int read_dataset(vc_keras_weights *kw, hid_t grp, const char *layer, const char *name, int ndim,
                        const int64_t *dims, float *dst)
{
    int rc = VC_OK;
    hid_t dset = H5I_INVALID_HID, space = H5I_INVALID_HID, type = H5I_INVALID_HID;
    char dpath[1024], want[128], got[128];
    snprintf(dpath, sizeof dpath, "%s/%s", layer, name);
    format_dims(want, sizeof want, ndim, dims);
    if ((dset = H5Dopen2(grp, name, H5P_DEFAULT)) < 0)
        return vc_error(VC_ERR_MISSING, "weights file '%s': dataset '%s' is listed in weight_names but missing",
                        kw->path, dpath);
    type = H5Dget_type(dset);
    space = H5Dget_space(dset);
    int fnd = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t fdims[H5S_MAX_RANK];
    int64_t fdims64[H5S_MAX_RANK];
    if (type < 0 || fnd < 0 || H5Sget_simple_extent_dims(space, fdims, NULL) < 0) {
        rc = vc_error(VC_ERR_FORMAT, "weights file '%s': dataset '%s' unreadable", kw->path, dpath);
        goto done;
    }
    if (H5Tget_class(type) != H5T_FLOAT) {
        rc = vc_error(VC_ERR_SHAPE, "weights file '%s': dataset '%s' is not floating point (expected float32 %s)",
                      kw->path, dpath, want);
        goto done;
    }
    int same = fnd == ndim;
    size_t n = 1;
    for (int i = 0; i < fnd; i++) {
        fdims64[i] = (int64_t)fdims[i];
        n *= (size_t)fdims[i];
        if (same && fdims64[i] != dims[i]) same = 0;
    }
    if (!same) {
        format_dims(got, sizeof got, fnd, fdims64);
        rc = vc_error(VC_ERR_SHAPE, "weights file '%s': dataset '%s' has shape %s, expected %s", kw->path, dpath, got, want);
        goto done;
    }
    if (H5Dread(dset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, dst) < 0) {
        rc = vc_error(VC_ERR_IO, "weights file '%s': dataset '%s' cannot be read", kw->path, dpath);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (!isfinite(dst[i])) {
            rc = vc_error(VC_ERR_FORMAT, "weights file '%s': dataset '%s' holds a non-finite value (%g at element %zu)",
                          kw->path, dpath, (double)dst[i], i);
            break;
        }
done:
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    H5Dclose(dset);
    return rc;
}

int vc_keras_weights_read(vc_keras_weights *kw, const char *layer, const char *weight,
                          int ndim, const int64_t *dims, float *dst)
{
    hid_t grp;
    struct vc_strlist wn = { 0 };
    int rc = open_layer(kw, layer, &grp, &wn), idx = -1;
    for (int i = 0; rc == VC_OK && i < wn.n && idx < 0; i++)
        if (weight_name_matches(wn.items[i], weight)) idx = i;
    if (rc == VC_OK && idx < 0)
        rc = vc_error(VC_ERR_MISSING, "weights file '%s': dataset '%s/.../%s' is missing (layer '%s' lists %d weights)",
                      kw->path, layer, weight, layer, wn.n);
    if (rc == VC_OK) rc = read_dataset(kw, grp, layer, wn.items[idx], ndim, dims, dst);
    vc_strlist_free(&wn);
    if (grp >= 0) H5Gclose(grp);
    return rc;
}

int vc_keras_weights_read_at(vc_keras_weights *kw, const char *layer, int index, int count, const char *role,
                             int ndim, const int64_t *dims, float *dst)
{
    hid_t grp;
    struct vc_strlist wn = { 0 };
    int rc = open_layer(kw, layer, &grp, &wn);
    if (rc == VC_OK && wn.n != count)
        rc = vc_error(VC_ERR_SHAPE, "weights file '%s': layer '%s' has %d weights, expected %d (%s)", kw->path, layer,
                      wn.n, count, role);
    if (rc == VC_OK) rc = read_dataset(kw, grp, layer, wn.items[index], ndim, dims, dst);
    vc_strlist_free(&wn);
    if (grp >= 0) H5Gclose(grp);
    return rc;
}

int vc_keras_weights_has_layer(const vc_keras_weights *kw, const char *name)
{
    return vc_strlist_find(&kw->layer_names, name) >= 0;
}

const char *vc_keras_weights_layer_name(const vc_keras_weights *kw, int i)
{
    return i >= 0 && i < kw->layer_names.n ? kw->layer_names.items[i] : NULL;
}

const char *vc_keras_weights_path(const vc_keras_weights *kw) { return kw->path; }

int vc_keras_weights_model_config(vc_keras_weights *kw, char **json)
{
    *json = NULL;
    if (!vc_h5_has_attr(kw->file, "model_config")) return VC_OK;
    struct vc_strlist l = { 0 };
    int rc = vc_h5_read_strlist_attr(kw->file, "model_config", &l);
    if (rc == VC_OK && l.n != 1) rc = vc_error(VC_ERR_FORMAT, "attribute 'model_config' should be one string, found %d", l.n);
    if (rc != VC_OK) {
        vc_strlist_free(&l);
        return vc_error(VC_ERR_FORMAT, "weights file '%s': %s", kw->path, vc_last_error());
    }
    *json = l.items[0];
    l.items[0] = NULL;
    vc_strlist_free(&l);
    return VC_OK;
}

/* ---- writer ------------------------------------------------------------------------- */

struct vc_keras_writer {
    char                          path[4096];
    struct vc_keras_writer_params p;
    hid_t                         file;
    hid_t                         root;
    char                        **layers;
    int                           n_layers;
    int                           failed; /* a write failed: the file is thrown away at close */
};

struct vc_keras_writer_params vc_keras_writer_default_params(void)
{
    struct vc_keras_writer_params p = {
        /*.vlen_strings =*/ 0,
        /*.root_group   =*/ NULL,
        /*.name_suffix  =*/ 1,
        /*.flat_names   =*/ 0,
        /*.generator    =*/ NULL,
        /*.reserve      =*/ 0,
    };
    return p;
}

int vc_keras_writer_open(const char *path, const struct vc_keras_writer_params *p,
                         vc_keras_writer **out)
{
    *out = NULL;
    vc_h5_quiet();
    vc_keras_writer *w = calloc(1, sizeof *w);
    if (!w)
        return VC_NOMEM;
    w->p = p ? *p : vc_keras_writer_default_params();
    w->root = H5I_INVALID_HID;
    snprintf(w->path, sizeof w->path, "%s", path);
    /* No object timestamps: the same content gives the same bytes. */
    w->file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (w->file < 0) {
        free(w);
        return vc_error(VC_ERR_IO, "cannot create weights file '%s'", path);
    }
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (gcpl >= 0 && H5Pset_obj_track_times(gcpl, 0) < 0) {
        H5Pclose(gcpl);
        gcpl = H5I_INVALID_HID;
    }
    if (w->p.root_group && w->p.root_group[0])
        w->root = H5Gcreate2(w->file, w->p.root_group, H5P_DEFAULT, gcpl >= 0 ? gcpl : H5P_DEFAULT, H5P_DEFAULT);
    else
        w->root = H5Gopen2(w->file, "/", H5P_DEFAULT);
    if (gcpl >= 0)
        H5Pclose(gcpl);
    int rc = w->root >= 0 ? VC_OK : vc_error(VC_ERR_IO, "cannot create root group in '%s'", path);
    /* the weights plus room for the per-layer groups and attributes */
    if (rc == VC_OK && w->p.reserve > 0) rc = vc_h5_reserve(path, w->p.reserve + (4 << 20), "weights file");
    if (rc != VC_OK) {
        if (w->root >= 0) H5Gclose(w->root);
        vc_h5_close_written(w->file, path, 1, MPI_COMM_NULL);
        free(w);
        return rc;
    }
    *out = w;
    return VC_OK;
}

int vc_keras_writer_add_layer(vc_keras_writer *w, const char *layer, int n_weights,
                              const char *const *names, const int *ndims,
                              const int64_t *const *dims, const float *const *data)
{
    int rc = VC_OK;
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    hid_t grp = H5I_INVALID_HID;
    char **full = NULL;

    char **layers = realloc(w->layers, sizeof(char *) * (size_t)(w->n_layers + 1));
    if (!layers) { rc = VC_NOMEM; goto done; }
    w->layers = layers;
    w->layers[w->n_layers] = strdup(layer);
    if (!w->layers[w->n_layers]) { rc = VC_NOMEM; goto done; }
    w->n_layers++;

    if (gcpl < 0 || H5Pset_obj_track_times(gcpl, 0) < 0) { rc = VC_ERR_IO; goto done; }
    grp = H5Gcreate2(w->root, layer, H5P_DEFAULT, gcpl, H5P_DEFAULT);
    if (grp < 0) { rc = vc_error(VC_ERR_IO, "'%s': cannot create group '%s'", w->path, layer); goto done; }
    full = calloc((size_t)(n_weights > 0 ? n_weights : 1), sizeof(char *));
    if (!full) { rc = VC_NOMEM; goto done; }
    for (int i = 0; i < n_weights; i++) {
        char name[512];
        snprintf(name, sizeof name, "%s%s%s%s", w->p.flat_names ? "" : layer, w->p.flat_names ? "" : "/", names[i],
                 w->p.name_suffix ? ":0" : "");
        full[i] = strdup(name);
        if (!full[i]) { rc = VC_NOMEM; goto done; }
        hsize_t hd[H5S_MAX_RANK];
        for (int d = 0; d < ndims[i]; d++)
            hd[d] = (hsize_t)dims[i][d];
        rc = vc_h5_write_f32(grp, name, ndims[i], hd, data[i]);
        if (rc != VC_OK) goto done;
    }
    rc = vc_h5_write_strlist_attr(grp, "weight_names", (const char *const *)full, n_weights,
                                  w->p.vlen_strings);
done:
    if (full)
        for (int i = 0; i < n_weights; i++)
            free(full[i]);
    free(full);
    if (grp >= 0) H5Gclose(grp);
    if (gcpl >= 0) H5Pclose(gcpl);
    if (rc != VC_OK) w->failed = 1;
    return rc;
}

int vc_keras_writer_close(vc_keras_writer **wp)
{
    if (!wp || !*wp)
        return VC_OK;
    vc_keras_writer *w = *wp;
    int rc = vc_h5_write_strlist_attr(w->root, "layer_names", (const char *const *)w->layers,
                                      w->n_layers, w->p.vlen_strings);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(w->root, "backend", "tensorflow");
    if (rc == VC_OK) rc = vc_h5_write_str_attr(w->root, "keras_version", "2.11.0");
    if (rc == VC_OK && w->p.generator) rc = vc_h5_write_str_attr(w->file, "generator", w->p.generator);
    for (int i = 0; i < w->n_layers; i++)
        free(w->layers[i]);
    free(w->layers);
    if (w->root >= 0) H5Gclose(w->root);
    int crc = vc_h5_close_written(w->file, w->path, w->failed || rc != VC_OK, MPI_COMM_NULL);
    if (rc == VC_OK) rc = w->failed ? VC_ERR_IO : crc; /* the failed write's message stays the last error */
    free(w);
    *wp = NULL;
    return rc;
}
