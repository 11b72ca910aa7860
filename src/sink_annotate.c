/* sink_annotate.c - the annotator sink: each video written again with its smoothed label
 * drawn on every frame (annotate.c does the drawing and encoding). See vidclass/sink.h. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "vidclass/sink.h"
#include "vidclass/status.h"
#include "annotate.h"
#include "fsutil.h"

#include <libavutil/parseutils.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct annot {
    struct vc_annotate_params p;
    char          dir[PATH_MAX], file[PATH_MAX];
    char          protect[4][PATH_MAX]; /* copies of p.protect */
    const char   *protect_ptr[4];
    int           n_protect;
    vc_annotator *a;
    char          format[128], color[64];
    const char *const *class_names;
    int           n_classes, failed;
    char          out[2 * PATH_MAX + 2];
};

void vc_annotate_text(const char *format, const char *label, float confidence, char *out, size_t len)
{
    size_t k = 0;
    for (const char *s = format; *s && k + 1 < len;) {
        if (strncmp(s, "{label}", 7) == 0) {
            k += (size_t)snprintf(out + k, len - k, "%s", label);
            s += 7;
        } else if (strncmp(s, "{confidence}", 12) == 0) {
            k += (size_t)snprintf(out + k, len - k, "%.2f", confidence);
            s += 12;
        } else {
            out[k++] = *s++;
        }
        if (k >= len) k = len - 1;
    }
    out[k] = '\0';
}

int vc_annotate_style_check(const char *text, const char *color)
{
    uint8_t rgba[4];
    if (color && (strlen(color) >= 64 || av_parse_color(rgba, color, -1, NULL) < 0))
        return vc_error(VC_ERR_INVALID_ARG, "annotate_color '%s' is not a colour (a name such as green, or 0xRRGGBB[@alpha])",
                        color);
    if (text && (strlen(text) > 100 || strpbrk(text, "\n\r")))
        return vc_error(VC_ERR_INVALID_ARG, "annotate_text must be one line of at most 100 characters");
    return VC_OK;
}

static int begin(void *self, const struct vc_sink_video *v)
{
    struct annot *s = self;
    s->failed = 0;
    s->class_names = v->class_names;
    s->n_classes = v->n_classes;
    int rc = VC_OK;
    if (s->file[0]) snprintf(s->out, sizeof s->out, "%s", s->file);
    else if (snprintf(s->out, sizeof s->out, "%s/%s.labelled.mp4", s->dir, v->name) >= (int)sizeof s->out)
        return vc_error(VC_ERR_INVALID_ARG, "labelled copy of '%s': path too long", v->path);
    else rc = vc_make_parents(s->out, strlen(s->dir));
    if (rc != VC_OK) return rc;
    const char *input[1] = { v->path };
    rc = vc_output_not_input(s->out, "labelled copy", input, 1);
    if (rc == VC_OK) rc = vc_output_check(s->out, "labelled copy", s->protect_ptr, s->n_protect, s->p.force, vc_annotated_file);
    if (rc != VC_OK) return rc;
    struct vc_annotate_style style = { s->p.size, s->color };
    rc = vc_annotator_open(s->out, v->info->fps, &style, &s->a);
    if (rc != VC_OK) return vc_error(rc, "labelled copy '%s' cannot be written: %s", s->out, vc_last_error());
    return VC_OK;
}

static int frame(void *self, const struct vc_sink_frame *f)
{
    struct annot *s = self;
    if (!s->a || f->label >= s->n_classes) return VC_OK;
    char text[256];
    vc_annotate_text(s->format, f->label < 0 ? "unknown" : s->class_names[f->label], f->confidence, text, sizeof text);
    int rc = vc_annotator_write(s->a, f->av_frame, text);
    if (rc != VC_OK) {
        s->failed = 1;
        vc_annotator_close(&s->a, 0);
        return vc_error(rc, "labelled copy '%s' abandoned: %s", s->out, vc_last_error());
    }
    return VC_OK;
}

/* The copy is kept when every frame given was written (a video with a decode error part
 * way keeps a copy of the frames decoded before it). */
static int end(void *self, const struct vc_record *r)
{
    struct annot *s = self;
    (void)r;
    if (!s->a) return VC_OK;
    int rc = vc_annotator_close(&s->a, !s->failed);
    return rc == VC_OK ? VC_OK : vc_error(rc, "labelled copy '%s' not written: %s", s->out, vc_last_error());
}

static void destroy(void *self)
{
    struct annot *s = self;
    if (s->a) vc_annotator_close(&s->a, 0);
    free(s);
}

static const struct vc_sink_ops k_ops = {
    /*.name         =*/ "annotate",
    /*.wants_frames =*/ 1,
    /*.begin        =*/ begin,
    /*.frame        =*/ frame,
    /*.end          =*/ end,
    /*.finish       =*/ NULL,
    /*.destroy      =*/ destroy,
};

int vc_sink_annotate(const struct vc_annotate_params *p, vc_sink **out)
{
    *out = NULL;
    if (!p->dir && !p->file) return vc_error(VC_ERR_INVALID_ARG, "%s: a folder or a file is needed", __func__);
    int rc = vc_annotate_style_check(p->text, p->color); /* the colour goes into a filter graph */
    if (rc != VC_OK) return rc;
    struct annot *s = calloc(1, sizeof *s);
    if (!s) return vc_error(VC_ERR_NOMEM, "out of memory");
    s->p = *p;
    snprintf(s->dir, sizeof s->dir, "%s", p->dir ? p->dir : "");
    snprintf(s->file, sizeof s->file, "%s", p->file ? p->file : "");
    snprintf(s->format, sizeof s->format, "%s", p->text ? p->text : "activity: {label}");
    snprintf(s->color, sizeof s->color, "%s", p->color ? p->color : "0x00FF00");
    s->p.text = s->p.color = NULL; /* borrowed: copied above */
    for (int i = 0; i < p->n_protect && s->n_protect < 4; i++)
        if (p->protect[i]) {
            snprintf(s->protect[s->n_protect], PATH_MAX, "%s", p->protect[i]);
            s->protect_ptr[s->n_protect] = s->protect[s->n_protect];
            s->n_protect++;
        }
    s->p.protect = NULL; /* borrowed from the caller: copied above */
    return vc_sink_create(&k_ops, s, out);
}
