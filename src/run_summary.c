/* run_summary.c - --summary-json: a run's figures as JSON (jansson). See run_summary.h. */
#define _DEFAULT_SOURCE
#include "run_summary.h"
#include "vidclass/fileguard.h"
#include "vidclass/status.h"
#include "vidclass/summary.h"
#include "vidclass/version.h"
#include "fsutil.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>

#define MARK "vidclass_summary" /* the key that says vidclass wrote the file */

static int is_summary(const char *path)
{
    json_t *j = json_load_file(path, 0, NULL);
    int ours = j && json_is_object(j) && json_object_get(j, MARK) != NULL;
    json_decref(j);
    return ours;
}

int vc_summary_check(const char *path, const char *const *reads, int n_reads)
{
    int rc = vc_output_not_input(path, "--summary-json", reads, n_reads);
    return rc == VC_OK ? vc_output_check(path, "--summary-json", reads, n_reads, 0, is_summary) : rc;
}

/* {mark, tool, version} to start every summary */
static json_t *start(const char *tool)
{
    json_t *o = json_object();
    if (o && (json_object_set_new(o, MARK, json_integer(1)) | json_object_set_new(o, "tool", json_string(tool)) |
              json_object_set_new(o, "vidclass_version", json_string(vc_version())))) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static int dump(json_t *o, const char *path)
{
    if (!o) return vc_error(VC_ERR_NOMEM, "out of memory building the summary for '%s'", path);
    char tmp[PATH_MAX + 32];
    int rc = vc_tmp_create(path, tmp, sizeof tmp);
    if (rc == VC_OK && json_dump_file(o, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
        rc = vc_error(VC_ERR_IO, "cannot write the summary '%s'", tmp);
    if (rc == VC_OK) rc = vc_tmp_commit(tmp, path);
    if (rc != VC_OK) vc_tmp_discard(tmp);
    json_decref(o);
    return rc;
}

int vc_summary_write(const char *path, const char *tool, const struct vc_summary_item *items, int n_items)
{
    json_t *o = start(tool);
    for (int i = 0; o && i < n_items; i++) {
        json_t *v = items[i].is_int ? json_integer((json_int_t)items[i].value) : json_real(items[i].value);
        if (json_object_set_new(o, items[i].key, v) != 0) {
            json_decref(o);
            o = NULL;
        }
    }
    return dump(o, path);
}

static json_t *build(const struct vc_run_summary *s)
{
    json_t *o = start(s->tool), *classes = json_object(), *ranks = json_array();
    if (!o || !classes || !ranks) {
        json_decref(o);
        json_decref(classes);
        json_decref(ranks);
        return NULL;
    }
    int bad = json_object_set_new(o, "output", json_string(s->output ? s->output : "")) |
              json_object_set_new(o, "videos_listed", json_integer(s->listed)) |
              json_object_set_new(o, "videos_classified", json_integer(s->classified)) |
              json_object_set_new(o, "videos_failed", json_integer(s->failed)) |
              json_object_set_new(o, "videos_already_done", json_integer(s->resumed)) |
              json_object_set_new(o, "videos_failed_in_file", json_integer(s->failed_in_file)) |
              json_object_set_new(o, "frames", json_integer(s->frames)) |
              json_object_set_new(o, "seconds", json_real(s->seconds)) |
              json_object_set_new(o, "frames_per_second", json_real(s->seconds > 0 ? (double)s->frames / s->seconds : 0.0));
    if (s->precision) bad |= json_object_set_new(o, "precision", json_string(s->precision));
    if (s->product) bad |= json_object_set_new(o, "product", json_string(s->product));
    for (int k = 0; k < s->n_classes; k++) bad |= json_object_set_new(classes, s->class_names[k], json_integer(s->per_class[k]));
    for (int r = 0; r < s->n_ranks; r++) {
        const struct vc_run_rank *x = &s->ranks[r];
        double idle = s->seconds - x->busy_s; /* setup, waiting for work, the tail, the final write */
        bad |= json_array_append_new(ranks, json_pack("{s:i, s:I, s:f, s:f, s:f, s:f}", "rank", r, "frames",
                                                      (json_int_t)x->frames, "busy_s", x->busy_s, "idle_s",
                                                      idle > 0 ? idle : 0.0, "decode_s", x->decode_s,
                                                      "frames_per_second_busy",
                                                      x->busy_s > 0 ? (double)x->frames / x->busy_s : 0.0));
    }
    bad |= json_object_set_new(o, "videos_per_class", classes) | json_object_set_new(o, "ranks", ranks);
    if (s->dispatch) {
        const struct vc_run_dispatch *d = s->dispatch;
        int64_t msgs = d->msgs_in + d->msgs_out;
        bad |= json_object_set_new(
            o, "dispatch",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "requests", (json_int_t)d->requests,
                      "requests_deferred", (json_int_t)d->deferred, "results", (json_int_t)d->results, "messages",
                      (json_int_t)msgs, "bytes_in", (json_int_t)d->bytes_in, "bytes_out", (json_int_t)d->bytes_out,
                      "cpu_s", d->cpu_s, "wall_s", d->wall_s, "cpu_us_per_message",
                      msgs > 0 ? 1e6 * d->cpu_s / (double)msgs : 0.0, "wall_us_per_result",
                      d->results > 0 ? 1e6 * d->wall_s / (double)d->results : 0.0, "serving_s",
                      d->last > d->first ? d->last - d->first : 0.0));
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int vc_run_summary_write(const char *path, const struct vc_run_summary *s)
{
    return dump(build(s), path);
}
