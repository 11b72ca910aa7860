/* segments.c - run-length encoding of a video's smoothed labels, short runs merged
 * (see segments.h). */
#include "segments.h"
#include "vidclass/status.h"

#include <stdlib.h>

/* A min-heap of (length, run) pairs, ordered by length then run (the earlier run first
 * among equals); entries whose length is out of date are skipped. */
struct heap {
    double  *key;
    int64_t *run, n;
};

static int before(double ka, int64_t ra, double kb, int64_t rb) { return ka < kb || (ka == kb && ra < rb); }

static void heap_push(struct heap *h, double key, int64_t run)
{
    int64_t i = h->n++;
    for (; i > 0 && before(key, run, h->key[(i - 1) / 2], h->run[(i - 1) / 2]); i = (i - 1) / 2) {
        h->key[i] = h->key[(i - 1) / 2];
        h->run[i] = h->run[(i - 1) / 2];
    }
    h->key[i] = key;
    h->run[i] = run;
}

static int64_t heap_pop(struct heap *h, double *key)
{
    int64_t top = h->run[0];
    *key = h->key[0];
    double k = h->key[--h->n];
    int64_t r = h->run[h->n], i = 0;
    for (;;) {
        int64_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && before(h->key[c + 1], h->run[c + 1], h->key[c], h->run[c])) c++;
        if (!before(h->key[c], h->run[c], k, r)) break;
        h->key[i] = h->key[c];
        h->run[i] = h->run[c];
        i = c;
    }
    h->key[i] = k;
    h->run[i] = r;
    return top;
}

static double run_time_end(const struct vc_record *r, int64_t end)
{
    if (end + 1 < r->n) return r->time[end + 1];
    double last = r->time[end];
    if (r->duration > last) return r->duration;
    return r->fps > 0 ? last + 1.0 / r->fps : last;
}

/* Run a takes in run b, the one after it in the list. */
static void absorb(struct vc_segment *seg, int64_t *prev, int64_t *next, int64_t a, int64_t b)
{
    seg[a].end = seg[b].end;
    seg[a].t1 = seg[b].t1;
    seg[b].start = -1;
    next[a] = next[b];
    if (next[b] >= 0) prev[next[b]] = a;
}

/* Merge runs shorter than min_seconds (linked list over seg[], prev/next, -1 ends). */
static int merge_short(struct vc_segment *seg, int64_t n, double min_seconds, int64_t *prev, int64_t *next)
{
    struct heap h = { malloc(sizeof(double) * (size_t)(3 * n + 1)), malloc(sizeof(int64_t) * (size_t)(3 * n + 1)), 0 };
    if (!h.key || !h.run) {
        free(h.key);
        free(h.run);
        return VC_NOMEM;
    }
    for (int64_t i = 0; i < n; i++) heap_push(&h, seg[i].t1 - seg[i].t0, i);
    while (h.n > 0) {
        double len;
        int64_t i = heap_pop(&h, &len);
        if (seg[i].start < 0 || len != seg[i].t1 - seg[i].t0) continue; /* merged away, or grown since */
        if (len >= min_seconds) break;                                 /* the shortest is long enough */
        int64_t p = prev[i], q = next[i];
        if (p < 0 && q < 0) break;                                     /* a single run stays */
        int64_t into = q < 0 || (p >= 0 && seg[p].t1 - seg[p].t0 >= seg[q].t1 - seg[q].t0) ? p : q;
        /* i joins `into`; then a neighbour on i's far side with the same label joins too */
        int64_t a = into == p ? p : i, b = into == p ? i : q; /* a absorbs b (a before b) */
        seg[a].label = seg[into].label;
        absorb(seg, prev, next, a, b);
        int64_t far = into == p ? next[a] : prev[a];
        if (far >= 0 && seg[far].label == seg[a].label) {
            int64_t x = into == p ? a : far, y = into == p ? far : a;
            absorb(seg, prev, next, x, y);
            a = x;
        }
        heap_push(&h, seg[a].t1 - seg[a].t0, a);
    }
    free(h.key);
    free(h.run);
    return VC_OK;
}

int vc_segments_of(const struct vc_record *r, double min_seconds, struct vc_segment **segs, int64_t *n, int64_t *cap)
{
    *n = 0;
    int64_t runs = 0;
    for (int64_t i = 0; i < r->n; i++) runs += i == 0 || r->frame_label[i] != r->frame_label[i - 1];
    if (runs > *cap) {
        struct vc_segment *s = realloc(*segs, sizeof *s * (size_t)runs);
        if (!s) return VC_NOMEM;
        *segs = s;
        *cap = runs;
    }
    struct vc_segment *seg = *segs;
    for (int64_t i = 0, k = -1; i < r->n; i++) {
        if (i == 0 || r->frame_label[i] != r->frame_label[i - 1]) seg[++k] = (struct vc_segment){ r->frame_label[i], i, i, r->time[i], 0, 0 };
        seg[k].end = i;
    }
    for (int64_t k = 0; k < runs; k++) seg[k].t1 = run_time_end(r, seg[k].end);
    int rc = VC_OK;
    if (min_seconds > 0 && runs > 1) {
        int64_t *link = malloc(sizeof(int64_t) * 2 * (size_t)runs);
        if (!link) return VC_NOMEM;
        for (int64_t k = 0; k < runs; k++) {
            link[k] = k - 1;
            link[runs + k] = k + 1 < runs ? k + 1 : -1;
        }
        rc = merge_short(seg, runs, min_seconds, link, link + runs);
        free(link);
    }
    for (int64_t k = 0; rc == VC_OK && k < runs; k++) { /* compact, and the confidences */
        if (seg[k].start < 0) continue;
        double sum = 0;
        int64_t m = 0;
        for (int64_t i = seg[k].start; i <= seg[k].end; i++)
            if (r->frame_label[i] == seg[k].label) { sum += r->frame_confidence[i]; m++; }
        seg[k].confidence = m ? (float)(sum / (double)m) : 0.0f;
        seg[(*n)++] = seg[k];
    }
    return rc;
}
