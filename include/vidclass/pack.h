/*
 * vidclass/pack.h - decode a class-folder image tree into one HDF5 training pack.
 *
 * Collective over `comm` (one rank or many). Rank 0 scans the folder and broadcasts the
 * sorted file list. Files are processed in global rounds: in round k, rank r decodes files
 * [(k*R + r)*B, (k*R + r + 1)*B) (B = round_images), the ranks exchange which of them
 * decoded (MPI_Allgather of B flags each), and each writes its good images with one
 * collective parallel-HDF5 hyperslab write at the rows that follow all earlier files. So
 * rows are in sorted-file order whatever the rank count, and no rank holds more than B
 * images. Rank 0 then writes the small metadata (labels, split, paths, attributes) and
 * renames the temporary file to the final name. Layout: docs/formats.md "Pack file".
 */
#ifndef VIDCLASS_PACK_H
#define VIDCLASS_PACK_H

#include <mpi.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vc_pack_params {
    const char        *input;         /* folder with one sub-folder per class      */
    const char        *output;        /* pack file to write                        */
    const char *const *classes;       /* NULL: every sub-folder                    */
    int                n_classes;
    int                size;          /* output side in pixels (224)               */
    const char        *resize;        /* "linear" (cv2.resize, default) or "area"  */
    double             test_fraction; /* 0.25                                      */
    uint64_t           seed;          /* split seed (42)                           */
    int                round_images;  /* images per rank per round (32)            */
    int                deflate;       /* 0 = no compression, 1..9 gzip level       */
    int                quiet;         /* no progress lines                         */
    int                force;         /* replace an existing output vidclass did not write */
};
struct vc_pack_params vc_pack_default_params(void);

struct vc_pack_result {
    int64_t n_files;   /* files listed (excluding scan skips)  */
    int64_t n_packed;  /* rows in the pack                     */
    int64_t n_skipped; /* undecodable files + scan skips       */
    int64_t n_train, n_test;
    double  seconds;
};

/** Collective. VC_OK when the pack was written (some inputs may have been skipped). */
int vc_pack_run(const struct vc_pack_params *p, MPI_Comm comm, struct vc_pack_result *result);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_PACK_H */
