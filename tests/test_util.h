/* test_util.h - tiny helpers shared by the C tests: checks that count instead of abort,
 * temporary directories, and the normalized error metrics used for numeric comparisons. */
#ifndef VIDCLASS_TEST_UTIL_H
#define VIDCLASS_TEST_UTIL_H

#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* mkdtemp under $TMPDIR (or /tmp); the path is static storage. */
static inline const char *test_tmpdir(const char *tag)
{
    static char dir[512];
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/vc-%s-XXXXXX", base ? base : "/tmp", tag);
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
    return dir;
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
