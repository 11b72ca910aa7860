/* fsutil.h - vidclass internal: directory listing shared by the dataset scan and the
 * video input scan (never installed). */
#ifndef VIDCLASS_FSUTIL_H
#define VIDCLASS_FSUTIL_H

/* Names of the entries of `dir` except "." and "..", bytewise sorted (locale-independent).
 * On success *names (n entries) is owned by the caller: vc_names_free. */
int vc_list_dir(const char *dir, char ***names, int *n);
void vc_names_free(char **names, int n);

/* strcmp on two `char *` elements, for qsort. */
int vc_cmp_str(const void *a, const void *b);

#endif
