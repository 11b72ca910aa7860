/* embed.c - batch images and pack rows through ResNet50 and append features to HDF5. */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/embed.h"
#include "vidclass/image.h"
#include "vidclass/log.h"
#include "vidclass/backbone.h"
#include "vidclass/status.h"
#include "h5util.h"
#include "fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct vc_embed_params vc_embed_default_params(void)
{
    struct vc_embed_params p = {
        /*.weights    =*/ NULL,
        /*.preprocess =*/ VC_PREPROCESS_CAFFE,
        /*.batch      =*/ 8,
        /*.size       =*/ 224,
        /*.precision  =*/ NULL,
        /*.output     =*/ NULL,
        /*.inputs     =*/ NULL,
        /*.n_inputs   =*/ 0,
        /*.quiet      =*/ 0,
        /*.force      =*/ 0,
    };
    return p;
}

/* State of one run: the open output, the pending batch and the network. */
struct embed_ctx {
    const struct vc_embed_params *p;
    vc_backbone *net;
    hid_t        file, d_feat, d_paths, str_type;
    uint8_t     *rgb;    /* [batch, size, size, 3] pending images */
    float       *x;      /* preprocessed batch                    */
    float       *feat;   /* [batch, 2048]                          */
    char       **names;  /* pending row names                      */
    int          pending;
    int64_t      done, failed, total_hint;
    double       t_start, t_last_progress;
};

static int flush_batch(struct embed_ctx *c)
{
    if (c->pending == 0)
        return VC_OK;
    const int s = c->p->size;
    vc_preprocess_rgb8(c->rgb, (size_t)c->pending * s * s, c->p->preprocess, c->x);
    int rc = vc_backbone_features(c->net, c->x, c->pending, s, s, c->feat);
    if (rc == VC_OK) rc = vc_h5_append_rows(c->d_feat, H5T_NATIVE_FLOAT, (hsize_t)c->pending, c->feat);
    if (rc == VC_OK) rc = vc_h5_append_rows(c->d_paths, c->str_type, (hsize_t)c->pending, c->names);
    for (int i = 0; i < c->pending; i++) {
        free(c->names[i]);
        c->names[i] = NULL;
    }
    c->done += c->pending;
    c->pending = 0;
    double now = vc_time_now();
    if (!c->p->quiet && now - c->t_last_progress >= 1.0) {
        c->t_last_progress = now;
        VC_LOG_INFO("embed: %lld/%lld images, %.1f images/s", (long long)c->done,
                    (long long)c->total_hint, (double)c->done / (now - c->t_start));
    }
    return rc;
}

static int push_name(struct embed_ctx *c, const char *name)
{
    c->names[c->pending] = strdup(name);
    if (!c->names[c->pending])
        return VC_NOMEM;
    c->pending++;
    return c->pending == c->p->batch ? flush_batch(c) : VC_OK;
}

static int embed_image(struct embed_ctx *c, const char *path)
{
    const int s = c->p->size;
    uint8_t *slot = c->rgb + (size_t)c->pending * s * s * 3;
    if (vc_image_load_rgb(path, s, s, NULL, slot) != VC_OK) {
        VC_LOG_WARN("skipped %s", vc_last_error());
        c->failed++;
        return VC_OK;
    }
    return push_name(c, path);
}

static int embed_pack(struct embed_ctx *c, const char *path)
{
    const int s = c->p->size;
    int rc = VC_OK;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), d = H5I_INVALID_HID, dp = H5I_INVALID_HID;
    char **paths = NULL;
    hssize_t n = 0;
    if (f < 0) { rc = vc_error(VC_ERR_FORMAT, "pack '%s': cannot open", path); goto done; }
    if (H5Lexists(f, "images", H5P_DEFAULT) <= 0 || (d = H5Dopen2(f, "images", H5P_DEFAULT)) < 0) {
        rc = vc_error(VC_ERR_FORMAT, "'%s' is HDF5 but has no /images dataset (not a pack)", path);
        goto done;
    }
    const hsize_t want[4] = { 0, (hsize_t)s, (hsize_t)s, 3 };
    hsize_t rows = 0;
    if (!vc_h5_dims_match(d, 4, want, &rows)) {
        rc = vc_error(VC_ERR_SHAPE, "pack '%s': /images must be uint8 [N,%d,%d,3]", path, s, s);
        goto done;
    }
    n = (hssize_t)rows;
    c->total_hint += n - 1;
    if (H5Lexists(f, "paths", H5P_DEFAULT) > 0 && (dp = H5Dopen2(f, "paths", H5P_DEFAULT)) >= 0 &&
        vc_h5_rows(dp) == n) {
        paths = calloc((size_t)n, sizeof(char *));
        if (!paths || vc_h5_read_rows(dp, c->str_type, 0, (hsize_t)n, paths) != VC_OK) {
            free(paths);
            paths = NULL;
        }
    }
    for (hssize_t i = 0; i < n && rc == VC_OK; i++) {
        uint8_t *slot = c->rgb + (size_t)c->pending * s * s * 3;
        rc = vc_h5_read_rows(d, H5T_NATIVE_UINT8, (hsize_t)i, 1, slot);
        char name[4096];
        if (paths && paths[i])
            snprintf(name, sizeof name, "%s:%s", path, paths[i]);
        else
            snprintf(name, sizeof name, "%s#%lld", path, (long long)i);
        if (rc == VC_OK)
            rc = push_name(c, name);
    }
done:
    if (paths) {
        hid_t sp = H5Screate_simple(1, (hsize_t[]){ (hsize_t)n }, NULL);
        H5Dvlen_reclaim(c->str_type, sp, H5P_DEFAULT, paths);
        H5Sclose(sp);
        free(paths);
    }
    if (dp >= 0) H5Dclose(dp);
    if (d >= 0) H5Dclose(d);
    if (f >= 0) H5Fclose(f);
    return rc;
}

static int is_features(const char *path) { return vc_h5_file_attr_is(path, "format", "vidclass-features"); }

int vc_embed_run(const struct vc_embed_params *p, struct vc_embed_result *result)
{
    struct embed_ctx c = { .p = p, .file = H5I_INVALID_HID, .d_feat = H5I_INVALID_HID,
                           .d_paths = H5I_INVALID_HID, .str_type = H5I_INVALID_HID };
    char tmp[PATH_MAX + 64] = "";
    int rc = VC_OK;
    if (!p->weights || !p->output || p->n_inputs < 1 || p->batch < 1 || p->size < 32)
        return vc_error(VC_ERR_INVALID_ARG, "embed: need weights, output, at least one input, batch >= 1, size >= 32");

    rc = vc_output_not_input(p->output, "--output", p->inputs, p->n_inputs);
    if (rc == VC_OK) rc = vc_output_check(p->output, "--output", &p->weights, 1, p->force, is_features);
    struct vc_backbone_params bp = { p->weights, VC_PRECISION_FP32 };
    if (rc == VC_OK && p->precision &&
        (vc_precision_parse(p->precision, &bp.precision) != VC_OK || vc_precision_check(bp.precision) != VC_OK))
        rc = vc_error(VC_ERR_INVALID_ARG, "--precision: %s", vc_last_error());
    const char *note = rc == VC_OK ? vc_precision_note(bp.precision) : NULL;
    if (note) VC_LOG_WARN("--precision %s: %s", vc_precision_name(bp.precision), note);
    if (rc == VC_OK) rc = vc_backbone_load_params("resnet50", &bp, &c.net);
    if (rc != VC_OK)
        return rc;
    if ((rc = vc_tmp_create(p->output, tmp, sizeof tmp)) != VC_OK) {
        vc_backbone_free(&c.net);
        return rc;
    }
    const size_t px = (size_t)p->size * p->size;
    c.rgb = malloc(px * 3 * (size_t)p->batch);
    c.x = malloc(sizeof(float) * px * 3 * (size_t)p->batch);
    c.feat = malloc(sizeof(float) * (size_t)vc_backbone_feature_size(c.net) * (size_t)p->batch);
    c.names = calloc((size_t)p->batch, sizeof(char *));
    c.str_type = vc_h5_vlen_str_type();
    if (!c.rgb || !c.x || !c.feat || !c.names || c.str_type < 0) { rc = VC_NOMEM; goto done; }

    vc_h5_quiet();
    c.file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (c.file < 0) { rc = vc_error(VC_ERR_IO, "cannot create output '%s'", tmp); goto done; }
    hsize_t tail[1] = { (hsize_t)vc_backbone_feature_size(c.net) };
    c.d_feat = vc_h5_create_rows(c.file, "features", H5T_IEEE_F32LE, 1, tail, 64, 0);
    c.d_paths = vc_h5_create_rows(c.file, "paths", c.str_type, 0, NULL, 256, 0);
    if (c.d_feat < 0 || c.d_paths < 0) { rc = VC_ERR_IO; goto done; }

    c.total_hint = p->n_inputs;
    c.t_start = c.t_last_progress = vc_time_now();
    for (int i = 0; i < p->n_inputs && rc == VC_OK; i++) {
        const char *in = p->inputs[i];
#if H5_VERSION_GE(1, 12, 0)
        int is_h5 = H5Fis_accessible(in, H5P_DEFAULT) > 0;
#else
        int is_h5 = H5Fis_hdf5(in) > 0;
#endif
        rc = is_h5 ? embed_pack(&c, in) : embed_image(&c, in);
    }
    if (rc == VC_OK) rc = flush_batch(&c);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(c.file, "preprocess", vc_preprocess_name(p->preprocess));
    if (rc == VC_OK) rc = vc_h5_write_str_attr(c.file, "weights", p->weights);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(c.file, "precision", vc_precision_name(bp.precision));
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(c.file, "image_size", p->size);
    if (rc == VC_OK) rc = vc_h5_write_i64_attr(c.file, "n_failed", c.failed);
    if (rc == VC_OK) rc = vc_h5_write_str_attr(c.file, "format", "vidclass-features");
done:
    if (c.d_feat >= 0 && H5Dclose(c.d_feat) < 0 && rc == VC_OK) rc = vc_error(VC_ERR_IO, "cannot write '%s'", tmp);
    if (c.d_paths >= 0 && H5Dclose(c.d_paths) < 0 && rc == VC_OK) rc = vc_error(VC_ERR_IO, "cannot write '%s'", tmp);
    int crc = vc_h5_close_written(c.file, tmp, rc != VC_OK, MPI_COMM_NULL);
    if (rc == VC_OK) rc = crc;
    if (rc == VC_OK) rc = vc_tmp_commit(tmp, p->output);
    if (rc != VC_OK) vc_tmp_discard(tmp);
    if (c.names)
        for (int i = 0; i < p->batch; i++)
            free(c.names[i]);
    free(c.names);
    free(c.rgb);
    free(c.x);
    free(c.feat);
    if (c.str_type >= 0) H5Tclose(c.str_type);
    vc_backbone_free(&c.net);
    if (result) {
        result->n_ok = c.done;
        result->n_failed = c.failed;
    }
    return rc;
}
