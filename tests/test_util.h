/* test_util.h - tiny helpers shared by the C tests: checks that count instead of abort,
 * temporary directories, and the normalized error metrics used for numeric comparisons. */
#ifndef VIDCLASS_TEST_UTIL_H
#define VIDCLASS_TEST_UTIL_H

#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond, ...)                                                          \
    do {                                                                          \
        g_checks++;                                                               \
        if (!(cond)) {                                                            \
            g_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                         \
            fprintf(stderr, "\n");                                                \
        }                                                                         \
    } while (0)

/* Print the summary line and return the process exit code. */
static inline int test_finish(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, g_checks, g_failures);
    return g_failures ? 1 : 0;
}

static char g_tmpdir[512];

static inline int test_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path) == 0 ? 0 : (perror(path), 0);
}

/* At exit: the scratch directory and everything in it (a test leaves nothing behind; some
 * make 1 GB of weights files). VC_KEEP_TMP=1 keeps it for a look after a failure. */
static inline void test_rm_tmpdir(void)
{
    const char *keep = getenv("VC_KEEP_TMP");
    if (keep && strcmp(keep, "1") == 0) {
        fprintf(stderr, "kept %s (VC_KEEP_TMP=1)\n", g_tmpdir);
        return;
    }
    nftw(g_tmpdir, test_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdtemp under $TMPDIR (or /tmp), removed when the test exits; one per test; the path is
 * static storage. */
static inline const char *test_tmpdir(const char *tag)
{
    const char *base = getenv("TMPDIR");
    snprintf(g_tmpdir, sizeof g_tmpdir, "%s/vc-%s-XXXXXX", base ? base : "/tmp", tag);
    if (!mkdtemp(g_tmpdir) || atexit(test_rm_tmpdir) != 0) {
        perror("mkdtemp");
        exit(1);
    }
    return g_tmpdir;
}

/* The test's scratch directory (set it from test_tmpdir) and paths inside it: P("x.h5")
 * returns "<dir>/x.h5" from a ring of 16 static buffers (enough for one call's arguments). */
static char g_dir[512];

static inline const char *P(const char *name)
{
    static char buf[16][700];
    static int k = 0;
    k = (k + 1) % 16;
    snprintf(buf[k], sizeof buf[k], "%s/%s", g_dir, name);
    return buf[k];
}

/* max |a - b| / max |b|: the error relative to the scale of the reference. */
static inline double max_rel_err(const float *a, const float *b, size_t n)
{
    double md = 0.0, mb = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - (double)b[i]);
        if (d > md || isnan(d)) md = isnan(d) ? INFINITY : d;
        if (fabs((double)b[i]) > mb) mb = fabs((double)b[i]);
    }
    return mb > 0.0 ? md / mb : md;
}

/* sum (a-b)^2 / sum b^2 (ggml's nmse). */
static inline double nmse(const float *a, const float *b, size_t n)
{
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        num += d * d;
        den += (double)b[i] * b[i];
    }
    return den > 0.0 ? num / den : num;
}

#endif
