/* inputs.c - the list of videos of a vidclass-batch run (see inputs.h). */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "inputs.h"
#include "annotate.h"
#include "fsutil.h"
#include "mpiutil.h"
#include "pathset.h"
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

#define MAX_MANIFEST_BYTES (1 << 30)

static int inputs_add(struct vc_inputs *l, const char *path, const char *name, int64_t size)
{
    if (l->n == l->cap) {
        int64_t cap = l->cap ? 2 * l->cap : 256;
        char **p = realloc(l->paths, sizeof(char *) * (size_t)cap);
        if (p) l->paths = p;
        char **nm = p ? realloc(l->names, sizeof(char *) * (size_t)cap) : NULL;
        if (nm) l->names = nm;
        int64_t *s = nm ? realloc(l->sizes, sizeof(int64_t) * (size_t)cap) : NULL;
        if (!s) return VC_NOMEM;
        l->sizes = s;
        l->cap = cap;
    }
    if (!(l->paths[l->n] = strdup(path))) return VC_NOMEM;
    if (!(l->names[l->n] = strdup(name))) { free(l->paths[l->n]); return VC_NOMEM; }
    l->sizes[l->n++] = size;
    return VC_OK;
}

void vc_inputs_free(struct vc_inputs *l)
{
    for (int64_t i = 0; i < l->n; i++) {
        free(l->paths[i]);
        free(l->names[i]);
    }
    free(l->paths);
    free(l->names);
    free(l->sizes);
    memset(l, 0, sizeof *l);
}

/* A named file's output name: its file name (a clash with another input's gets "~2"). */
static const char *direct_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
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
    const char *path, *name;
    int64_t     size, index;
};

/* A scan's state: the folders already walked (by device and inode: a link back into a
 * folder, or a second name for it, is walked once). */
struct scan {
    const struct vc_inputs_spec *p;
    struct vc_inputs            *l;
    struct vc_pathset            dirs;
    struct stat                  exclude; /* the folder of labelled copies (st_ino 0: none) */
};

/* Labelled copies vidclass wrote ("<name>.labelled.mp4" with its mark) are outputs, never
 * inputs: a scan that meets one (--annotate-dir inside the input tree) passes it by. */
static int is_labelled_copy(const char *path)
{
    static const char suffix[] = ".labelled.mp4";
    size_t n = strlen(path), k = sizeof suffix - 1;
    return n > k && strcmp(path + n - k, suffix) == 0 && vc_annotated_file(path);
}

static int scan_dir(struct scan *sc, const char *dir, size_t root_len)
{
    char **names = NULL;
    int n = 0, rc = vc_list_dir(dir, &names, &n);
    for (int i = 0; i < n && rc == VC_OK; i++) {
        if (names[i][0] == '.') continue; /* hidden files and folders */
        char full[PATH_MAX];
        if (snprintf(full, sizeof full, "%s/%s", dir, names[i]) >= (int)sizeof full) {
            VC_LOG_WARN("skipped '%s/%s': path too long", dir, names[i]);
            continue;
        }
        struct stat st;
        if (stat(full, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (st.st_ino == sc->exclude.st_ino && st.st_dev == sc->exclude.st_dev) continue;
            int first = vc_first_visit(&sc->dirs, &st);
            if (first < 0) rc = first;
            else if (first) rc = scan_dir(sc, full, root_len);
        } else if (has_ext(names[i], sc->p) && !is_labelled_copy(full)) {
            rc = inputs_add(sc->l, full, full + root_len + 1, (int64_t)st.st_size);
        }
    }
    vc_names_free(names, n);
    return rc;
}

/* One named input: a folder (scanned), a file, or a quoted glob pattern. A name that is
 * none of these is a usage error, not a failed video. */
static int add_named(struct scan *sc, const char *in, const char *where)
{
    struct stat st;
    if (stat(in, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return inputs_add(sc->l, in, direct_name(in), (int64_t)st.st_size);
        int first = vc_first_visit(&sc->dirs, &st);
        return first < 0 ? first : first ? scan_dir(sc, in, strlen(in)) : VC_OK;
    }
    if (!strpbrk(in, "*?[")) return vc_error(VC_ERR_INVALID_ARG, "input '%s'%s: %s", in, where, strerror(errno));
    glob_t g; /* a glob (quoted from the shell, or in YAML) */
    int gr = glob(in, 0, NULL, &g), rc = VC_OK;
    if (gr == GLOB_NOMATCH) return vc_error(VC_ERR_INVALID_ARG, "input pattern '%s'%s matches no file", in, where);
    if (gr != 0) return vc_error(VC_ERR_IO, "cannot expand input pattern '%s'", in);
    for (size_t k = 0; k < g.gl_pathc && rc == VC_OK; k++) rc = add_named(sc, g.gl_pathv[k], where);
    globfree(&g);
    return rc;
}

/* The manifest: one path a line, # comments; a regular file of bounded size and lines. */
static int read_manifest(struct scan *sc, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return vc_error(VC_ERR_INVALID_ARG, "manifest '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_MANIFEST_BYTES) {
        fclose(f);
        return vc_error(VC_ERR_INVALID_ARG, "manifest '%s': not a regular file of at most %d MiB", path, MAX_MANIFEST_BYTES >> 20);
    }
    char line[PATH_MAX + 2], where[PATH_MAX + 64];
    int rc = VC_OK;
    for (long no = 1; rc == VC_OK && fgets(line, sizeof line, f); no++) {
        size_t len = strcspn(line, "\r\n");
        if (len == strlen(line) && !feof(f)) {
            rc = vc_error(VC_ERR_INVALID_ARG, "manifest '%s' line %ld: longer than %d bytes", path, no, PATH_MAX);
            break;
        }
        line[len] = '\0';
        char *s = line;
        while (*s == ' ' || *s == '\t') s++;
        if (!*s || *s == '#') continue;
        snprintf(where, sizeof where, " (manifest '%s' line %ld)", path, no);
        rc = add_named(sc, s, where);
    }
    fclose(f);
    return rc;
}

static int cmp_entry_path(const void *a, const void *b)
{
    return strcmp(((const struct ventry *)a)->path, ((const struct ventry *)b)->path);
}

/* Sort by path (sizes travel along); a file named twice (two paths, links, a folder and a
 * manifest line) is kept once, under its first name in that order. */
static int sort_unique(struct vc_inputs *l)
{
    struct ventry *order = malloc(sizeof *order * (size_t)(l->n ? l->n : 1));
    if (!order) return VC_NOMEM;
    for (int64_t i = 0; i < l->n; i++) order[i] = (struct ventry){ l->paths[i], l->names[i], l->sizes[i], i };
    qsort(order, (size_t)l->n, sizeof *order, cmp_entry_path);
    struct vc_inputs s = { 0 };
    struct vc_pathset files = { 0 }, names = { 0 };
    int rc = VC_OK;
    for (int64_t i = 0; i < l->n && rc == VC_OK; i++) {
        struct stat st;
        int first = stat(order[i].path, &st) == 0 ? vc_first_visit(&files, &st) : 1;
        if (first < 0 || !first || (i > 0 && strcmp(order[i].path, order[i - 1].path) == 0)) {
            rc = first < 0 ? first : VC_OK;
            continue;
        }
        char name[PATH_MAX + 16]; /* output names never collide: a second "x.mp4" becomes "x.mp4~2" */
        snprintf(name, sizeof name, "%s", order[i].name);
        for (int k = 2; vc_pathset_find(&names, name) >= 0; k++) snprintf(name, sizeof name, "%s~%d", order[i].name, k);
        rc = vc_pathset_add(&names, name, 1);
        if (rc == VC_OK) rc = inputs_add(&s, order[i].path, name, order[i].size);
    }
    free(order);
    vc_pathset_free(&files);
    vc_pathset_free(&names);
    vc_inputs_free(l);
    *l = s;
    return rc;
}

/* Rank 0: inputs (files, directories, globs) + manifest lines, each file once. */
int vc_inputs_list(const struct vc_inputs_spec *p, struct vc_inputs *l)
{
    struct scan sc = { p, l, { 0 }, { 0 } };
    int rc = VC_OK;
    /* the folder of labelled copies is not scanned when met inside an input folder (when it
     * is a named input folder itself, its labelled copies are passed by one by one) */
    if (p->exclude_dir && stat(p->exclude_dir, &sc.exclude) != 0) memset(&sc.exclude, 0, sizeof sc.exclude);
    for (int i = 0; i < p->n_inputs && rc == VC_OK; i++) rc = add_named(&sc, p->inputs[i], "");
    if (rc == VC_OK && p->manifest) rc = read_manifest(&sc, p->manifest);
    vc_pathset_free(&sc.dirs);
    if (rc == VC_OK) rc = sort_unique(l);
    if (rc == VC_OK && l->n == 0)
        rc = vc_error(VC_ERR_INVALID_ARG, "no input videos found (extensions looked for: %s)",
                      p->n_extensions ? "--extensions" : "mp4, m4v, mov, avi, mkv, webm, mpg, mpeg, wmv, flv, ts, 3gp");
    return rc;
}

static int cmp_size_desc(const void *a, const void *b)
{
    const int64_t *x = a, *y = b; /* (size, index) pairs */
    if (x[0] != y[0]) return x[0] > y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1]; /* ties in path order */
}

int vc_inputs_shard(struct vc_inputs *l, int index, int count)
{
    if (count < 1 || index < 0 || index >= count)
        return vc_error(VC_ERR_INVALID_ARG, "shard %d/%d: want I/N with 0 <= I < N", index, count);
    int64_t *order = malloc(sizeof(int64_t) * 2 * (size_t)(l->n ? l->n : 1)), *load = calloc((size_t)count, sizeof(int64_t));
    uint8_t *mine = calloc((size_t)(l->n ? l->n : 1), 1);
    if (!order || !load || !mine) {
        free(order);
        free(load);
        free(mine);
        return VC_NOMEM;
    }
    for (int64_t i = 0; i < l->n; i++) {
        order[2 * i] = l->sizes[i];
        order[2 * i + 1] = i;
    }
    qsort(order, (size_t)l->n, 2 * sizeof(int64_t), cmp_size_desc);
    for (int64_t k = 0; k < l->n; k++) {
        int best = 0;
        for (int s = 1; s < count; s++)
            if (load[s] < load[best]) best = s;
        load[best] += order[2 * k] + 1; /* + 1: empty files still spread */
        mine[order[2 * k + 1]] = best == index;
    }
    int64_t kept = 0;
    for (int64_t i = 0; i < l->n; i++) {
        if (mine[i]) {
            l->paths[kept] = l->paths[i];
            l->names[kept] = l->names[i];
            l->sizes[kept++] = l->sizes[i];
        } else {
            free(l->paths[i]);
            free(l->names[i]);
        }
    }
    int64_t total = l->n;
    l->n = kept;
    free(order);
    free(load);
    free(mine);
    if (kept == 0)
        return vc_error(VC_ERR_INVALID_ARG, "shard %d/%d of %lld videos is empty: use fewer shards", index, count,
                        (long long)total);
    return VC_OK;
}

/* Broadcast the list (paths and sizes) from rank 0. */
int vc_inputs_share(MPI_Comm comm, struct vc_inputs *l)
{
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    long long len = 0;
    char *buf = NULL;
    if (rank == 0) {
        for (int64_t i = 0; i < l->n; i++) len += (long long)(strlen(l->paths[i]) + strlen(l->names[i])) + 2 + 24;
        buf = malloc((size_t)len + 1);
        if (!buf) return vc_mpi_agree(comm, VC_NOMEM);
        char *q = buf;
        for (int64_t i = 0; i < l->n; i++) {
            q += sprintf(q, "%lld %s", (long long)l->sizes[i], l->paths[i]) + 1;
            q += sprintf(q, "%s", l->names[i]) + 1;
        }
        len = q - buf;
    }
    int rc = vc_mpi_agree(comm, VC_OK);
    if (rc == VC_OK) rc = vc_mpi_agree(comm, vc_mpi_bcast_buf(comm, 0, &buf, &len));
    if (rc == VC_OK && rank != 0) {
        for (char *q = buf; q < buf + len && rc == VC_OK; q += strlen(q) + 1) {
            char *sp = strchr(q, ' '), *name = q + strlen(q) + 1;
            rc = sp && name < buf + len ? inputs_add(l, sp + 1, name, atoll(q)) : vc_error(VC_ERR_FORMAT, "bad input list");
            q = name;
        }
    }
    free(buf);
    return vc_mpi_agree(comm, rc);
}

