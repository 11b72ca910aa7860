/*
 * vidclass/status.h - one error convention for the whole library.
 *
 * Every fallible function returns an int: VC_OK (0) on success, a negative VC_ERR_* code
 * on failure. The failing function also records one human-readable line (naming the
 * function, the file/dataset/frame and got-vs-expected values) in a thread-local buffer;
 * callers decide whether to print it, record it (e.g. per video in a results file) or
 * skip the input. Library code never prints errors itself and never calls exit().
 *
 *     int rc = vc_resnet50_load("w.h5", &net);
 *     if (rc != VC_OK) fprintf(stderr, "error: %s\n", vc_last_error());
 *
 * VC_ASSERT is for programmer errors only (broken invariants): it prints file:line and
 * aborts. Bad input is never asserted on.
 */
#ifndef VIDCLASS_STATUS_H
#define VIDCLASS_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

enum vc_status {
    VC_OK               =   0,
    VC_ERR_INVALID_ARG  =  -1, /* bad parameter from the caller or the command line  */
    VC_ERR_NOMEM        =  -2, /* allocation failed                                   */
    VC_ERR_IO           =  -3, /* open/read/write/rename failed                       */
    VC_ERR_FORMAT       =  -4, /* file is not what it claims (not HDF5, bad layout)   */
    VC_ERR_DECODE       =  -5, /* image/video could not be decoded                    */
    VC_ERR_SHAPE        =  -6, /* tensor or dataset has the wrong shape or type       */
    VC_ERR_MISSING      =  -7, /* a required dataset/attribute/layer is absent        */
    VC_ERR_MPI          =  -8, /* an MPI call failed                                  */
    VC_ERR_CONFIG       =  -9, /* configuration file error                            */
    VC_ERR_UNSUPPORTED  = -10, /* valid input we do not handle                        */
    VC_ERR_TOO_LARGE    = -11, /* input declares a size beyond the configured limit   */
    VC_ERR_MISMATCH     = -12, /* files that must agree do not (model vs weights...)  */
};

/** Short constant name of a status code ("decode error", ...). Never NULL. */
const char *vc_strerror(int status);

/**
 * The exit status a vidclass tool gives for a status: 0 for VC_OK, 2 for what the user
 * asked wrongly (VC_ERR_INVALID_ARG, VC_ERR_CONFIG, VC_ERR_MISMATCH: bad flags, config,
 * inputs that do not exist, an output that may not be written, files that do not belong
 * together), 1 for every other failure.
 */
int vc_exit_status(int status);

/**
 * The message recorded by the last failing vidclass call on this thread, or "" if none.
 * Borrowed: valid until the next vidclass call on this thread records an error.
 */
const char *vc_last_error(void);

/** Forget the recorded message (vc_last_error() returns "" afterwards). */
void vc_clear_error(void);

/**
 * Record an error message (printf-style) for this thread and return `status` unchanged,
 * so a failure site reads `return vc_error(VC_ERR_IO, "%s: cannot open '%s'", __func__, p);`.
 * Used by the library; tools may use it too.
 */
int vc_error(int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Out of memory in the calling function: VC_ERR_NOMEM with a message naming it. */
#define VC_NOMEM vc_error(VC_ERR_NOMEM, "%s: out of memory", __func__)

/** Abort with file:line and the expression: broken invariants only. */
void vc_abort(const char *file, int line, const char *expr);
#define VC_ASSERT(x) do { if (!(x)) vc_abort(__FILE__, __LINE__, #x); } while (0)

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_STATUS_H */
