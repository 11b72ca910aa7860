/* pathset.c - open-addressing string set (see pathset.h). */
#define _POSIX_C_SOURCE 200809L
#include "pathset.h"
#include "vidclass/status.h"

#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

/* Slot of k, or of the empty slot where it would go. cap is a power of two. */
static size_t slot_of(const struct vc_pathset *s, const char *k)
{
    size_t i = (size_t)fnv1a(k) & (s->cap - 1);
    while (s->keys[i] && strcmp(s->keys[i], k) != 0) i = (i + 1) & (s->cap - 1);
    return i;
}

int vc_pathset_find(const struct vc_pathset *s, const char *k)
{
    if (!s->cap) return -1;
    size_t i = slot_of(s, k);
    return s->keys[i] ? s->val[i] : -1;
}

int vc_pathset_add(struct vc_pathset *s, const char *k, uint8_t v)
{
    if (2 * (s->n + 1) > s->cap) {
        struct vc_pathset g = { .cap = s->cap ? 2 * s->cap : 1024 };
        g.keys = calloc(g.cap, sizeof *g.keys);
        g.val = calloc(g.cap, 1);
        if (!g.keys || !g.val) {
            free(g.keys);
            free(g.val);
            return vc_error(VC_ERR_NOMEM, "out of memory for a set of %zu paths", s->n + 1);
        }
        for (size_t i = 0; i < s->cap; i++)
            if (s->keys[i]) {
                size_t j = slot_of(&g, s->keys[i]);
                g.keys[j] = s->keys[i];
                g.val[j] = s->val[i];
            }
        g.n = s->n;
        free(s->keys);
        free(s->val);
        *s = g;
    }
    size_t i = slot_of(s, k);
    if (s->keys[i]) return VC_OK;
    if (!(s->keys[i] = strdup(k))) return vc_error(VC_ERR_NOMEM, "out of memory for a set of paths");
    s->val[i] = v;
    s->n++;
    return VC_OK;
}

void vc_pathset_free(struct vc_pathset *s)
{
    for (size_t i = 0; i < s->cap; i++) free(s->keys[i]);
    free(s->keys);
    free(s->val);
    memset(s, 0, sizeof *s);
}
