/*
 * vidclass/dataset.h - an image folder with one sub-folder per class.
 *
 * Scanning lists regular files recursively under each class folder, in bytewise-sorted
 * order of their paths relative to the root (locale-independent, so every machine and
 * every rank count sees the same order). Class names are the sorted sub-folder names, or
 * the `classes` selection (also sorted; label = index in that order). A sub-directory whose
 * name looks like an image file (x.jpg/) is reported as skipped rather than descended.
 *
 *     vc_dataset *ds = NULL;
 *     vc_dataset_scan("data/", NULL, 0, &ds);   // every sub-folder is a class
 *     for (int64_t i = 0; i < vc_dataset_count(ds); i++) vc_dataset_path(ds, i) ...
 *     vc_dataset_free(&ds);
 */
#ifndef VIDCLASS_DATASET_H
#define VIDCLASS_DATASET_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_dataset vc_dataset;

/**
 * Scan `root`. classes: NULL/0 for every sub-folder, else the wanted class names (each
 * must exist as a sub-folder: an unknown one is VC_ERR_INVALID_ARG naming it and listing
 * the available ones). On success *out is owned by the caller (vc_dataset_free).
 */
int vc_dataset_scan(const char *root, const char *const *classes, int n_classes,
                    vc_dataset **out);

void vc_dataset_free(vc_dataset **ds);

int64_t     vc_dataset_count(const vc_dataset *ds);
int         vc_dataset_class_count(const vc_dataset *ds);
const char *vc_dataset_class_name(const vc_dataset *ds, int label);
const char *vc_dataset_root(const vc_dataset *ds);
/** Path relative to the root, e.g. "tennis/00000012.jpg". Borrowed. */
const char *vc_dataset_path(const vc_dataset *ds, int64_t i);
int         vc_dataset_label(const vc_dataset *ds, int64_t i);

/** Entries that were skipped during the scan (directories named like images). */
int64_t     vc_dataset_scan_skipped(const vc_dataset *ds);

/** Serialize to one buffer (for MPI_Bcast) and back. *buf is malloc'd, caller frees. */
int vc_dataset_serialize(const vc_dataset *ds, char **buf, int64_t *len);
int vc_dataset_deserialize(const char *buf, int64_t len, vc_dataset **out);

/**
 * Stratified split: for each class, its items (those with include[i] != 0, or all when
 * include is NULL) are shuffled with a stream keyed by (seed, class) and the first
 * floor(n_class * test_fraction + 0.5) go to test. split[i] = 0 train, 1 test (items not
 * included get 0). Depends only on the labels, the include mask, the seed and the
 * fraction: never on the number of ranks.
 */
int vc_split_stratified(const int32_t *labels, const uint8_t *include, int64_t n,
                        int n_classes, double test_fraction, uint64_t seed, uint8_t *split);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_DATASET_H */
