/* journal_tool OUT MODEL CLASSES PATH... - write OUT.journal as an interrupted vidclass-batch
 * run would leave it (a header, then one record per PATH, no frames), for tests of resume
 * from a damaged journal (tests/test_guard.sh). Window 128, frame stride 1. */
#define _DEFAULT_SOURCE
#include "results.h"
#include "vidclass/hash.h"
#include "vidclass/status.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 5) { fprintf(stderr, "usage: journal_tool OUT MODEL CLASSES PATH...\n"); return 2; }
    char sha[65], mpath[PATH_MAX], *names = strdup(argv[3]);
    const char *cls[64];
    int n = 0;
    for (char *t = strtok(names, ","); t && n < 64; t = strtok(NULL, ",")) cls[n++] = t;
    if (!realpath(argv[2], mpath) || vc_sha256_file(argv[2], sha) != VC_OK) { fprintf(stderr, "%s\n", vc_last_error()); return 1; }
    struct vc_results_info info = { .class_names = cls, .n_classes = n, .window = 128, .frame_stride = 1,
                                    .model = mpath, .model_sha = sha };
    vc_results *r = NULL;
    if (vc_results_open(argv[1], &info, 1, 1, &r) != VC_OK) { fprintf(stderr, "%s\n", vc_last_error()); return 1; }
    struct vc_record rec = { 0 };
    for (int i = 4; i < argc; i++)
        if (vc_record_start(&rec, argv[i]) != VC_OK || (rec.label = 0, vc_results_append(r, &rec)) != VC_OK) {
            fprintf(stderr, "%s\n", vc_last_error());
            return 1;
        }
    vc_record_free(&rec);
    vc_results_close(r); /* not finished: the journal stays, as after a kill */
    free(names);
    return 0;
}
