/*
 * inputs.h - the list of videos a vidclass-batch run works on (vidclass internal): input
 * files, folders scanned recursively, quoted glob patterns and manifest lines (any number),
 * sorted by path, each file once however it is named (device and inode: links, a folder
 * and a manifest line naming the same file), each folder walked once (a link loop ends),
 * each with its size (the scheduler hands out the longest first). An input that does not
 * exist, a pattern that matches nothing and an empty result are usage errors. Rank 0
 * lists; vc_inputs_share broadcasts the list to every rank.
 */
#ifndef VIDCLASS_INPUTS_H
#define VIDCLASS_INPUTS_H

#include <mpi.h>
#include <stdint.h>

struct vc_inputs {
    char   **paths;
    char   **names; /* path relative to the folder it was found in (a file named directly:
                       its file name), unique in the list ("~2" on a clash): where its
                       outputs go (labelled copies) */
    int64_t *sizes; /* bytes */
    int64_t  n, cap;
};

struct vc_inputs_spec {
    const char *const *inputs;     /* files, folders, quoted glob patterns */
    int                n_inputs;
    const char        *manifest;   /* one path per line, # comments; or NULL */
    const char *const *extensions; /* folder scan filter; NULL: common video extensions */
    int                n_extensions;
    const char        *exclude_dir;  /* the folder of labelled copies: not scanned when met inside an
                                        input folder; NULL: none. Marked "*.labelled.mp4" files are
                                        never taken from a scan */
};

int vc_inputs_list(const struct vc_inputs_spec *s, struct vc_inputs *l);

/* Keep shard `index` (0-based) of `count`: the list's videos dealt, largest first, each to
 * the shard with the fewest bytes so far (the lowest on a tie), so that the shards of one
 * list are disjoint, cover it, weigh about the same and are the same on every call.
 * The kept videos stay in path order. An empty shard is VC_ERR_INVALID_ARG. */
int vc_inputs_shard(struct vc_inputs *l, int index, int count);

/* Collective: the list of rank 0 on every rank. */
int vc_inputs_share(MPI_Comm comm, struct vc_inputs *l);

void vc_inputs_free(struct vc_inputs *l);

#endif
