/* pathset.h - a set of strings with one byte of data each (open addressing, FNV-1a):
 * the done-set of a results file, duplicate detection of inputs (vidclass internal). */
#ifndef VIDCLASS_PATHSET_H
#define VIDCLASS_PATHSET_H

#include <stddef.h>
#include <stdint.h>

struct vc_pathset {
    char   **keys;
    uint8_t *val;
    size_t   cap, n;
};

/* The value stored with k, or -1 when k is absent. */
int vc_pathset_find(const struct vc_pathset *s, const char *k);

/* Add k (copied) with value v unless present (then the old value stays). VC_OK or
 * VC_ERR_NOMEM. */
int vc_pathset_add(struct vc_pathset *s, const char *k, uint8_t v);

void vc_pathset_free(struct vc_pathset *s);

#endif
