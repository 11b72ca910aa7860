/* vidclass-pack: class folders of images -> one HDF5 training pack (MPI-parallel). */
#include "vidclass/cli.h"
#include "vidclass/log.h"
#include "vidclass/pack.h"
#include "vidclass/status.h"
#include "vidclass/summary.h"
#include "vidclass/version.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vidclass-pack --input DIR --output PACK.h5 [options]\n"
        "       mpirun -n R vidclass-pack --input DIR --output PACK.h5 [options]\n"
        "\n"
        "Decode every image under DIR/<class>/ (recursively; format detected by content:\n"
        "JPEG, PNG, GIF first frame, WebP, BMP, ...), convert to RGB, resize to SIZExSIZE\n"
        "ignoring aspect ratio, and pack them with labels and a stratified train/test split\n"
        "into one HDF5 file (layout: docs/formats.md). Ranks decode disjoint slices; the\n"
        "pack is identical whatever the number of ranks.\n"
        "\n"
        "  --config FILE        YAML config; its pack: section sets any option below\n"
        "                       (keys as the flags, with _ for -); flags override it\n"
        "  --input DIR          folder with one sub-folder per class            [required]\n"
        "  --output FILE        pack to write (a temporary file next to it, renamed)  [required]\n"
        "  --classes A,B,...    only these classes (default: every sub-folder)\n"
        "  --size N             output side in pixels                           [224]\n"
        "  --resize MODE        linear: cv2.imread + cv2.resize's pixels, as the tutorial's\n"
        "                       train.py sees them; area: box filter          [linear]\n"
        "  --test-fraction F    share of each class in the test split, [0, 1)   [0.25]\n"
        "  --seed S             split seed                                      [42]\n"
        "  --compress L         gzip level 1-9 for /images (0 = none)            [0]\n"
        "  -q, --quiet          no progress lines (warnings and errors only)\n"
        "  -v, --verbose        debug lines too (VIDCLASS_LOG=error|warn|info|debug)\n"
        "  --log-time           start log lines with the time (VIDCLASS_LOG_TIME=1)\n"
        "  --force              replace an existing --output that is not a pack\n"
        "  --summary-json FILE  also write the run's figures as JSON (docs/formats.md)\n"
        "  --help               this text\n"
        "  --version            version, git revision, build options and library versions\n"
        "\n"
        "Files that cannot be decoded are skipped with one line each (file and reason),\n"
        "listed in /skipped in the pack, and counted in the per-class summary.\n"
        "Exit status: 0 pack written, 3 pack written but some files were skipped, 1 error\n"
        "(nothing written: missing input, unknown class, unwritable output, no decodable\n"
        "image), 2 usage or configuration error.\n");
}

int main(int argc, char **argv)
{
    if (vc_version_requested(argc, argv)) { /* before MPI and before any file is read */
        vc_version_print(stdout, "vidclass-pack");
        return 0;
    }
    int rank = 0, size = 1, help = 0;
    const char *summary = NULL;
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "vidclass-pack: MPI_Init failed\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    vc_log_set_rank(rank, size);

    struct vc_pack_params p = vc_pack_default_params();
    struct vc_strv classes = { 0 };
    int first_pos = 0;
    const struct vc_opt opts[] = {
        { "input", VC_OPT_PATH, &p.input, 0, 0, NULL },
        { "output", VC_OPT_PATH, &p.output, 0, 0, NULL },
        { "classes", VC_OPT_LIST, &classes, 0, 0, &p.n_classes },
        { "size", VC_OPT_INT, &p.size, 32, 4096, NULL },
        { "resize", VC_OPT_STR, &p.resize, 0, 0, NULL },
        { "test_fraction", VC_OPT_DOUBLE, &p.test_fraction, 0.0, 0.999999, NULL },
        { "seed", VC_OPT_U64, &p.seed, 0, 0, NULL },
        { "compress", VC_OPT_INT, &p.deflate, 0, 9, NULL },
        { "quiet", VC_OPT_BOOL, &p.quiet, 0, 0, NULL },
        { "force", VC_OPT_BOOL, &p.force, 0, 0, NULL },
        { "summary_json", VC_OPT_PATH, &summary, 0, 0, NULL },
    };
    vc_config *cfg = NULL; /* owns the strings p points into: freed at the end */
    int rc = vc_cli_parse(argc, argv, "pack", opts, (int)(sizeof opts / sizeof opts[0]), &cfg, &help, &first_pos);
    p.classes = p.n_classes > 0 ? classes.v : NULL;
    if (rc == VC_OK && !help && first_pos < argc)
        rc = vc_error(VC_ERR_INVALID_ARG, "unexpected argument '%s'", argv[first_pos]);
    if (rc == VC_OK && !help && (!p.input || !p.output))
        rc = vc_error(VC_ERR_INVALID_ARG, "--input and --output are required, as flags or in the config's pack: section (see --help)");
    if (rc == VC_OK && !help && summary) {
        const char *reads[2] = { p.input, p.output };
        rc = vc_summary_check(summary, reads, 2);
    }
    int status = 0;
    if (help) {
        if (rank == 0) usage(stdout);
    } else if (rc != VC_OK) {
        if (rank == 0) fprintf(stderr, "vidclass-pack: %s\n", vc_last_error());
        status = 2;
    } else {
        struct vc_pack_result res;
        rc = vc_pack_run(&p, MPI_COMM_WORLD, &res);
        if (rc != VC_OK) {
            if (rank == 0) fprintf(stderr, "vidclass-pack: error: %s\n", vc_last_error());
            status = vc_exit_status(rc);
        } else {
            if (rank == 0)
                printf("packed %lld of %lld files into %s (%lld train, %lld test, %lld skipped) in %.1f s with %d rank%s\n",
                       (long long)res.n_packed, (long long)res.n_files, p.output, (long long)res.n_train,
                       (long long)res.n_test, (long long)res.n_skipped, res.seconds, size, size > 1 ? "s" : "");
            status = res.n_skipped > 0 ? 3 : 0; /* the same convention as embed and batch */
            const struct vc_summary_item items[] = {
                { "files", (double)res.n_files, 1 },      { "packed", (double)res.n_packed, 1 },
                { "skipped", (double)res.n_skipped, 1 },  { "train", (double)res.n_train, 1 },
                { "test", (double)res.n_test, 1 },        { "seconds", res.seconds, 0 },
                { "images_per_second", res.seconds > 0 ? (double)res.n_packed / res.seconds : 0, 0 },
                { "ranks", size, 1 },
            };
            if (rank == 0 && summary && vc_summary_write(summary, "vidclass-pack", items, 8) != VC_OK)
                fprintf(stderr, "vidclass-pack: warning: --summary-json: %s\n", vc_last_error());
        }
    }
    vc_config_free(&cfg);
    vc_strv_free(&classes);
    MPI_Finalize();
    return status;
}
