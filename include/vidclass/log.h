/*
 * vidclass/log.h - leveled, rank-prefixed logging to stderr.
 *
 * The only global state in the library: the level, the rank prefix and a quiet flag.
 * Lines look like "[vidclass r3] warning: ...". With a single rank the "r0" is omitted.
 * Progress lines (vc_log_progress) are rate-limited by the caller's own clock.
 */
#ifndef VIDCLASS_LOG_H
#define VIDCLASS_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

enum vc_log_level {
    VC_LOG_ERROR = 0,
    VC_LOG_WARN  = 1,
    VC_LOG_INFO  = 2,
    VC_LOG_DEBUG = 3,
};

/** Messages above `level` are dropped. Default VC_LOG_INFO; the environment variable
 *  VIDCLASS_LOG=error|warn|info|debug sets the starting level (the tools' -q/--quiet and
 *  -v/--verbose then set warn and debug). */
void vc_log_set_level(enum vc_log_level level);
enum vc_log_level vc_log_get_level(void);

/** Start every line with the local time (2026-11-27T17:10:03.123); also VIDCLASS_LOG_TIME=1
 *  and the tools' --log-time. */
void vc_log_set_time(int on);

/** Set this process's rank and the world size (prefix shows the rank when size > 1). */
void vc_log_set_rank(int rank, int size);

/** printf-style message at `level`, terminated by a newline. */
void vc_log(enum vc_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#define VC_LOG_ERR(...)   vc_log(VC_LOG_ERROR, __VA_ARGS__)
#define VC_LOG_WARN(...)  vc_log(VC_LOG_WARN,  __VA_ARGS__)
#define VC_LOG_INFO(...)  vc_log(VC_LOG_INFO,  __VA_ARGS__)
#define VC_LOG_DEBUG(...) vc_log(VC_LOG_DEBUG, __VA_ARGS__)

/** Monotonic wall clock in seconds (for timing and progress rate limits). */
double vc_time_now(void);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_LOG_H */
