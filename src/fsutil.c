/* fsutil.c - sorted directory listing and atomic file replacement. */
#define _DEFAULT_SOURCE /* mkstemps */
#define _POSIX_C_SOURCE 200809L
#include "fsutil.h"
#include "vidclass/status.h"
#include "pathset.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vc_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the entries of `dir` (excluding . and ..). */
int vc_list_dir(const char *dir, char ***names, int *n)
{
    DIR *d = opendir(dir);
    *names = NULL;
    *n = 0;
    if (!d)
        return vc_error(VC_ERR_IO, "cannot read directory '%s': %s", dir, strerror(errno));
    int cap = 0, rc = VC_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            char **p = realloc(*names, sizeof(char *) * (size_t)cap);
            if (!p) { rc = VC_NOMEM; break; }
            *names = p;
        }
        if (!((*names)[*n] = strdup(e->d_name))) { rc = VC_NOMEM; break; }
        (*n)++;
    }
    closedir(d);
    if (*n > 1)
        qsort(*names, (size_t)*n, sizeof(char *), vc_cmp_str);
    return rc;
}

void vc_names_free(char **names, int n)
{
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}


int vc_make_parents(const char *path, size_t keep)
{
    char dir[PATH_MAX];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) return vc_error(VC_ERR_INVALID_ARG, "path too long: '%s'", path);
    for (char *s = dir + keep + 1; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST) return vc_error(VC_ERR_IO, "cannot create the folder '%s': %s", dir, strerror(errno));
        *s = '/';
    }
    return VC_OK;
}

int vc_fsync_dir_of(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    int fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return vc_error(VC_ERR_IO, "cannot open the folder of '%s': %s", path, strerror(errno));
    int rc = fsync(fd) == 0 || errno == EINVAL ? VC_OK : vc_error(VC_ERR_IO, "cannot sync the folder of '%s': %s", path, strerror(errno));
    close(fd);
    return rc;
}

int vc_tmp_create(const char *final, char *tmp, size_t len)
{
    char d[PATH_MAX], b[PATH_MAX];
    snprintf(d, sizeof d, "%s", final);
    snprintf(b, sizeof b, "%s", final);
    if ((size_t)snprintf(tmp, len, "%s/.%s.XXXXXX.tmp", dirname(d), basename(b)) >= len) {
        tmp[0] = '\0'; /* on every failure: nothing for vc_tmp_discard to remove */
        return vc_error(VC_ERR_INVALID_ARG, "path too long: '%s'", final);
    }
    int fd = mkstemps(tmp, 4);
    if (fd < 0) {
        tmp[0] = '\0'; /* the template may now name someone else's file */
        return vc_error(VC_ERR_IO, "cannot create a temporary file next to '%s': %s", final, strerror(errno));
    }
    mode_t mask = umask(0); /* mkstemps makes 0600; the output gets the mode of any new file */
    umask(mask);
    int rc = fchmod(fd, 0666 & ~mask) == 0 ? VC_OK : vc_error(VC_ERR_IO, "cannot set the mode of '%s': %s", tmp, strerror(errno));
    close(fd);
    if (rc != VC_OK) {
        unlink(tmp);
        tmp[0] = '\0';
    }
    return rc;
}

int vc_tmp_commit(const char *tmp, const char *final)
{
    int fd = open(tmp, O_RDONLY | O_NOFOLLOW);
    if (fd < 0) return vc_error(VC_ERR_IO, "cannot reopen '%s': %s", tmp, strerror(errno));
    int rc = fsync(fd) == 0 ? VC_OK : vc_error(VC_ERR_IO, "cannot sync '%s' to disk: %s", tmp, strerror(errno));
    if (close(fd) != 0 && rc == VC_OK) rc = vc_error(VC_ERR_IO, "cannot close '%s': %s", tmp, strerror(errno));
    if (rc == VC_OK && rename(tmp, final) != 0)
        rc = vc_error(VC_ERR_IO, "cannot rename '%s' to '%s': %s", tmp, final, strerror(errno));
    if (rc == VC_OK) rc = vc_fsync_dir_of(final);
    return rc;
}

void vc_tmp_discard(const char *tmp)
{
    if (tmp && tmp[0]) unlink(tmp);
}

int vc_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int vc_output_not_input(const char *out, const char *what, const char *const *reads, int n_reads)
{
    for (int i = 0; out && i < n_reads; i++)
        if (reads[i] && vc_same_file(out, reads[i]))
            return vc_error(VC_ERR_INVALID_ARG, "%s '%s' is the input '%s': vidclass never writes over what it reads; "
                            "choose another output", what, out, reads[i]);
    return VC_OK;
}

int vc_output_check(const char *out, const char *what, const char *const *reads, int n_reads, int force,
                    int (*is_ours)(const char *path))
{
    struct stat st;
    if (!out || lstat(out, &st) != 0) return VC_OK; /* a new file */
    int rc = vc_output_not_input(out, what, reads, n_reads);
    if (rc != VC_OK) return rc;
    if (S_ISDIR(st.st_mode)) return vc_error(VC_ERR_INVALID_ARG, "%s '%s' is a directory", what, out);
    if (force || (is_ours && S_ISREG(st.st_mode) && is_ours(out))) return VC_OK;
    return vc_error(VC_ERR_INVALID_ARG, "%s '%s' exists and is not a file this tool wrote: remove it, choose another "
                    "output, or pass --force to replace it", what, out);
}

int vc_first_visit(struct vc_pathset *seen, const struct stat *st)
{
    char key[64];
    snprintf(key, sizeof key, "%lx:%lx", (unsigned long)st->st_dev, (unsigned long)st->st_ino);
    if (vc_pathset_find(seen, key) >= 0) return 0;
    int rc = vc_pathset_add(seen, key, 1);
    return rc == VC_OK ? 1 : rc;
}
