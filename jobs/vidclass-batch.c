/* vidclass-batch: classify every frame of many videos across MPI ranks. */
#include "vidclass/batch.h"
#include "vidclass/cli.h"
#include "vidclass/gemm.h"
#include "vidclass/log.h"
#include "vidclass/status.h"
#include "vidclass/version.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vidclass-batch --config configs/run.yaml [flags]\n"
        "       mpirun -n R vidclass-batch --model M.h5 --weights W.h5 --output R.h5 --input DIR [flags]\n"
        "       vidclass-batch --model activity.model --classes A,B,C --output R.h5 --input DIR\n"
        "\n"
        "Classify every frame of every input video with the trained model, smooth the labels\n"
        "with a rolling average of the last WINDOW predictions, and gather all results into\n"
        "one HDF5 file (docs/formats.md) when the run ends. Rank 0 hands out videos\n"
        "longest first and also classifies. Every key of the config's run: section has a flag\n"
        "of the same name (- for _); flags override the file (docs/configs.md).\n"
        "\n"
        "  --config FILE         YAML file with a run: section\n"
        "  --model FILE          vidclass-train model.h5, or a Keras model file saved with\n"
        "                        model.save(path, save_format=\"h5\") (the tutorial's\n"
        "                        activity.model: ResNet50 base + its head)          [required]\n"
        "  --weights FILE        base weights the vidclass model was trained on (not\n"
        "                        with a Keras model file, which holds its base)\n"
        "  --classes A,B,...     class names in the order of the model's outputs; required\n"
        "                        for a Keras model file. The tutorial's lb.pickle holds them\n"
        "                        sorted: football,tennis,weight_lifting\n"
        "  --resize MODE         linear (cv2.resize) or area; default: what the model was\n"
        "                        trained with (Keras model files: linear)\n"
        "  --backbone NAME       run another backbone than the model's: \"null\" (no network,\n"
        "                        meaningless labels) measures the rest of the pipeline\n"
        "  --output FILE         results HDF5, written when the run ends; finished videos\n"
        "                        are journalled to FILE.journal as they finish  [required]\n"
        "  --input PATH          a video file, a directory scanned recursively, or a quoted\n"
        "                        glob pattern (repeatable)\n"
        "  --manifest FILE       a file with one video path per line\n"
        "  --extensions A,B,...  directory scan filter [mp4,m4v,mov,avi,mkv,webm,mpg,mpeg,wmv,flv,ts,3gp]\n"
        "  --window K            rolling-average window; 1 = no smoothing           [128]\n"
        "  --smoothing MODE      trailing: the window ends at each frame (the tutorial's;\n"
        "                        label changes come ~K/2 frames late); centered: the\n"
        "                        window is centred on the frame (offline)      [trailing]\n"
        "  --min-confidence X    frames, segments and videos whose smoothed probability\n"
        "                        is below X get label -1, \"unknown\"           [0: off]\n"
        "  --min-segment SEC     merge segments shorter than SEC seconds into their\n"
        "                        longer neighbour (/segments only)            [0: off]\n"
        "  --frame-stride S      classify every S-th frame                          [1]\n"
        "  --batch-size N        frames per forward pass                            [16]\n"
        "  --precision P         the network's products: fp32, bf16 (weights and\n"
        "                        activations rounded to bfloat16, sums in float32;\n"
        "                        CPUs with AMX-BF16 or AVX512_BF16 only) or int8\n"
        "                        (the convolutions but the first in bytes, exact\n"
        "                        int32 sums; AMX-INT8 or AVX512_VNNI CPUs only):\n"
        "                        faster, close but not equal;\n"
        "                        recorded in the results                      [fp32]\n"
        "  --threads N           BLAS threads per rank       [CPUs available to the rank]\n"
        "  --decoder-threads N   FFmpeg decoder threads; 0 = FFmpeg's choice (one per\n"
        "                        core) for one rank per node, 1 when ranks share a node [0]\n"
        "  --annotate-dir DIR    also write each video to DIR with its smoothed label drawn\n"
        "                        on every frame (H.264 MP4, same size and frame rate),\n"
        "                        as DIR/<path below its input folder>.labelled.mp4\n"
        "  --annotate-text FMT   the text drawn; {label} and {confidence} are replaced\n"
        "                                                      [\"activity: {label}\"]\n"
        "  --annotate-size PX    font size                     [0: a twelfth of the height]\n"
        "  --annotate-color C    text colour: a name or 0xRRGGBB[@alpha]         [green]\n"
        "  --no-resume           fail if the results file or its journal exists (default:\n"
        "                        skip videos already in either and add the rest)\n"
        "  --no-retry-failed     on resume, keep videos that failed as they are (default:\n"
        "                        classify them again)\n"
        "  --shard I/N           take only shard I (0-based) of N of the listed videos:\n"
        "                        disjoint, balanced by size, the same for the same list\n"
        "                        (Slurm job arrays: slurm/batch_array.sh)\n"
        "  -q, --quiet           no progress lines (warnings and errors only)\n"
        "  -v, --verbose         debug lines too (VIDCLASS_LOG=error|warn|info|debug)\n"
        "  --log-time            start log lines with the time (VIDCLASS_LOG_TIME=1)\n"
        "  --force               replace existing files in --annotate-dir that are not\n"
        "                        labelled copies vidclass wrote\n"
        "  --summary-json FILE   also write the run's figures as JSON (counts, failures,\n"
        "                        frames/s, videos per class, each rank's times)\n"
        "  --help                this text\n"
        "  --version             version, git revision, build options and library versions\n"
        "\n"
        "Exit status: 0 every video in the results file classified, 3 finished but some\n"
        "videos in the results file failed (status 1 and their error; this run's or an\n"
        "earlier one's), 2 usage or configuration error, 1 other error.\n");
}

int main(int argc, char **argv)
{
    if (vc_version_requested(argc, argv)) { /* before MPI and before any file is read */
        vc_version_print(stdout, "vidclass-batch");
        return 0;
    }
    int rank = 0, size = 1;
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "vidclass-batch: MPI_Init failed\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    vc_log_set_rank(rank, size);

    struct vc_batch_params p = vc_batch_default_params();
    struct vc_strv inputs = { 0 }, exts = { 0 }, classes = { 0 };
    int threads = 0, help = 0, first_pos = 0;
    const char *shard = NULL;
    const struct vc_opt opts[] = {
        { "model", VC_OPT_PATH, &p.model, 0, 0, NULL },
        { "weights", VC_OPT_PATH, &p.weights, 0, 0, NULL },
        { "classes", VC_OPT_LIST, &classes, 0, 0, &p.n_classes },
        { "resize", VC_OPT_STR, &p.resize, 0, 0, NULL },
        { "backbone", VC_OPT_STR, &p.backbone, 0, 0, NULL },
        { "precision", VC_OPT_STR, &p.precision, 0, 0, NULL },
        { "output", VC_OPT_PATH, &p.output, 0, 0, NULL },
        { "input", VC_OPT_PATHS, &inputs, 0, 0, &p.n_inputs },
        { "manifest", VC_OPT_PATH, &p.manifest, 0, 0, NULL },
        { "extensions", VC_OPT_LIST, &exts, 0, 0, &p.n_extensions },
        { "window", VC_OPT_INT, &p.window, 1, 1000000, NULL },
        { "smoothing", VC_OPT_STR, &p.smoothing, 0, 0, NULL },
        { "min_confidence", VC_OPT_DOUBLE, &p.min_confidence, 0.0, 1.0, NULL },
        { "min_segment", VC_OPT_DOUBLE, &p.min_segment, 0.0, 1e9, NULL },
        { "retry_failed", VC_OPT_BOOL, &p.retry_failed, 0, 0, NULL },
        { "shard", VC_OPT_STR, &shard, 0, 0, NULL },
        { "frame_stride", VC_OPT_INT, &p.frame_stride, 1, 1000000, NULL },
        { "batch_size", VC_OPT_INT, &p.batch_size, 1, 1024, NULL },
        { "threads", VC_OPT_INT, &threads, 1, 1024, NULL },
        { "decoder_threads", VC_OPT_INT, &p.decoder_threads, 0, 64, NULL },
        { "resume", VC_OPT_BOOL, &p.resume, 0, 0, NULL },
        { "annotate_dir", VC_OPT_PATH, &p.annotate_dir, 0, 0, NULL },
        { "annotate_text", VC_OPT_STR, &p.annotate_text, 0, 0, NULL },
        { "annotate_size", VC_OPT_INT, &p.annotate_size, 0, 1000, NULL },
        { "annotate_color", VC_OPT_STR, &p.annotate_color, 0, 0, NULL },
        { "quiet", VC_OPT_BOOL, &p.quiet, 0, 0, NULL },
        { "force", VC_OPT_BOOL, &p.force, 0, 0, NULL },
        { "summary_json", VC_OPT_PATH, &p.summary_json, 0, 0, NULL },
    };
    vc_config *cfg = NULL;
    int rc = vc_cli_parse(argc, argv, "run", opts, (int)(sizeof opts / sizeof opts[0]), &cfg, &help, &first_pos);
    p.inputs = inputs.v;
    p.extensions = exts.v;
    p.classes = classes.v;
    if (rc == VC_OK && !help && shard) {
        char end = 0;
        if (sscanf(shard, "%d/%d%c", &p.shard_index, &p.shard_count, &end) != 2 || p.shard_count < 1 ||
            p.shard_index < 0 || p.shard_index >= p.shard_count)
            rc = vc_error(VC_ERR_INVALID_ARG, "--shard wants I/N with 0 <= I < N (e.g. 0/4), got '%s'", shard);
    }
    if (rc == VC_OK && !help && first_pos < argc)
        rc = vc_error(VC_ERR_INVALID_ARG, "unexpected argument '%s' (inputs are given with --input)", argv[first_pos]);
    if (rc == VC_OK && !help && (!p.model || !p.output || (p.n_inputs == 0 && !p.manifest)))
        rc = vc_error(VC_ERR_INVALID_ARG, "model, weights, output and an input or a manifest are required (weights: "
                      "not with a Keras model file, which holds its base; see --help)");
    int status = 0;
    if (help) {
        if (rank == 0) usage(stdout);
    } else if (rc != VC_OK) {
        if (rank == 0) fprintf(stderr, "vidclass-batch: %s\n", vc_last_error());
        status = 2;
    } else {
        vc_blas_set_threads(vc_threads_choose(threads));
        struct vc_batch_result res;
        rc = vc_batch_run(&p, MPI_COMM_WORLD, &res);
        if (rc != VC_OK) {
            if (rank == 0) fprintf(stderr, "vidclass-batch: error: %s\n", vc_last_error());
            status = vc_exit_status(rc);
        } else {
            if (rank == 0)
                printf("classified %lld videos (%lld failed, %lld already done), %lld frames in %.1f s; results in %s\n",
                       (long long)res.n_done, (long long)res.n_failed, (long long)res.n_resumed, (long long)res.frames,
                       res.seconds, p.output);
            if (rank == 0 && res.n_failed_in_file > res.n_failed)
                printf("%lld videos in %s failed in an earlier run (see --no-retry-failed)\n",
                       (long long)(res.n_failed_in_file - res.n_failed), p.output);
            status = res.n_failed > 0 || res.n_failed_in_file > 0 ? 3 : 0;
        }
    }
    vc_config_free(&cfg);
    vc_strv_free(&inputs);
    vc_strv_free(&exts);
    vc_strv_free(&classes);
    MPI_Finalize();
    return status;
}
