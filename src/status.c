/* status.c - status codes, the per-thread error message, and VC_ASSERT's abort. */
#include "vidclass/status.h"
#include "vidclass/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char g_last_error[1024];

const char *vc_strerror(int status)
{
    switch (status) {
    case VC_OK:              return "ok";
    case VC_ERR_INVALID_ARG: return "invalid argument";
    case VC_ERR_NOMEM:       return "out of memory";
    case VC_ERR_IO:          return "I/O error";
    case VC_ERR_FORMAT:      return "bad file format";
    case VC_ERR_DECODE:      return "decode error";
    case VC_ERR_SHAPE:       return "wrong shape or type";
    case VC_ERR_MISSING:     return "missing data";
    case VC_ERR_MPI:         return "MPI error";
    case VC_ERR_CONFIG:      return "configuration error";
    case VC_ERR_UNSUPPORTED: return "unsupported input";
    case VC_ERR_TOO_LARGE:   return "input too large";
    case VC_ERR_MISMATCH:    return "inputs do not match";
    default:                 return "unknown error";
    }
}

int vc_exit_status(int status)
{
    if (status == VC_OK) return 0;
    return status == VC_ERR_INVALID_ARG || status == VC_ERR_CONFIG || status == VC_ERR_MISMATCH ? 2 : 1;
}

const char *vc_last_error(void)
{
    return g_last_error;
}

void vc_clear_error(void)
{
    g_last_error[0] = '\0';
}

int vc_error(int status, const char *fmt, ...)
{
    /* Format into a local buffer first: callers often pass vc_last_error() itself as an
     * argument (wrapping a lower-level message), and vsnprintf must not overlap. */
    char msg[sizeof g_last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    memcpy(g_last_error, msg, sizeof msg);
    VC_LOG_DEBUG("recorded error (%s): %s", vc_strerror(status), g_last_error);
    return status;
}

void vc_abort(const char *file, int line, const char *expr)
{
    fflush(stdout);
    fprintf(stderr, "%s:%d: internal error: assertion failed: %s\n", file, line, expr);
    abort();
}
