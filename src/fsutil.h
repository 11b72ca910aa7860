/* fsutil.h - vidclass internal: directory listing shared by the dataset scan and the
 * video input scan, and the one way every tool writes a file atomically (never installed). */
#ifndef VIDCLASS_FSUTIL_H
#define VIDCLASS_FSUTIL_H

#include <stddef.h>

/* Names of the entries of `dir` except "." and "..", bytewise sorted (locale-independent).
 * On success *names (n entries) is owned by the caller: vc_names_free. */
int vc_list_dir(const char *dir, char ***names, int *n);
void vc_names_free(char **names, int n);

/* strcmp on two `char *` elements, for qsort. */
int vc_cmp_str(const void *a, const void *b);

/* Atomic writes. vc_tmp_create makes a new empty file next to `final` with an
 * unpredictable name ("<dir>/.<base>.XXXXXX.tmp", mkstemp: O_CREAT|O_EXCL, so a planted
 * file or symlink is never written through) and returns its name in tmp (on failure tmp
 * is "", so that vc_tmp_discard after any failure removes nothing it did not make). The caller
 * writes it (by name: HDF5, libavformat), then vc_tmp_commit fsyncs it, renames it over
 * `final` and fsyncs the folder; on any failure the caller calls vc_tmp_discard, and
 * `final` is untouched. */
int vc_tmp_create(const char *final, char *tmp, size_t len);
int vc_tmp_commit(const char *tmp, const char *final);
void vc_tmp_discard(const char *tmp);

/* fsync the folder that holds path (after a rename or an unlink in it). */
int vc_fsync_dir_of(const char *path);

/* Create the folders of `path` after its first `keep` bytes (an existing folder), like
 * mkdir -p of its parent: "out" + "/a/b/x.mp4" makes out/a and out/a/b. */
int vc_make_parents(const char *path, size_t keep);

/* Scans take each file and folder once, however many links lead to it: 1 the first time
 * the (device, inode) of st is seen in `seen` (then remembered), 0 after, or an error. */
struct stat;
struct vc_pathset;
int vc_first_visit(struct vc_pathset *seen, const struct stat *st);

/* vc_same_file, vc_output_check: the rule for every output (vidclass/fileguard.h). */
#include "vidclass/fileguard.h"

#endif
