/* fsutil.c - sorted directory listing. */
#define _POSIX_C_SOURCE 200809L
#include "fsutil.h"
#include "vidclass/status.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
            if (!p) { rc = VC_ERR_NOMEM; break; }
            *names = p;
        }
        if (!((*names)[*n] = strdup(e->d_name))) { rc = VC_ERR_NOMEM; break; }
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

