/*
 * vidclass/fileguard.h - the rule every vidclass tool follows before it writes a file:
 * never over one of the files the run reads (compared by device and inode, so links and
 * other spellings of a path are caught), and never over an existing file it did not
 * write, unless told to (--force). Tools recognise their own files by a mark they write
 * (an HDF5 root attribute such as format = "vidclass-pack"; a comment in labelled MP4s).
 */
#ifndef VIDCLASS_FILEGUARD_H
#define VIDCLASS_FILEGUARD_H

#ifdef __cplusplus
extern "C" {
#endif

/** 1 if a and b name the same existing file (device and inode), else 0. */
int vc_same_file(const char *a, const char *b);

/** VC_OK when `out` is none of `reads` (NULLs skipped), else VC_ERR_INVALID_ARG naming
 *  `what` and the input. Callers with several lists of inputs call it once per list,
 *  before vc_output_check. */
int vc_output_not_input(const char *out, const char *what, const char *const *reads, int n_reads);

/**
 * VC_OK when `out` may be written: it does not exist, or it is none of `reads` (NULLs
 * skipped) and either `is_ours(out)` says this tool wrote it or `force` is set. Otherwise
 * VC_ERR_INVALID_ARG with a message naming `what` (the flag, e.g. "--output").
 */
int vc_output_check(const char *out, const char *what, const char *const *reads, int n_reads, int force,
                    int (*is_ours)(const char *path));

/** 1 if path is an HDF5 file whose root attribute `attr` is the string `value`. */
int vc_h5_file_attr_is(const char *path, const char *attr, const char *value);

#ifdef __cplusplus
}
#endif
#endif
