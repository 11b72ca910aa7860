/* log.c - leveled, rank-prefixed logging: the library's only global state. */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static enum vc_log_level g_level = VC_LOG_INFO;
static int g_level_from_env = 0;
static int g_rank = 0;
static int g_size = 1;
static int g_time = 0; /* ISO-8601 local time with milliseconds at the start of each line */

static void log_init_from_env(void)
{
    if (g_level_from_env)
        return;
    g_level_from_env = 1;
    const char *t = getenv("VIDCLASS_LOG_TIME");
    if (t && *t && strcmp(t, "0") != 0) g_time = 1;
    const char *env = getenv("VIDCLASS_LOG");
    if (!env)
        return;
    if (strcmp(env, "debug") == 0) g_level = VC_LOG_DEBUG;
    else if (strcmp(env, "info") == 0) g_level = VC_LOG_INFO;
    else if (strcmp(env, "warn") == 0) g_level = VC_LOG_WARN;
    else if (strcmp(env, "error") == 0) g_level = VC_LOG_ERROR;
}

void vc_log_set_level(enum vc_log_level level)
{
    log_init_from_env();
    g_level = level;
}

enum vc_log_level vc_log_get_level(void)
{
    log_init_from_env();
    return g_level;
}

void vc_log_set_time(int on)
{
    log_init_from_env();
    g_time = on;
}

void vc_log_set_rank(int rank, int size)
{
    g_rank = rank;
    g_size = size;
}

void vc_log(enum vc_log_level level, const char *fmt, ...)
{
    static const char *names[] = { "error: ", "warning: ", "", "debug: " };
    log_init_from_env();
    if (level > g_level)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char stamp[40] = "";
    if (g_time) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        localtime_r(&ts.tv_sec, &tm);
        size_t k = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(stamp + k, sizeof stamp - k, ".%03ld ", ts.tv_nsec / 1000000);
    }
    /* One fprintf per line so lines from several ranks sharing a terminal do not interleave mid-line. */
    if (g_size > 1)
        fprintf(stderr, "%s[vidclass r%d] %s%s\n", stamp, g_rank, names[level], msg);
    else
        fprintf(stderr, "%s[vidclass] %s%s\n", stamp, names[level], msg);
}

double vc_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
