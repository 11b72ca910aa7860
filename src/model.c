/* model.c - the classifier on top of the backbone: vidclass model.h5 files and Keras
 * model files (model.save(..., save_format="h5")), both run as one chain of dense layers
 * (see vidclass/model.h). */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/model.h"
#include "vidclass/backbone.h"
#include "vidclass/gemm.h"
#include "vidclass/keras_weights.h"
#include "vidclass/resnet50.h"
#include "vidclass/status.h"
#include "h5util.h"
#include "keras_config.h"
#include "fsutil.h"

#include <limits.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DENSE 16

enum act { ACT_LINEAR, ACT_RELU, ACT_SIGMOID, ACT_TANH, ACT_SOFTMAX };
static const char *const k_act_names[] = { "linear", "relu", "sigmoid", "tanh", "softmax" };

struct dense {
    int       in, out;
    const float *w, *b; /* [in, out] row-major (Keras's kernel), [out] */
    enum act  act;
};

struct vc_model {
    struct vc_head_shape shape;  /* vidclass models */
    float               *params; /* vidclass: the flat head; Keras: all dense weights */
    struct dense         dense[MAX_DENSE];
    int                  n_dense, max_width;
    struct vc_model_meta meta;
    struct vc_strlist    names;
    char                 summary[512];
};

/* ---- saving (vidclass models) ------------------------------------------------------------ */

static int write_meta(hid_t f, const struct vc_model_meta *meta)
{
    int rc = vc_h5_write_strlist_attr(f, "class_names", meta->class_names, meta->n_classes, 1);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "preprocess", vc_preprocess_name(meta->preprocess));
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "resize", vc_resize_name(meta->resize));
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "image_size", meta->image_size);
    if (rc == VC_OK) rc = vc_h5_write_f64_attr(f, "dropout", meta->dropout);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "backbone", meta->backbone[0] ? meta->backbone : "resnet50");
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "weights_layout", meta->weights_layout[0] ? meta->weights_layout : "tf.keras");
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "base_weights", meta->base_weights);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "base_weights_sha256", meta->base_weights_sha256);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(f, "format", "vidclass-model");
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(f, "format_version", 2);
    return rc;
}

int vc_model_save(const char *path, const struct vc_head_shape *s, const float *params,
                  const struct vc_model_meta *meta)
{
    char tmp[PATH_MAX + 64];
    struct vc_head_offsets o = vc_head_offsets_of(s);
    vc_keras_writer *w = NULL;
    struct vc_keras_writer_params wp = vc_keras_writer_default_params();
    wp.reserve = (int64_t)(sizeof(float) * vc_head_param_count(s));
    int rc = vc_tmp_create(path, tmp, sizeof tmp);
    if (rc == VC_OK) rc = vc_keras_writer_open(tmp, &wp, &w);
    if (rc != VC_OK) {
        vc_tmp_discard(tmp);
        return rc;
    }
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
        if (rc == VC_OK) rc = write_meta(f, meta);
        int crc = vc_h5_close_written(f, tmp, rc != VC_OK, MPI_COMM_NULL);
        if (rc == VC_OK) rc = crc;
    }
    if (rc == VC_OK) rc = vc_tmp_commit(tmp, path);
    if (rc != VC_OK) vc_tmp_discard(tmp);
    return rc;
}

/* ---- the dense chain ------------------------------------------------------------------------ */

static void chain_summary(vc_model *m)
{
    size_t k = 0;
    for (int i = 0; i < m->n_dense && k < sizeof m->summary; i++)
        k += (size_t)snprintf(m->summary + k, sizeof m->summary - k, "%sDense %d %s", i ? " -> " : "global average -> ",
                              m->dense[i].out, k_act_names[m->dense[i].act]);
}

static int add_dense(vc_model *m, int in, int out, const float *w, const float *b, enum act a)
{
    if (m->n_dense == MAX_DENSE) return vc_error(VC_ERR_UNSUPPORTED, "head: more than %d Dense layers", MAX_DENSE);
    m->dense[m->n_dense++] = (struct dense){ in, out, w, b, a };
    if (out > m->max_width) m->max_width = out;
    return VC_OK;
}

size_t vc_model_workspace_floats(const vc_model *m, int n)
{
    return 2 * (size_t)n * (size_t)(m->max_width > 0 ? m->max_width : 1);
}

static void activate(float *z, int n, int c, enum act a)
{
    size_t all = (size_t)n * c;
    if (a == ACT_RELU) for (size_t i = 0; i < all; i++) z[i] = z[i] > 0.0f ? z[i] : 0.0f;
    if (a == ACT_SIGMOID) for (size_t i = 0; i < all; i++) z[i] = 1.0f / (1.0f + expf(-z[i]));
    if (a == ACT_TANH) for (size_t i = 0; i < all; i++) z[i] = tanhf(z[i]);
    if (a != ACT_SOFTMAX) return;
    for (int i = 0; i < n; i++) {
        float *r = z + (size_t)i * c, mx = r[0];
        for (int k = 1; k < c; k++) if (r[k] > mx) mx = r[k];
        double sum = 0.0;
        for (int k = 0; k < c; k++) { r[k] = expf(r[k] - mx); sum += r[k]; }
        for (int k = 0; k < c; k++) r[k] = (float)(r[k] / sum);
    }
}

void vc_model_predict(const vc_model *m, const float *feat, int n, float *probs, float *ws)
{
    const float *x = feat;
    float *buf[2] = { ws, ws + (size_t)n * m->max_width };
    for (int l = 0; l < m->n_dense; l++) {
        const struct dense *d = &m->dense[l];
        float *y = l == m->n_dense - 1 ? probs : buf[l & 1];
        for (int i = 0; i < n; i++) memcpy(y + (size_t)i * d->out, d->b, sizeof(float) * (size_t)d->out);
        vc_sgemm(0, 0, n, d->out, d->in, 1.0f, x, d->in, d->w, d->out, 1.0f, y, d->out);
        activate(y, n, d->out, d->act);
        x = y;
    }
}

const char *vc_model_head_summary(const vc_model *m) { return m->summary; }
int vc_model_input_size(const vc_model *m) { return m->n_dense > 0 ? m->dense[0].in : 0; }

/* ---- vidclass model files ----------------------------------------------------------------- */

static int read_optional_str(hid_t f, const char *name, char *buf, size_t len, const char *dflt)
{
    if (!vc_h5_has_attr(f, name)) { snprintf(buf, len, "%s", dflt); return VC_OK; }
    return vc_h5_read_str_attr(f, name, buf, len);
}

static int load_vidclass(vc_model *m, hid_t f, vc_keras_weights *kw, const char *path)
{
    char pre[32] = "", rs[32] = "";
    int64_t size = 0;
    int rc;
    if ((rc = vc_h5_read_strlist_attr(f, "class_names", &m->names)) != VC_OK ||
        (rc = vc_h5_read_str_attr(f, "preprocess", pre, sizeof pre)) != VC_OK ||
        (rc = vc_preprocess_parse(pre, &m->meta.preprocess)) != VC_OK ||
        (rc = read_optional_str(f, "resize", rs, sizeof rs, "area")) != VC_OK || /* v1: trained on swscale's area-like filter */
        (rc = vc_resize_parse(rs, &m->meta.resize)) != VC_OK ||
        (rc = read_optional_str(f, "backbone", m->meta.backbone, sizeof m->meta.backbone, "resnet50")) != VC_OK ||
        (rc = read_optional_str(f, "weights_layout", m->meta.weights_layout, sizeof m->meta.weights_layout, "tf.keras")) != VC_OK ||
        (rc = vc_h5_read_i64_attr(f, "image_size", &size)) != VC_OK ||
        (rc = vc_h5_read_f64_attr(f, "dropout", &m->meta.dropout)) != VC_OK ||
        (rc = vc_h5_read_str_attr(f, "base_weights", m->meta.base_weights, sizeof m->meta.base_weights)) != VC_OK ||
        (rc = vc_h5_read_str_attr(f, "base_weights_sha256", m->meta.base_weights_sha256, sizeof m->meta.base_weights_sha256)) != VC_OK)
        return vc_error(VC_ERR_FORMAT, "model '%s': %s", path, vc_last_error());
    if (!vc_backbone_find(m->meta.backbone))
        return vc_error(VC_ERR_UNSUPPORTED, "model '%s' needs backbone '%s', which this vidclass does not have", path,
                        m->meta.backbone);
    if (m->names.n < 2 || m->names.n > VC_MAX_CLASSES)
        return vc_error(VC_ERR_FORMAT, "model '%s': %d classes (need 2..%d)", path, m->names.n, VC_MAX_CLASSES);
    if (size < 32 || size > 4096)
        return vc_error(VC_ERR_FORMAT, "model '%s': image_size %lld (need 32..4096)", path, (long long)size);
    m->meta.image_size = (int)size;
    m->meta.n_classes = m->names.n;
    m->meta.has_class_names = 1;
    for (int i = 0; i < m->names.n; i++) m->meta.class_names[i] = m->names.items[i];
    /* hidden width from the file: dense/bias length */
    hid_t d = H5I_INVALID_HID;
    const char *cands[2] = { "dense/dense/bias:0", "dense/dense/bias" };
    for (int i = 0; i < 2 && d < 0; i++)
        if (H5Lexists(f, "dense", H5P_DEFAULT) > 0 && H5Lexists(f, "dense/dense", H5P_DEFAULT) > 0 &&
            H5Lexists(f, cands[i], H5P_DEFAULT) > 0)
            d = H5Dopen2(f, cands[i], H5P_DEFAULT);
    hssize_t hidden = d >= 0 ? vc_h5_rows(d) : -1;
    if (d >= 0) H5Dclose(d);
    if (hidden < 1 || hidden > 65536) return vc_error(VC_ERR_MISSING, "model '%s': dense/dense/bias:0 is missing", path);
    m->shape = (struct vc_head_shape){ VC_RESNET50_FEATURES, (int)hidden, m->names.n };
    m->params = malloc(sizeof(float) * vc_head_param_count(&m->shape));
    if (!m->params) return vc_error(VC_ERR_NOMEM, "model '%s': out of memory", path);
    struct vc_head_offsets o = vc_head_offsets_of(&m->shape);
    int64_t k1[2] = { m->shape.in, m->shape.hidden }, b1[1] = { m->shape.hidden };
    int64_t k2[2] = { m->shape.hidden, m->shape.classes }, b2[1] = { m->shape.classes };
    if ((rc = vc_keras_weights_read(kw, "dense", "kernel", 2, k1, m->params + o.w1)) != VC_OK ||
        (rc = vc_keras_weights_read(kw, "dense", "bias", 1, b1, m->params + o.b1)) != VC_OK ||
        (rc = vc_keras_weights_read(kw, "dense_1", "kernel", 2, k2, m->params + o.w2)) != VC_OK ||
        (rc = vc_keras_weights_read(kw, "dense_1", "bias", 1, b2, m->params + o.b2)) != VC_OK)
        return rc;
    rc = add_dense(m, m->shape.in, m->shape.hidden, m->params + o.w1, m->params + o.b1, ACT_RELU);
    if (rc == VC_OK) rc = add_dense(m, m->shape.hidden, m->shape.classes, m->params + o.w2, m->params + o.b2, ACT_SOFTMAX);
    return rc;
}

/* ---- Keras model files -------------------------------------------------------------------- */

static int parse_act(const char *name, enum act *a)
{
    for (int i = 0; i < (int)(sizeof k_act_names / sizeof k_act_names[0]); i++)
        if (name && strcmp(name, k_act_names[i]) == 0) { *a = (enum act)i; return 1; }
    return 0;
}

/* The index of the base's last layer: the activation after the last Add (ResNet50's
 * conv5_block3_out, Keras 2.2's activation_49). The head is everything after it. */
static int base_end(const vc_keras_config *c)
{
    int last_add = -1;
    for (int i = 0; i < vc_keras_config_count(c); i++)
        if (strcmp(vc_keras_config_layer(c, i)->class_name, "Add") == 0) last_add = i;
    return last_add >= 0 && last_add + 1 < vc_keras_config_count(c) ? last_add + 1 : -1;
}

/* Walk the head of a Keras model and build the dense chain, refusing what cannot be run
 * exactly. `map` is the side of the base's output map (7 at 224x224). */
static int keras_head(vc_model *m, const vc_keras_config *c, vc_keras_weights *kw, int map, const char *path)
{
    int end = base_end(c), rc = VC_OK, width = VC_RESNET50_FEATURES, pooled = 0, n_params = 0;
    if (end < 0) return vc_error(VC_ERR_UNSUPPORTED, "model '%s': no ResNet50 base found in model_config (no Add layer)", path);
    const char *prev = vc_keras_config_layer(c, end)->name;
    /* first pass: size the weights */
    for (int i = end + 1; i < vc_keras_config_count(c); i++) {
        const struct vc_keras_layer *l = vc_keras_config_layer(c, i);
        double units;
        if (strcmp(l->class_name, "Dense") == 0 && vc_keras_config_double(l, "units", &units)) n_params += (int)units * (width + 1);
        if (strcmp(l->class_name, "Dense") == 0) width = (int)units;
    }
    m->params = malloc(sizeof(float) * (size_t)(n_params > 0 ? n_params : 1));
    if (!m->params) return vc_error(VC_ERR_NOMEM, "model '%s': out of memory", path);
    float *next = m->params;
    width = VC_RESNET50_FEATURES;
    for (int i = end + 1; i < vc_keras_config_count(c) && rc == VC_OK; i++) {
        const struct vc_keras_layer *l = vc_keras_config_layer(c, i);
        const char *cls = l->class_name, *s = NULL;
        if (l->n_inbound != 1 || !l->inbound || strcmp(l->inbound, prev) != 0)
            return vc_error(VC_ERR_UNSUPPORTED, "model '%s': head layer '%s' (%s) does not take the output of '%s' alone; "
                            "vidclass runs only a chain of layers after the base", path, l->name, cls, prev);
        prev = l->name;
        if (strcmp(cls, "AveragePooling2D") == 0 && !pooled) {
            int pool[2], strides[2];
            if (!vc_keras_config_pair(l, "pool_size", pool)) pool[0] = pool[1] = 2;
            if (!vc_keras_config_pair(l, "strides", strides)) strides[0] = pool[0], strides[1] = pool[1];
            if (pool[0] != map || pool[1] != map || (vc_keras_config_string(l, "padding", &s) && strcmp(s, "valid") != 0))
                return vc_error(VC_ERR_UNSUPPORTED, "model '%s': layer '%s': AveragePooling2D %dx%d over the %dx%d map is "
                                "not the global average vidclass runs (pool_size must be %d, padding valid)", path, l->name,
                                pool[0], pool[1], map, map, map);
            pooled = 1;
        } else if ((strcmp(cls, "GlobalAveragePooling2D") == 0) && !pooled) {
            pooled = 1;
        } else if (strcmp(cls, "Flatten") == 0 || strcmp(cls, "Dropout") == 0) {
            if (strcmp(cls, "Flatten") == 0 && !pooled)
                return vc_error(VC_ERR_UNSUPPORTED, "model '%s': layer '%s' flattens the %dx%d map without pooling it; "
                                "vidclass runs heads on the global average", path, l->name, map, map);
        } else if (strcmp(cls, "Dense") == 0 && pooled) {
            double units = 0;
            enum act a = ACT_LINEAR;
            if (!vc_keras_config_double(l, "units", &units) || units < 1 || units > 65536)
                return vc_error(VC_ERR_FORMAT, "model '%s': Dense layer '%s' has no valid 'units'", path, l->name);
            if (vc_keras_config_string(l, "activation", &s) && !parse_act(s, &a))
                return vc_error(VC_ERR_UNSUPPORTED, "model '%s': layer '%s': activation '%s' is not one vidclass runs "
                                "(linear, relu, sigmoid, tanh, softmax)", path, l->name, s);
            int u = (int)units;
            int64_t kd[2] = { width, u }, bd[1] = { u };
            float *w = next, *b = next + (size_t)width * u;
            next = b + u;
            rc = vc_keras_weights_read_at(kw, l->name, 0, 2, "kernel, bias", 2, kd, w);
            if (rc == VC_OK) rc = vc_keras_weights_read_at(kw, l->name, 1, 2, "kernel, bias", 1, bd, b);
            if (rc == VC_OK) rc = add_dense(m, width, u, w, b, a);
            width = u;
        } else if (strcmp(cls, "Activation") == 0 && m->n_dense > 0 && m->dense[m->n_dense - 1].act == ACT_LINEAR) {
            if (!vc_keras_config_string(l, "activation", &s) || !parse_act(s, &m->dense[m->n_dense - 1].act))
                return vc_error(VC_ERR_UNSUPPORTED, "model '%s': layer '%s': activation '%s' is not one vidclass runs", path,
                                l->name, s ? s : "?");
        } else {
            return vc_error(VC_ERR_UNSUPPORTED, "model '%s': head layer '%s' (%s) cannot be run exactly by vidclass; it runs "
                            "a global average pool, Flatten, Dropout and Dense/Activation layers", path, l->name, cls);
        }
    }
    if (rc != VC_OK) return rc;
    if (m->n_dense == 0 || m->dense[m->n_dense - 1].act != ACT_SOFTMAX)
        return vc_error(VC_ERR_UNSUPPORTED, "model '%s': the head must end in a Dense or Activation layer with softmax "
                        "(class probabilities)", path);
    return VC_OK;
}

static int load_keras(vc_model *m, vc_keras_weights *kw, const char *path)
{
    char *json = NULL;
    vc_keras_config *c = NULL;
    vc_resnet50 *probe = NULL;
    int hwc[3] = { 0, 0, 0 };
    int rc = vc_keras_weights_model_config(kw, &json);
    if (rc == VC_OK && !json)
        rc = vc_error(VC_ERR_FORMAT, "'%s' is not a vidclass model file (no format=\"vidclass-model\" attribute) nor a "
                      "Keras model file (no model_config attribute); a weights-only file is given with --weights", path);
    if (rc == VC_OK) rc = vc_keras_config_parse(json, path, &c);
    free(json);
    if (rc == VC_OK && (!vc_keras_config_input_shape(c, hwc) || hwc[0] < 32 || hwc[0] != hwc[1] || hwc[2] != 3))
        rc = vc_error(VC_ERR_UNSUPPORTED, "model '%s': input shape %dx%dx%d; vidclass needs a fixed square RGB input "
                      "(e.g. Input(shape=(224, 224, 3)))", path, hwc[0], hwc[1], hwc[2]);
    /* the base: loaded once here to learn its layout (and check it); batch loads it again */
    if (rc == VC_OK) rc = vc_resnet50_load(path, NULL, &probe);
    if (rc == VC_OK) {
        int oh, ow;
        vc_resnet50_map_hw(probe, hwc[0], hwc[1], &oh, &ow);
        snprintf(m->meta.weights_layout, sizeof m->meta.weights_layout, "%s", vc_resnet50_describe(probe).layout);
        rc = keras_head(m, c, kw, oh, path);
    }
    vc_resnet50_free(&probe);
    vc_keras_config_free(&c);
    if (rc != VC_OK) return rc;
    m->meta.keras_file = 1;
    m->meta.image_size = hwc[0];
    m->meta.preprocess = VC_PREPROCESS_RGB_MEAN; /* the tutorial's: RGB minus [123.68, 116.779, 103.939] */
    m->meta.resize = VC_RESIZE_LINEAR;          /* cv2.resize */
    m->meta.dropout = 0.0;
    snprintf(m->meta.backbone, sizeof m->meta.backbone, "resnet50");
    snprintf(m->meta.base_weights, sizeof m->meta.base_weights, "%s", path);
    m->meta.n_classes = m->dense[m->n_dense - 1].out;
    if (m->meta.n_classes < 2 || m->meta.n_classes > VC_MAX_CLASSES)
        return vc_error(VC_ERR_UNSUPPORTED, "model '%s': %d outputs (need 2..%d classes)", path, m->meta.n_classes, VC_MAX_CLASSES);
    return VC_OK;
}

int vc_model_load(const char *path, vc_model **out)
{
    *out = NULL;
    vc_keras_weights *kw = NULL;
    vc_model *m = NULL;
    hid_t f = H5I_INVALID_HID;
    char fmt[64] = "";
    int rc = vc_h5_check_file(path, "model");
    if (rc != VC_OK)
        return rc;
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        rc = vc_error(VC_ERR_FORMAT, "model file '%s': HDF5 cannot open it (truncated or damaged?)", path);
        goto done;
    }
    if (vc_h5_has_attr(f, "format") && vc_h5_read_str_attr(f, "format", fmt, sizeof fmt) == VC_OK &&
        strcmp(fmt, "vidclass-model") != 0) { /* a pack or results file given as a model says so */
        rc = vc_error(VC_ERR_FORMAT, "'%s' is not a vidclass model file (format=\"vidclass-model\"); it is a %s file", path, fmt);
        goto done;
    }
    if ((rc = vc_keras_weights_open(path, &kw)) != VC_OK)
        goto done;
    if (!(m = calloc(1, sizeof *m))) { rc = vc_error(VC_ERR_NOMEM, "model '%s': out of memory", path); goto done; }
    rc = fmt[0] ? load_vidclass(m, f, kw, path) : load_keras(m, kw, path);
    if (rc == VC_OK) chain_summary(m);
done:
    if (f >= 0) H5Fclose(f);
    vc_keras_weights_close(&kw);
    if (rc != VC_OK) vc_model_free(&m);
    *out = m;
    return rc;
}

int vc_model_set_class_names(vc_model *m, const char *const *names, int n)
{
    if (n != m->meta.n_classes)
        return vc_error(VC_ERR_MISMATCH, "%d class names given, but the model has %d outputs", n, m->meta.n_classes);
    if (m->meta.has_class_names) {
        for (int i = 0; i < n; i++)
            if (strcmp(names[i], m->meta.class_names[i]) != 0)
                return vc_error(VC_ERR_MISMATCH, "class %d is '%s' in the model but '%s' was given", i,
                                m->meta.class_names[i], names[i]);
        return VC_OK;
    }
    vc_strlist_free(&m->names);
    m->names.items = calloc((size_t)n, sizeof(char *));
    if (!m->names.items) return vc_error(VC_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        if (!(m->names.items[i] = strdup(names[i]))) return vc_error(VC_ERR_NOMEM, "out of memory");
        m->names.n++;
        m->meta.class_names[i] = m->names.items[i];
    }
    m->meta.has_class_names = 1;
    return VC_OK;
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

const struct vc_head_shape *vc_model_shape(const vc_model *m) { return m->meta.keras_file ? NULL : &m->shape; }
const float *vc_model_params(const vc_model *m) { return m->meta.keras_file ? NULL : m->params; }
const struct vc_model_meta *vc_model_meta(const vc_model *m) { return &m->meta; }
