/* dataset.c - class-folder scanning, (de)serialization for broadcast, stratified split. */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/dataset.h"
#include "vidclass/log.h"
#include "vidclass/rng.h"
#include "vidclass/status.h"
#include "fsutil.h"
#include "pathset.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct vc_dataset {
    char    *root;
    char   **classes;
    int      n_classes;
    char   **paths;   /* relative to root */
    int32_t *labels;
    int64_t  n, cap;
    int64_t  scan_skipped;
    struct vc_pathset seen; /* (device, inode) of every folder and file taken: links cannot loop */
};


static int looks_like_image_name(const char *name)
{
    static const char *ext[] = { ".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp" };
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcasecmp(name + n - e, ext[i]) == 0)
            return 1;
    }
    return 0;
}

static int push_file(vc_dataset *ds, const char *rel, int label)
{
    if (ds->n == ds->cap) {
        int64_t cap = ds->cap ? 2 * ds->cap : 1024;
        char **p = realloc(ds->paths, sizeof(char *) * (size_t)cap);
        if (!p) return VC_NOMEM;
        ds->paths = p;
        int32_t *l = realloc(ds->labels, sizeof(int32_t) * (size_t)cap);
        if (!l) return VC_NOMEM;
        ds->labels = l;
        ds->cap = cap;
    }
    ds->paths[ds->n] = strdup(rel);
    if (!ds->paths[ds->n]) return VC_NOMEM;
    ds->labels[ds->n++] = label;
    return VC_OK;
}

/* Recursively add the files under root/rel with `label`. */
static int scan_dir(vc_dataset *ds, const char *rel, int label)
{
    char full[8192];
    snprintf(full, sizeof full, "%s/%s", ds->root, rel);
    char **names;
    int n, rc = vc_list_dir(full, &names, &n);
    for (int i = 0; i < n && rc == VC_OK; i++) {
        char crel[4096];
        if (snprintf(crel, sizeof crel, "%s/%s", rel, names[i]) >= (int)sizeof crel ||
            snprintf(full, sizeof full, "%s/%s", ds->root, crel) >= (int)sizeof full) {
            VC_LOG_WARN("skipped '%s/%s/%s': path too long", ds->root, rel, names[i]);
            ds->scan_skipped++;
            continue;
        }
        struct stat st;
        int first = 1;
        if (stat(full, &st) == 0 && (first = vc_first_visit(&ds->seen, &st)) < 0) rc = first;
        if (rc != VC_OK) break;
        if (!first) { /* a link to a folder or file already taken (a loop, or a second name) */
            VC_LOG_WARN("skipped '%s': already taken under another name", full);
            ds->scan_skipped++;
        } else if (stat(full, &st) != 0) {
            /* a dangling link or a race: keep it, decoding reports the reason */
            rc = push_file(ds, crel, label);
        } else if (S_ISDIR(st.st_mode)) {
            if (looks_like_image_name(names[i])) {
                VC_LOG_WARN("skipped '%s': is a directory", full);
                ds->scan_skipped++;
            } else {
                rc = scan_dir(ds, crel, label);
            }
        } else {
            rc = push_file(ds, crel, label);
        }
    }
    vc_names_free(names, n);
    return rc;
}

int vc_dataset_scan(const char *root, const char *const *classes, int n_classes,
                    vc_dataset **out)
{
    *out = NULL;
    struct stat st;
    if (stat(root, &st) != 0)
        return vc_error(VC_ERR_IO, "input directory '%s': %s", root, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return vc_error(VC_ERR_IO, "input '%s' is not a directory", root);
    vc_dataset *ds = calloc(1, sizeof *ds);
    if (!ds || !(ds->root = strdup(root))) {
        free(ds);
        return VC_NOMEM;
    }
    size_t rl = strlen(ds->root);
    while (rl > 1 && ds->root[rl - 1] == '/')
        ds->root[--rl] = '\0';
    char **names = NULL;
    int n = 0;
    int rc = vc_list_dir(ds->root, &names, &n);
    /* class folders: the sub-directories */
    int n_dirs = 0;
    for (int i = 0; i < n && rc == VC_OK; i++) {
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", ds->root, names[i]);
        if (stat(full, &st) == 0 && S_ISDIR(st.st_mode) && names[i][0] != '.')
            names[n_dirs++] = names[i];
        else
            free(names[i]);
    }
    if (rc == VC_OK && classes && n_classes > 0) {
        for (int i = 0; i < n_classes && rc == VC_OK; i++) {
            int found = 0;
            for (int j = 0; j < n_dirs; j++)
                found |= strcmp(names[j], classes[i]) == 0;
            if (!found) {
                char avail[1024] = "";
                for (int j = 0; j < n_dirs && strlen(avail) < 900; j++)
                    snprintf(avail + strlen(avail), sizeof avail - strlen(avail), "%s%s", j ? ", " : "", names[j]);
                rc = vc_error(VC_ERR_INVALID_ARG, "class '%s' is not a sub-folder of '%s' (found: %s)",
                              classes[i], root, n_dirs ? avail : "none");
            }
        }
        if (rc == VC_OK) {
            ds->classes = calloc((size_t)n_classes, sizeof(char *));
            for (int i = 0; ds->classes && i < n_classes; i++)
                ds->classes[ds->n_classes++] = strdup(classes[i]);
            qsort(ds->classes, (size_t)ds->n_classes, sizeof(char *), vc_cmp_str);
            for (int i = 1; i < ds->n_classes && rc == VC_OK; i++)
                if (strcmp(ds->classes[i], ds->classes[i - 1]) == 0)
                    rc = vc_error(VC_ERR_INVALID_ARG, "class '%s' is listed twice", ds->classes[i]);
        }
    } else if (rc == VC_OK) {
        ds->classes = calloc((size_t)(n_dirs ? n_dirs : 1), sizeof(char *));
        for (int j = 0; ds->classes && j < n_dirs; j++)
            ds->classes[ds->n_classes++] = strdup(names[j]);
    }
    vc_names_free(names, n_dirs);
    if (rc == VC_OK && ds->n_classes == 0)
        rc = vc_error(VC_ERR_INVALID_ARG, "input directory '%s' has no class sub-folders", root);
    /* the root and every class folder are taken first: a link from one class into another,
     * or back up to the root, is not followed */
    struct stat rst;
    if (rc == VC_OK && stat(ds->root, &rst) == 0 && vc_first_visit(&ds->seen, &rst) < 0) rc = VC_NOMEM;
    for (int c = 0; c < ds->n_classes && rc == VC_OK; c++) {
        char full[8192];
        struct stat cst;
        snprintf(full, sizeof full, "%s/%s", ds->root, ds->classes[c]);
        if (stat(full, &cst) == 0 && vc_first_visit(&ds->seen, &cst) < 0) rc = VC_NOMEM;
    }
    for (int c = 0; c < ds->n_classes && rc == VC_OK; c++)
        rc = scan_dir(ds, ds->classes[c], c);
    if (rc != VC_OK) {
        vc_dataset_free(&ds);
        return rc;
    }
    *out = ds;
    return VC_OK;
}

void vc_dataset_free(vc_dataset **dsp)
{
    if (!dsp || !*dsp)
        return;
    vc_dataset *ds = *dsp;
    for (int64_t i = 0; i < ds->n; i++)
        free(ds->paths[i]);
    for (int c = 0; c < ds->n_classes; c++)
        free(ds->classes[c]);
    free(ds->paths);
    free(ds->labels);
    free(ds->classes);
    free(ds->root);
    vc_pathset_free(&ds->seen);
    free(ds);
    *dsp = NULL;
}

int64_t vc_dataset_count(const vc_dataset *ds) { return ds->n; }
int vc_dataset_class_count(const vc_dataset *ds) { return ds->n_classes; }
const char *vc_dataset_class_name(const vc_dataset *ds, int label) { return ds->classes[label]; }
const char *vc_dataset_root(const vc_dataset *ds) { return ds->root; }
const char *vc_dataset_path(const vc_dataset *ds, int64_t i) { return ds->paths[i]; }
int vc_dataset_label(const vc_dataset *ds, int64_t i) { return ds->labels[i]; }
int64_t vc_dataset_scan_skipped(const vc_dataset *ds) { return ds->scan_skipped; }

/* Buffer: "root\0" n_classes x "name\0" then n x ("label as text\0path\0"), preceded by
 * "n_classes n scan_skipped\0". Text keeps it endian-free and simple. */
int vc_dataset_serialize(const vc_dataset *ds, char **buf, int64_t *len)
{
    size_t total = 64 + strlen(ds->root) + 1;
    for (int c = 0; c < ds->n_classes; c++)
        total += strlen(ds->classes[c]) + 1;
    for (int64_t i = 0; i < ds->n; i++)
        total += strlen(ds->paths[i]) + 1 + 12;
    char *b = malloc(total), *p = b;
    if (!b)
        return VC_NOMEM;
    p += sprintf(p, "%d %lld %lld", ds->n_classes, (long long)ds->n, (long long)ds->scan_skipped) + 1;
    p += sprintf(p, "%s", ds->root) + 1;
    for (int c = 0; c < ds->n_classes; c++)
        p += sprintf(p, "%s", ds->classes[c]) + 1;
    for (int64_t i = 0; i < ds->n; i++) {
        p += sprintf(p, "%d", ds->labels[i]) + 1;
        p += sprintf(p, "%s", ds->paths[i]) + 1;
    }
    *buf = b;
    *len = p - b;
    return VC_OK;
}

int vc_dataset_deserialize(const char *buf, int64_t len, vc_dataset **out)
{
    *out = NULL;
    const char *p = buf, *end = buf + len;
    int nc;
    long long n, sk;
    if (sscanf(p, "%d %lld %lld", &nc, &n, &sk) != 3 || nc < 0 || n < 0)
        return vc_error(VC_ERR_FORMAT, "%s: bad header", __func__);
    vc_dataset *ds = calloc(1, sizeof *ds);
    if (!ds) return VC_NOMEM;
    ds->scan_skipped = sk;
    int rc = VC_OK;
    p += strlen(p) + 1;
    ds->root = strdup(p);
    p += strlen(p) + 1;
    ds->classes = calloc((size_t)(nc ? nc : 1), sizeof(char *));
    if (!ds->root || !ds->classes) rc = VC_NOMEM;
    for (int c = 0; c < nc && rc == VC_OK && p < end; c++) {
        ds->classes[ds->n_classes++] = strdup(p);
        p += strlen(p) + 1;
    }
    for (long long i = 0; i < n && rc == VC_OK && p < end; i++) {
        int label = atoi(p);
        p += strlen(p) + 1;
        rc = push_file(ds, p, label);
        p += strlen(p) + 1;
    }
    if (rc == VC_OK && (ds->n != n || ds->n_classes != nc))
        rc = vc_error(VC_ERR_FORMAT, "%s: truncated buffer", __func__);
    if (rc != VC_OK) {
        vc_dataset_free(&ds);
        return rc;
    }
    *out = ds;
    return VC_OK;
}

int vc_split_stratified(const int32_t *labels, const uint8_t *include, int64_t n,
                        int n_classes, double test_fraction, uint64_t seed, uint8_t *split)
{
    if (test_fraction < 0.0 || test_fraction >= 1.0)
        return vc_error(VC_ERR_INVALID_ARG, "test fraction must be in [0, 1), got %g", test_fraction);
    int64_t *idx = malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!idx)
        return VC_NOMEM;
    memset(split, 0, (size_t)n);
    for (int c = 0; c < n_classes; c++) {
        int64_t m = 0;
        for (int64_t i = 0; i < n; i++)
            if (labels[i] == c && (!include || include[i]))
                idx[m++] = i;
        struct vc_rng r;
        vc_rng_seed(&r, seed, (uint64_t)c, 0x53504C4954ull /* "SPLIT" */);
        for (int64_t i = m - 1; i > 0; i--) { /* Fisher-Yates */
            int64_t j = (int64_t)(vc_rng_next(&r) % (uint64_t)(i + 1));
            int64_t t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        int64_t n_test = (int64_t)((double)m * test_fraction + 0.5);
        for (int64_t i = 0; i < n_test; i++)
            split[idx[i]] = 1;
    }
    free(idx);
    return VC_OK;
}
