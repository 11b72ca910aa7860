/* record.c - one classified video and its one encoding (see vidclass/record.h). */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/record.h"
#include "vidclass/status.h"

#include <stdlib.h>
#include <string.h>

static int grow(void **p, size_t elem, int64_t cap)
{
    void *q = realloc(*p, elem * (size_t)(cap ? cap : 1));
    if (!q) return VC_NOMEM;
    *p = q;
    return VC_OK;
}

int vc_record_reserve(struct vc_record *r, int64_t n, int classes)
{
    if (n <= r->cap) return VC_OK;
    int64_t cap = r->cap ? r->cap : 1024;
    while (cap < n) cap *= 2;
    if (grow((void **)&r->index, sizeof *r->index, cap) != VC_OK || grow((void **)&r->time, sizeof *r->time, cap) != VC_OK ||
        grow((void **)&r->probs, sizeof *r->probs * (size_t)classes, cap) != VC_OK ||
        grow((void **)&r->frame_label, sizeof *r->frame_label, cap) != VC_OK ||
        grow((void **)&r->frame_confidence, sizeof *r->frame_confidence, cap) != VC_OK)
        return vc_error(VC_ERR_NOMEM, "out of memory for the results of %lld frames of '%s'", (long long)n,
                        r->path ? r->path : "?");
    r->cap = cap;
    return VC_OK;
}

static int set_str(char **dst, const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (!c) return vc_error(VC_ERR_NOMEM, "out of memory");
    memcpy(c, s, n);
    c[n] = '\0';
    free(*dst);
    *dst = c;
    return VC_OK;
}

int vc_record_start(struct vc_record *r, const char *path)
{
    r->status = 0;
    r->label = -1;
    r->confidence = 0.0f;
    r->fps = r->duration = 0.0;
    r->n = 0;
    int rc = set_str(&r->path, path, strlen(path));
    return rc == VC_OK ? set_str(&r->error, "", 0) : rc;
}

int vc_record_fail(struct vc_record *r, const char *message)
{
    r->status = 1;
    return set_str(&r->error, message, strlen(message));
}

void vc_record_free(struct vc_record *r)
{
    free(r->path);
    free(r->error);
    free(r->index);
    free(r->time);
    free(r->probs);
    free(r->frame_label);
    free(r->frame_confidence);
    memset(r, 0, sizeof *r);
}

/* Per-frame bytes: index, time, probs, label, confidence. */
static size_t frame_bytes(int classes) { return 8 + 8 + 4 * (size_t)classes + 4 + 4; }

size_t vc_record_encoded_size(const struct vc_record *r, int classes)
{
    return 4 + strlen(r->path) + 4 + 4 + strlen(r->error) + 4 + 4 + 8 + 8 + 8 + (size_t)r->n * frame_bytes(classes);
}

static uint8_t *put(uint8_t *p, const void *src, size_t n)
{
    if (n) memcpy(p, src, n);
    return p + n;
}

static uint8_t *put_str(uint8_t *p, const char *s)
{
    uint32_t n = (uint32_t)strlen(s);
    return put(put(p, &n, 4), s, n);
}

void vc_record_encode(const struct vc_record *r, int classes, uint8_t *buf)
{
    const size_t n = (size_t)r->n;
    uint8_t *p = put_str(buf, r->path);
    p = put(p, &r->status, 4);
    p = put_str(p, r->error);
    p = put(p, &r->label, 4);
    p = put(p, &r->confidence, 4);
    p = put(p, &r->fps, 8);
    p = put(p, &r->duration, 8);
    p = put(p, &r->n, 8);
    p = put(p, r->index, 8 * n);
    p = put(p, r->time, 8 * n);
    p = put(p, r->probs, 4 * n * (size_t)classes);
    p = put(p, r->frame_label, 4 * n);
    put(p, r->frame_confidence, 4 * n);
}

/* A reader over one payload: every get fails once the payload is exhausted. */
struct rd {
    const uint8_t *p;
    size_t         n, at;
    int            bad;
};

static void get(struct rd *d, void *dst, size_t n)
{
    if (n == 0) return; /* dst may be NULL then (a video with no frames) */
    if (d->bad || n > d->n - d->at) { d->bad = 1; return; }
    memcpy(dst, d->p + d->at, n);
    d->at += n;
}

static int get_str(struct rd *d, char **dst)
{
    uint32_t n = 0;
    get(d, &n, 4);
    if (d->bad || n > d->n - d->at) { d->bad = 1; return VC_ERR_FORMAT; }
    int rc = set_str(dst, (const char *)d->p + d->at, n);
    d->at += n;
    return rc;
}

int vc_record_decode(const uint8_t *buf, size_t len, int classes, struct vc_record *r)
{
    struct rd d = { buf, len, 0, 0 };
    int64_t n = 0;
    int rc = get_str(&d, &r->path);
    get(&d, &r->status, 4);
    if (rc == VC_OK) rc = get_str(&d, &r->error);
    get(&d, &r->label, 4);
    get(&d, &r->confidence, 4);
    get(&d, &r->fps, 8);
    get(&d, &r->duration, 8);
    get(&d, &n, 8);
    if (rc == VC_OK && (d.bad || n < 0 || (uint64_t)n > (d.n - d.at) / frame_bytes(classes) ||
                        (size_t)n * frame_bytes(classes) != d.n - d.at))
        rc = VC_ERR_FORMAT;
    if (rc == VC_OK) rc = vc_record_reserve(r, n, classes);
    if (rc != VC_OK) {
        r->n = 0;
        return rc == VC_ERR_NOMEM ? rc : vc_error(VC_ERR_FORMAT, "a result record of %zu bytes is damaged or of another format", len);
    }
    r->n = n;
    get(&d, r->index, 8 * (size_t)n);
    get(&d, r->time, 8 * (size_t)n);
    get(&d, r->probs, 4 * (size_t)n * (size_t)classes);
    get(&d, r->frame_label, 4 * (size_t)n);
    get(&d, r->frame_confidence, 4 * (size_t)n);
    return d.bad ? vc_error(VC_ERR_FORMAT, "a result record of %zu bytes is truncated", len) : VC_OK;
}
