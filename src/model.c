/* model.c - model.h5: the head in Keras naming plus class names and provenance. */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/model.h"
#include "vidclass/keras_weights.h"
#include "vidclass/status.h"
#include "h5util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vc_model {
    struct vc_head_shape shape;
    float               *params;
    struct vc_model_meta meta;
    struct vc_strlist    names;
};

int vc_model_save(const char *path, const struct vc_head_shape *s, const float *params,
                  const struct vc_model_meta *meta)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    struct vc_head_offsets o = vc_head_offsets_of(s);
    vc_keras_writer *w = NULL;
    int rc = vc_keras_writer_open(tmp, NULL, &w);
    if (rc != VC_OK)
        return rc;
    const char *names[2] = { "kernel", "bias" };
    int nd[2] = { 2, 1 };
    int64_t k1[2] = { s->in, s->hidden }, b1[1] = { s->hidden }, k2[2] = { s->hidden, s->classes }, b2[1] = { s->classes };
    const int64_t *d1[2] = { k1, b1 }, *d2[2] = { k2, b2 };
    const float *p1[2] = { params + o.w1, params + o.b1 }, *p2[2] = { params + o.w2, params + o.b2 };
    if (rc == VC_OK) rc = vc_keras_writer_add_layer(w, "average_pooling2d", 0, NULL, NULL, NULL, NULL);
    if (rc == VC_OK) rc = vc_keras_writer_add_layer(w, "flatten", 0, NULL, NULL, NULL, NULL);
    if (rc == VC_OK) rc = vc_keras_writer_add_layer(w, "dense", 2, names, nd, d1, p1);
    if (rc == VC_OK) rc = vc_keras_writer_add_layer(w, "dropout", 0, NULL, NULL, NULL, NULL);
    if (rc == VC_OK) rc = vc_keras_writer_add_layer(w, "dense_1", 2, names, nd, d2, p2);
    int rc2 = vc_keras_writer_close(&w);
    if (rc == VC_OK) rc = rc2;
    if (rc == VC_OK) {
        hid_t f = H5Fopen(tmp, H5F_ACC_RDWR, H5P_DEFAULT);
        if (f < 0) rc = vc_error(VC_ERR_IO, "cannot reopen '%s'", tmp);
        if (rc == VC_OK) rc = vc_h5_write_strlist_attr(f, "class_names", meta->class_names, meta->n_classes, 1);
        if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "preprocess", vc_preprocess_name(meta->preprocess));
        if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "image_size", meta->image_size);
        if (rc == VC_OK) rc = vc_h5_write_f64_attr(f, "dropout", meta->dropout);
        if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "base_weights", meta->base_weights);
        if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "base_weights_sha256", meta->base_weights_sha256);
        if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "format", "vidclass-model");
        if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "format_version", 1);
        if (f >= 0 && H5Fclose(f) < 0 && rc == VC_OK) rc = vc_error(VC_ERR_IO, "cannot close '%s'", tmp);
    }
    if (rc == VC_OK && rename(tmp, path) != 0)
        rc = vc_error(VC_ERR_IO, "cannot rename '%s' to '%s'", tmp, path);
    if (rc != VC_OK)
        unlink(tmp);
    return rc;
}

int vc_model_load(const char *path, vc_model **out)
{
    *out = NULL;
    vc_keras_weights *kw = NULL;
    vc_model *m = NULL;
    hid_t f = H5I_INVALID_HID;
    char fmt[64] = "", pre[32] = "";
    int64_t size = 0;
    int rc = vc_h5_check_file(path, "model");
    if (rc != VC_OK)
        return rc;
    /* what kind of file first, so a pack or weights file given as a model says so */
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        rc = vc_error(VC_ERR_FORMAT, "model file '%s': HDF5 cannot open it (truncated or damaged?)", path);
        goto fail;
    }
    if (vc_h5_read_str_attr(f, "format", fmt, sizeof fmt) != VC_OK || strcmp(fmt, "vidclass-model") != 0) {
        rc = vc_error(VC_ERR_FORMAT, "'%s' is not a vidclass model file (no format=\"vidclass-model\" attribute%s%s)",
                      path, fmt[0] ? "; it is a " : "", fmt);
        goto fail;
    }
    if ((rc = vc_keras_weights_open(path, &kw)) != VC_OK)
        goto fail;
    if (!(m = calloc(1, sizeof *m))) { rc = VC_ERR_NOMEM; goto fail; }
    if ((rc = vc_h5_read_strlist_attr(f, "class_names", &m->names)) != VC_OK ||
        (rc = vc_h5_read_str_attr(f, "preprocess", pre, sizeof pre)) != VC_OK ||
        (rc = vc_preprocess_parse(pre, &m->meta.preprocess)) != VC_OK ||
        (rc = vc_h5_read_i64_attr(f, "image_size", &size)) != VC_OK ||
        (rc = vc_h5_read_f64_attr(f, "dropout", &m->meta.dropout)) != VC_OK ||
        (rc = vc_h5_read_str_attr(f, "base_weights", m->meta.base_weights, sizeof m->meta.base_weights)) != VC_OK ||
        (rc = vc_h5_read_str_attr(f, "base_weights_sha256", m->meta.base_weights_sha256, sizeof m->meta.base_weights_sha256)) != VC_OK) {
        rc = vc_error(VC_ERR_FORMAT, "model '%s': %s", path, vc_last_error());
        goto fail;
    }
    if (m->names.n < 2 || m->names.n > VC_MAX_CLASSES) {
        rc = vc_error(VC_ERR_FORMAT, "model '%s': %d classes (need 2..%d)", path, m->names.n, VC_MAX_CLASSES);
        goto fail;
    }
    m->meta.image_size = (int)size;
    m->meta.n_classes = m->names.n;
    for (int i = 0; i < m->names.n; i++)
        m->meta.class_names[i] = m->names.items[i];
    /* hidden width from the file: dense/bias length */
    {
        hid_t d = H5I_INVALID_HID;
        const char *cands[2] = { "dense/dense/bias:0", "dense/dense/bias" };
        for (int i = 0; i < 2 && d < 0; i++)
            if (H5Lexists(f, "dense", H5P_DEFAULT) > 0 && H5Lexists(f, "dense/dense", H5P_DEFAULT) > 0 &&
                H5Lexists(f, cands[i], H5P_DEFAULT) > 0)
                d = H5Dopen2(f, cands[i], H5P_DEFAULT);
        hssize_t hidden = d >= 0 ? vc_h5_rows(d) : -1;
        if (d >= 0) H5Dclose(d);
        if (hidden < 1) { rc = vc_error(VC_ERR_MISSING, "model '%s': dense/dense/bias:0 is missing", path); goto fail; }
        m->shape.in = 2048;
        m->shape.hidden = (int)hidden;
        m->shape.classes = m->names.n;
    }
    m->params = malloc(sizeof(float) * vc_head_param_count(&m->shape));
    if (!m->params) { rc = VC_ERR_NOMEM; goto fail; }
    struct vc_head_offsets o = vc_head_offsets_of(&m->shape);
    int64_t k1[2] = { m->shape.in, m->shape.hidden }, b1[1] = { m->shape.hidden };
    int64_t k2[2] = { m->shape.hidden, m->shape.classes }, b2[1] = { m->shape.classes };
    if ((rc = vc_keras_weights_read(kw, "dense", "kernel", 2, k1, m->params + o.w1)) != VC_OK ||
        (rc = vc_keras_weights_read(kw, "dense", "bias", 1, b1, m->params + o.b1)) != VC_OK ||
        (rc = vc_keras_weights_read(kw, "dense_1", "kernel", 2, k2, m->params + o.w2)) != VC_OK ||
        (rc = vc_keras_weights_read(kw, "dense_1", "bias", 1, b2, m->params + o.b2)) != VC_OK)
        goto fail;
    H5Fclose(f);
    vc_keras_weights_close(&kw);
    *out = m;
    return VC_OK;
fail:
    if (f >= 0) H5Fclose(f);
    vc_keras_weights_close(&kw);
    vc_model_free(&m);
    return rc;
}

void vc_model_free(vc_model **mp)
{
    if (!mp || !*mp)
        return;
    vc_strlist_free(&(*mp)->names);
    free((*mp)->params);
    free(*mp);
    *mp = NULL;
}

const struct vc_head_shape *vc_model_shape(const vc_model *m) { return &m->shape; }
const float *vc_model_params(const vc_model *m) { return m->params; }
const struct vc_model_meta *vc_model_meta(const vc_model *m) { return &m->meta; }
