/* inputs.c - the list of videos of a vidclass-batch run (see inputs.h). */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "inputs.h"
#include "fsutil.h"
#include "mpiutil.h"
#include "vidclass/log.h"
#include "vidclass/status.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int inputs_add(struct vc_inputs *l, const char *path, int64_t size)
{
    if (l->n == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 256;
        char **p = realloc(l->paths, sizeof(char *) * (size_t)cap);
        if (!p) return VC_NOMEM;
        l->paths = p;
        int64_t *s = realloc(l->sizes, sizeof(int64_t) * (size_t)cap);
        if (!s) return VC_NOMEM;
        l->sizes = s;
        l->cap = cap;
    }
    if (!(l->paths[l->n] = strdup(path))) return VC_NOMEM;
    l->sizes[l->n++] = size;
    return VC_OK;
}

void vc_inputs_free(struct vc_inputs *l)
{
    for (int64_t i = 0; i < l->n; i++) free(l->paths[i]);
    free(l->paths);
    free(l->sizes);
    memset(l, 0, sizeof *l);
}

static int has_ext(const char *name, const struct vc_inputs_spec *p)
{
    static const char *def[] = { "mp4", "m4v", "mov", "avi", "mkv", "webm", "mpg", "mpeg", "wmv", "flv", "ts", "3gp" };
    const char *dot = strrchr(name, '.');
    if (!dot) return 0;
    int n = p->n_extensions ? p->n_extensions : (int)(sizeof def / sizeof def[0]);
    for (int i = 0; i < n; i++)
        if (strcasecmp(dot + 1, p->n_extensions ? p->extensions[i] : def[i]) == 0) return 1;
    return 0;
}

/* A listed video, for sorting by path. */
struct ventry {
    const char *path;
    int64_t     size, index;
};

static int cmp_ventry_path(const void *a, const void *b)
{
    return strcmp(((const struct ventry *)a)->path, ((const struct ventry *)b)->path);
}

static int scan_dir(struct vc_inputs *l, const char *dir, const struct vc_inputs_spec *p)
{
    char **names = NULL;
    int n = 0, rc = vc_list_dir(dir, &names, &n);
    for (int i = 0; i < n && rc == VC_OK; i++) {
        if (names[i][0] == '.') continue; /* hidden files and folders */
        char full[PATH_MAX];
        snprintf(full, sizeof full, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(full, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) rc = scan_dir(l, full, p);
        else if (has_ext(names[i], p)) rc = inputs_add(l, full, (int64_t)st.st_size);
    }
    vc_names_free(names, n);
    return rc;
}

/* Rank 0: inputs (files, directories) + manifest lines, sorted and de-duplicated. */
int vc_inputs_list(const struct vc_inputs_spec *p, struct vc_inputs *l)
{
    int rc = VC_OK;
    for (int i = 0; i < p->n_inputs && rc == VC_OK; i++) {
        struct stat st;
        const char *in = p->inputs[i];
        if (stat(in, &st) != 0 && strpbrk(in, "*?[")) { /* a glob (quoted from the shell, or in YAML) */
            glob_t g;
            int gr = glob(in, 0, NULL, &g);
            if (gr == GLOB_NOMATCH)
                VC_LOG_WARN("input pattern '%s' matches no file", in);
            else if (gr != 0)
                rc = vc_error(VC_ERR_IO, "cannot expand input pattern '%s'", in);
            for (size_t k = 0; gr == 0 && k < g.gl_pathc && rc == VC_OK; k++) {
                if (stat(g.gl_pathv[k], &st) == 0 && S_ISDIR(st.st_mode)) rc = scan_dir(l, g.gl_pathv[k], p);
                else rc = inputs_add(l, g.gl_pathv[k], stat(g.gl_pathv[k], &st) == 0 ? (int64_t)st.st_size : 0);
            }
            if (gr == 0) globfree(&g);
            continue;
        }
        if (stat(in, &st) == 0 && S_ISDIR(st.st_mode)) rc = scan_dir(l, in, p);
        else rc = inputs_add(l, in, stat(in, &st) == 0 ? (int64_t)st.st_size : 0); /* missing: recorded as failed */
    }
    if (rc == VC_OK && p->manifest) {
        FILE *f = fopen(p->manifest, "r");
        if (!f) return vc_error(VC_ERR_IO, "manifest '%s': %s", p->manifest, strerror(errno));
        char line[PATH_MAX];
        while (rc == VC_OK && fgets(line, sizeof line, f)) {
            size_t len = strcspn(line, "\r\n");
            line[len] = '\0';
            char *s = line;
            while (*s == ' ' || *s == '\t') s++;
            if (!*s || *s == '#') continue;
            struct stat st;
            rc = inputs_add(l, s, stat(s, &st) == 0 ? (int64_t)st.st_size : 0);
        }
        fclose(f);
    }
    if (rc != VC_OK) return rc;
    /* sort by path (sizes travel along), drop duplicates */
    struct ventry *order = malloc(sizeof *order * (size_t)(l->n ? l->n : 1));
    if (!order) return VC_NOMEM;
    for (int64_t i = 0; i < l->n; i++) order[i] = (struct ventry){ l->paths[i], l->sizes[i], i };
    qsort(order, (size_t)l->n, sizeof *order, cmp_ventry_path);
    struct vc_inputs s = { 0 };
    for (int64_t i = 0; i < l->n && rc == VC_OK; i++)
        if (i == 0 || strcmp(order[i].path, order[i - 1].path) != 0)
            rc = inputs_add(&s, order[i].path, order[i].size);
    free(order);
    vc_inputs_free(l);
    *l = s;
    return rc;
}

/* Broadcast the list (paths and sizes) from rank 0. */
int vc_inputs_share(MPI_Comm comm, struct vc_inputs *l)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    long long len = 0;
    char *buf = NULL;
    if (rank == 0) {
        for (int64_t i = 0; i < l->n; i++) len += (long long)strlen(l->paths[i]) + 1 + 24;
        buf = malloc((size_t)len + 1);
        if (!buf) return vc_mpi_agree(comm, VC_NOMEM);
        char *q = buf;
        for (int64_t i = 0; i < l->n; i++) q += sprintf(q, "%lld %s", (long long)l->sizes[i], l->paths[i]) + 1;
        len = q - buf;
    }
    int rc = vc_mpi_agree(comm, VC_OK);
    if (rc == VC_OK) rc = vc_mpi_agree(comm, vc_mpi_bcast_buf(comm, 0, &buf, &len));
    if (rc == VC_OK && rank != 0) {
        for (char *q = buf; q < buf + len && rc == VC_OK; q += strlen(q) + 1) {
            char *sp = strchr(q, ' ');
            rc = sp ? inputs_add(l, sp + 1, atoll(q)) : VC_ERR_FORMAT;
        }
    }
    free(buf);
    return vc_mpi_agree(comm, rc);
}

