/* vidclass-train: MPI data-parallel training of the ResNet50 head. */
#include "vidclass/cli.h"
#include "vidclass/gemm.h"
#include "vidclass/log.h"
#include "vidclass/status.h"
#include "vidclass/summary.h"
#include "vidclass/train.h"
#include "vidclass/version.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vidclass-train --config configs/train.yaml [flags]\n"
        "       mpirun -n R vidclass-train --pack P.h5 --weights W.h5 --output DIR [flags]\n"
        "\n"
        "Train Dense(512) ReLU -> Dropout -> Dense(N) softmax on a frozen Keras ResNet50 base,\n"
        "data-parallel over MPI ranks (the global batch is the same for any rank count).\n"
        "Every key of the config's train: section has a flag of the same name (- for _);\n"
        "flags override the file (docs/configs.md).\n"
        "\n"
        "  --config FILE        YAML file with a train: section\n"
        "  --pack FILE          vidclass-pack output                              [required]\n"
        "  --weights FILE       Keras ResNet50 notop weights (.h5)                [required]\n"
        "  --output DIR         model.h5 report.txt history.csv plot.png checkpoint.h5 [required]\n"
        "  --epochs N           [25]       --batch-size N   global batch [32]\n"
        "  --lr X               [1e-4]     --momentum X     [0.9]\n"
        "  --decay X            Keras time decay; default lr/epochs\n"
        "  --dropout X          [0.5]      --hidden N       [512]\n"
        "  --seed S             [42]       --preprocess caffe|rgb_mean [caffe]\n"
        "  --augment-views V    0: fresh augmentation every epoch (no cache); V >= 1: cache\n"
        "                       base features of V augmented views per image    [0]\n"
        "  --cache FILE         feature cache [DIR/features_cache.h5]\n"
        "  --classes A,B,...    expected class names (must match the pack)\n"
        "  --forward-batch N    images per ResNet50 pass [16]\n"
        "  --threads N          BLAS threads per rank [CPUs available to the rank]\n"
        "  --resume             continue from DIR/checkpoint.h5\n"
        "  -q, --quiet          no progress lines (warnings and errors only)\n"
        "  -v, --verbose        debug lines too (VIDCLASS_LOG=error|warn|info|debug)\n"
        "  --log-time           start log lines with the time (VIDCLASS_LOG_TIME=1)\n"
        "  --summary-json FILE  also write the run's figures as JSON (docs/formats.md)\n"
        "  --help               this text\n"
        "  --version            version, git revision, build options and library versions\n"
        "\n"
        "Exit status: 0 trained, 1 error, 2 usage or configuration error.\n");
}

int main(int argc, char **argv)
{
    if (vc_version_requested(argc, argv)) { /* before MPI and before any file is read */
        vc_version_print(stdout, "vidclass-train");
        return 0;
    }
    int rank = 0, size = 1;
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "vidclass-train: MPI_Init failed\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    vc_log_set_rank(rank, size);

    struct vc_train_params p = vc_train_default_params();
    struct vc_strv classes = { 0 };
    int threads = 0, help = 0, first_pos = 0;
    const char *summary = NULL;
    const struct vc_opt opts[] = {
        { "pack", VC_OPT_PATH, &p.pack, 0, 0, NULL },
        { "weights", VC_OPT_PATH, &p.weights, 0, 0, NULL },
        { "output", VC_OPT_PATH, &p.output, 0, 0, NULL },
        { "cache", VC_OPT_PATH, &p.cache, 0, 0, NULL },
        { "classes", VC_OPT_LIST, &classes, 0, 0, &p.n_classes },
        { "epochs", VC_OPT_INT, &p.epochs, 1, 100000, NULL },
        { "batch_size", VC_OPT_INT, &p.batch_size, 1, 1024, NULL },
        { "seed", VC_OPT_U64, &p.seed, 0, 0, NULL },
        { "augment_views", VC_OPT_INT, &p.augment_views, 0, 1000, NULL },
        { "lr", VC_OPT_DOUBLE, &p.lr, 1e-12, 10, NULL },
        { "momentum", VC_OPT_DOUBLE, &p.momentum, 0, 0.999999, NULL },
        { "decay", VC_OPT_DOUBLE, &p.decay, 0, 1e6, NULL },
        { "dropout", VC_OPT_DOUBLE, &p.dropout, 0, 0.99, NULL },
        { "hidden", VC_OPT_INT, &p.hidden, 1, 65536, NULL },
        { "preprocess", VC_OPT_PREPROCESS, &p.preprocess, 0, 0, NULL },
        { "forward_batch", VC_OPT_INT, &p.forward_batch, 1, 1024, NULL },
        { "threads", VC_OPT_INT, &threads, 1, 1024, NULL },
        { "resume", VC_OPT_BOOL, &p.resume, 0, 0, NULL },
        { "quiet", VC_OPT_BOOL, &p.quiet, 0, 0, NULL },
        { "summary_json", VC_OPT_PATH, &summary, 0, 0, NULL },
    };
    vc_config *cfg = NULL;
    int rc = vc_cli_parse(argc, argv, "train", opts, (int)(sizeof opts / sizeof opts[0]), &cfg, &help, &first_pos);
    p.classes = classes.v;
    int status = 0;
    if (rc == VC_OK && !help && first_pos < argc)
        rc = vc_error(VC_ERR_INVALID_ARG, "unexpected argument '%s'", argv[first_pos]);
    if (rc == VC_OK && !help && (!p.pack || !p.weights || !p.output))
        rc = vc_error(VC_ERR_INVALID_ARG, "pack, weights and output are required (flags or the config's train: section)");
    if (rc == VC_OK && !help && summary) {
        const char *reads[3] = { p.pack, p.weights, p.cache };
        rc = vc_summary_check(summary, reads, 3);
    }
    if (help) {
        if (rank == 0) usage(stdout);
    } else if (rc != VC_OK) {
        if (rank == 0) fprintf(stderr, "vidclass-train: %s\n", vc_last_error());
        status = 2;
    } else {
        vc_blas_set_threads(vc_threads_choose(threads));
        struct vc_train_result res;
        double t0 = MPI_Wtime();
        rc = vc_train_run(&p, MPI_COMM_WORLD, &res);
        double secs = MPI_Wtime() - t0;
        if (rc != VC_OK) {
            if (rank == 0) fprintf(stderr, "vidclass-train: error: %s\n", vc_last_error());
            status = vc_exit_status(rc);
        } else if (rank == 0) {
            printf("trained %d epoch(s): loss %.4f accuracy %.4f val_loss %.4f val_accuracy %.4f; outputs in %s/\n",
                   res.epochs_run, res.loss, res.accuracy, res.val_loss, res.val_accuracy, p.output);
            const struct vc_summary_item items[] = {
                { "epochs_run", res.epochs_run, 1 }, { "loss", res.loss, 0 },         { "accuracy", res.accuracy, 0 },
                { "val_loss", res.val_loss, 0 },     { "val_accuracy", res.val_accuracy, 0 }, { "seconds", secs, 0 },
                { "ranks", size, 1 },
            };
            if (summary && vc_summary_write(summary, "vidclass-train", items, 7) != VC_OK)
                fprintf(stderr, "vidclass-train: warning: --summary-json: %s\n", vc_last_error());
        }
    }
    vc_config_free(&cfg);
    vc_strv_free(&classes);
    MPI_Finalize();
    return status;
}
