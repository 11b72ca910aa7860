/* fsutil.c - sorted directory listing and atomic file replacement. */
#define _DEFAULT_SOURCE /* mkstemps */
#define _POSIX_C_SOURCE 200809L
#include "fsutil.h"
#include "vidclass/status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    if ((size_t)snprintf(tmp, len, "%s/.%s.XXXXXX.tmp", dirname(d), basename(b)) >= len)
        return vc_error(VC_ERR_INVALID_ARG, "path too long: '%s'", final);
    int fd = mkstemps(tmp, 4);
    if (fd < 0) return vc_error(VC_ERR_IO, "cannot create a temporary file next to '%s': %s", final, strerror(errno));
    close(fd);
    return VC_OK;
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
