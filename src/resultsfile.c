/* resultsfile.c - summary, exports and merging of results files (vidclass/resultsfile.h). */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/resultsfile.h"
#include "vidclass/fileguard.h"
#include "vidclass/gemm.h"
#include "vidclass/smooth.h"
#include "vidclass/status.h"
#include "fsutil.h"
#include "h5util.h"
#include "pathset.h"
#include "results.h"
#include "results_h5.h"
#include "segments.h"

#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int vc_results_table_parse(const char *name)
{
    static const char *k[] = { "videos", "frames", "segments" };
    for (int i = 0; name && i < 3; i++)
        if (strcmp(name, k[i]) == 0) return i;
    return -1;
}

int vc_results_format_parse(const char *name)
{
    if (name && strcmp(name, "csv") == 0) return VC_EXPORT_CSV;
    if (name && (strcmp(name, "json") == 0 || strcmp(name, "jsonl") == 0)) return VC_EXPORT_JSON;
    return -1;
}

/* ---- rows ------------------------------------------------------------------------------- */

enum { C_INT, C_F32, C_F64, C_STR };

struct cell {
    const char *name;
    int         type;
    int64_t     i;
    double      d;
    const char *s;
};

struct writer {
    FILE   *out;
    int     format, header_done;
    json_t *obj;
};

static void csv_str(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' ')) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* One row: a CSV line (after the header, once) or one JSON object per line. Floats are
 * written with enough digits to read back exactly (9 for float32, 17 for float64). */
static int put_row(struct writer *w, const struct cell *c, int n)
{
    if (w->format == VC_EXPORT_CSV) {
        for (int i = 0; !w->header_done && i < n; i++) {
            csv_str(w->out, c[i].name);
            fputc(i + 1 < n ? ',' : '\n', w->out);
        }
        w->header_done = 1;
        for (int i = 0; i < n; i++) {
            switch (c[i].type) {
            case C_INT: fprintf(w->out, "%lld", (long long)c[i].i); break;
            case C_F32: fprintf(w->out, "%.9g", c[i].d); break;
            case C_F64: fprintf(w->out, "%.17g", c[i].d); break;
            default: csv_str(w->out, c[i].s); break;
            }
            fputc(i + 1 < n ? ',' : '\n', w->out);
        }
        return ferror(w->out) ? vc_error(VC_ERR_IO, "cannot write the export") : VC_OK;
    }
    json_t *o = json_object();
    int bad = !o;
    for (int i = 0; !bad && i < n; i++) {
        json_t *v = c[i].type == C_INT ? json_integer(c[i].i) : c[i].type == C_STR ? json_string(c[i].s) : json_real(c[i].d);
        bad = !v || json_object_set_new(o, c[i].name, v) != 0;
    }
    char *line = bad ? NULL : json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!line) return vc_error(VC_ERR_NOMEM, "cannot encode a JSON row");
    fprintf(w->out, "%s\n", line);
    free(line);
    return ferror(w->out) ? vc_error(VC_ERR_IO, "cannot write the export") : VC_OK;
}

static struct cell ci(const char *name, int64_t v) { return (struct cell){ name, C_INT, v, 0, NULL }; }
static struct cell cf(const char *name, float v) { return (struct cell){ name, C_F32, 0, v, NULL }; }
static struct cell cd(const char *name, double v) { return (struct cell){ name, C_F64, 0, v, NULL }; }
static struct cell cs(const char *name, const char *v) { return (struct cell){ name, C_STR, 0, 0, v }; }

static const char *label_name(const struct vc_results_info *info, int label)
{
    return label >= 0 && label < info->n_classes ? info->class_names[label] : "unknown";
}

/* ---- export ----------------------------------------------------------------------------- */

struct exporter {
    struct writer      w;
    const struct vc_results_info *info;
    struct vc_segment *seg;
    int64_t            seg_cap;
    struct cell       *cells;  /* frames: 7 + classes */
    char             (*pnames)[80];
};

static int export_video(struct exporter *e, int table, int64_t v, const struct vc_record *r, const char *path)
{
    const struct vc_results_info *info = e->info;
    int rc = VC_OK;
    if (table == VC_TABLE_VIDEOS) {
        struct cell c[] = { ci("video", v), cs("path", path), ci("status", r->status), cs("error", r->error),
                            ci("label", r->label), cs("label_name", label_name(info, r->label)),
                            cf("confidence", r->confidence), ci("n_frames", r->n), cd("fps", r->fps),
                            cd("duration", r->duration) };
        return put_row(&e->w, c, (int)(sizeof c / sizeof c[0]));
    }
    if (table == VC_TABLE_FRAMES) {
        for (int64_t k = 0; k < r->n && rc == VC_OK; k++) {
            struct cell *c = e->cells;
            c[0] = ci("video", v);
            c[1] = cs("path", path);
            c[2] = ci("frame", r->index[k]);
            c[3] = cd("time", r->time[k]);
            c[4] = ci("label", r->frame_label[k]);
            c[5] = cs("label_name", label_name(info, r->frame_label[k]));
            c[6] = cf("confidence", r->frame_confidence[k]);
            for (int j = 0; j < info->n_classes; j++) c[7 + j] = cf(e->pnames[j], r->probs[(size_t)k * info->n_classes + j]);
            rc = put_row(&e->w, c, 7 + info->n_classes);
        }
        return rc;
    }
    int64_t n = 0;
    rc = vc_segments_of(r, info->min_segment, &e->seg, &n, &e->seg_cap);
    for (int64_t k = 0; k < n && rc == VC_OK; k++) {
        const struct vc_segment *s = &e->seg[k];
        struct cell c[] = { ci("video", v), cs("path", path), ci("label", s->label), cs("label_name", label_name(info, s->label)),
                            ci("start_frame", r->index[s->start]), ci("end_frame", r->index[s->end]),
                            cd("start_time", s->t0), cd("end_time", s->t1), cf("confidence", s->confidence) };
        rc = put_row(&e->w, c, (int)(sizeof c / sizeof c[0]));
    }
    return rc;
}

int vc_results_export(const char *path, int table, int format, FILE *out)
{
    if (table < 0 || table > VC_TABLE_SEGMENTS || (format != VC_EXPORT_CSV && format != VC_EXPORT_JSON))
        return vc_error(VC_ERR_INVALID_ARG, "export: unknown table or format");
    vc_h5in *in = NULL;
    int rc = vc_h5in_open(path, &in);
    if (rc != VC_OK) return rc;
    struct exporter e = { .w = { out, format, 0, NULL }, .info = vc_h5in_info(in) };
    const int C = e.info->n_classes;
    e.cells = malloc(sizeof *e.cells * (size_t)(7 + C));
    e.pnames = malloc(sizeof *e.pnames * (size_t)C);
    if (!e.cells || !e.pnames) rc = VC_NOMEM;
    for (int j = 0; rc == VC_OK && j < C; j++) snprintf(e.pnames[j], sizeof e.pnames[j], "p_%s", e.info->class_names[j]);
    struct vc_record r = { 0 };
    for (int64_t v = 0; rc == VC_OK && v < vc_h5in_videos(in); v++) {
        rc = vc_h5in_read(in, v, &r);
        char *p = rc == VC_OK ? vc_utf8_form(r.path) : NULL;
        if (rc == VC_OK && !p) rc = VC_NOMEM;
        if (rc == VC_OK) rc = export_video(&e, table, v, &r, p);
        free(p);
    }
    if (rc == VC_OK && fflush(out) != 0) rc = vc_error(VC_ERR_IO, "cannot write the export");
    vc_record_free(&r);
    free(e.seg);
    free(e.cells);
    free(e.pnames);
    vc_h5in_close(&in);
    return rc;
}

/* ---- summary ---------------------------------------------------------------------------- */

int vc_results_summary(const char *path, FILE *out, struct vc_results_counts *counts)
{
    vc_h5in *in = NULL;
    int rc = vc_h5in_open(path, &in);
    if (rc != VC_OK) return rc;
    const struct vc_results_info *info = vc_h5in_info(in);
    struct vc_results_counts n = { vc_h5in_videos(in), 0, 0, 0 };
    int64_t *per = calloc((size_t)info->n_classes + 1, sizeof(int64_t)); /* [C]: unknown */
    int64_t *failed = malloc(sizeof(int64_t) * (size_t)(n.videos + 1));   /* their rows, for the list at the end */
    struct vc_record r = { 0 };
    struct vc_segment *seg = NULL;
    int64_t cap = 0, ns = 0;
    if (!per || !failed) rc = VC_NOMEM;
    fprintf(out, "%-6s %-6s %-20s %10s %8s %10s %8s  %s\n", "video", "status", "label", "confidence", "frames", "duration",
            "segments", "path");
    for (int64_t v = 0; rc == VC_OK && v < n.videos; v++) {
        rc = vc_h5in_read(in, v, &r);
        if (rc == VC_OK) rc = vc_segments_of(&r, info->min_segment, &seg, &ns, &cap);
        char *p = rc == VC_OK ? vc_utf8_form(r.path) : NULL;
        if (rc == VC_OK && !p) rc = VC_NOMEM;
        if (rc != VC_OK) break;
        if (r.status != 0) failed[n.failed++] = v;
        n.frames += r.n;
        n.segments += ns;
        if (r.status == 0) per[r.label >= 0 && r.label < info->n_classes ? r.label : info->n_classes]++;
        fprintf(out, "%-6lld %-6s %-20s %10.3f %8lld %9.1fs %8lld  %s\n", (long long)v, r.status ? "FAILED" : "ok",
                r.status ? "-" : label_name(info, r.label), r.confidence, (long long)r.n, r.duration, (long long)ns, p);
        free(p);
    }
    if (rc == VC_OK) {
        fprintf(out, "\n%s: %lld videos (%lld failed), %lld frames, %lld segments; window %d, %s smoothing, frame stride %d, %s products\n",
                path, (long long)n.videos, (long long)n.failed, (long long)n.frames, (long long)n.segments, info->window,
                vc_smoothing_name(info->smoothing), info->frame_stride, vc_precision_name((enum vc_precision)info->precision));
        for (int k = 0; k <= info->n_classes; k++)
            if (k < info->n_classes || per[k]) fprintf(out, "  %-24s %lld videos\n", label_name(info, k < info->n_classes ? k : -1), (long long)per[k]);
    }
    if (rc == VC_OK && n.failed) fprintf(out, "failed:\n");
    for (int64_t k = 0; rc == VC_OK && k < n.failed; k++) { /* the failures, with their reasons */
        if ((rc = vc_h5in_read(in, failed[k], &r)) != VC_OK) break;
        char *p = vc_utf8_form(r.path);
        fprintf(out, "  %s: %s\n", p ? p : "?", r.error);
        free(p);
    }
    if (counts) *counts = n;
    vc_record_free(&r);
    free(seg);
    free(per);
    free(failed);
    vc_h5in_close(&in);
    return rc;
}

/* ---- merge ------------------------------------------------------------------------------ */

struct merge {
    struct vc_pathset seen;
    int               dedupe, dup;
    char              dup_path[512];
};

static int merge_skip(const char *path, void *user)
{
    struct merge *m = user;
    if (vc_pathset_find(&m->seen, path) < 0) {
        if (vc_pathset_add(&m->seen, path, 1) != VC_OK) m->dup = -1;
        return m->dup != 0;
    }
    if (!m->dedupe && !m->dup) {
        m->dup = 1;
        snprintf(m->dup_path, sizeof m->dup_path, "%s", path);
    }
    return 1;
}

static int same_settings(const struct vc_results_info *a, const struct vc_results_info *b, const char *pa, const char *pb)
{
    int same = a->n_classes == b->n_classes && strcmp(a->model_sha, b->model_sha) == 0 && a->window == b->window &&
               a->frame_stride == b->frame_stride && a->smoothing == b->smoothing &&
               a->min_confidence == b->min_confidence && a->min_segment == b->min_segment &&
               a->precision == b->precision;
    for (int i = 0; same && i < a->n_classes; i++) same = strcmp(a->class_names[i], b->class_names[i]) == 0;
    return same ? VC_OK : vc_error(VC_ERR_MISMATCH, "'%s' and '%s' were made with another model or other settings "
                                   "(classes, window, frame stride, smoothing, thresholds, precision): they cannot be merged", pa, pb);
}

static int is_results(const char *path) { return vc_h5_file_attr_is(path, "format", "vidclass-results"); }

int vc_results_merge(const char *const *inputs, int n_inputs, const char *output, int dedupe, int force,
                     int64_t *n_videos)
{
    if (n_inputs < 1) return vc_error(VC_ERR_INVALID_ARG, "merge: no input files");
    int rc = vc_output_check(output, "--output", inputs, n_inputs, force, is_results);
    vc_h5in *first = NULL;
    if (rc == VC_OK) rc = vc_h5in_open(inputs[0], &first);
    int64_t bytes = 1 << 20;
    for (int i = 1; rc == VC_OK && i < n_inputs; i++) {
        vc_h5in *in = NULL;
        rc = vc_h5in_open(inputs[i], &in);
        if (rc == VC_OK) rc = same_settings(vc_h5in_info(first), vc_h5in_info(in), inputs[0], inputs[i]);
        vc_h5in_close(&in);
    }
    for (int i = 0; rc == VC_OK && i < n_inputs; i++) {
        struct stat st;
        if (stat(inputs[i], &st) == 0) bytes += 2 * (int64_t)st.st_size;
    }
    char tmp[PATH_MAX + 64] = "";
    vc_h5out *o = NULL;
    struct merge m = { .dedupe = dedupe };
    if (rc == VC_OK) rc = vc_tmp_create(output, tmp, sizeof tmp);
    if (rc == VC_OK) rc = vc_h5out_create(tmp, vc_h5in_info(first), &o);
    if (rc == VC_OK) rc = vc_h5out_reserve(o, bytes);
    for (int i = 0; rc == VC_OK && i < n_inputs; i++) {
        rc = vc_h5out_copy(o, inputs[i], merge_skip, &m);
        if (rc == VC_OK && m.dup < 0) rc = VC_NOMEM;
        if (rc == VC_OK && m.dup > 0)
            rc = vc_error(VC_ERR_MISMATCH, "'%s' is in more than one input (again in '%s'): pass --dedupe to keep the first",
                          m.dup_path, inputs[i]);
    }
    if (n_videos) *n_videos = (int64_t)m.seen.n;
    int crc = vc_h5out_close(&o, rc != VC_OK);
    if (rc == VC_OK) rc = crc;
    if (rc == VC_OK) rc = vc_tmp_commit(tmp, output);
    if (rc != VC_OK) vc_tmp_discard(tmp);
    vc_pathset_free(&m.seen);
    vc_h5in_close(&first);
    return rc;
}
