/* vidclass-predict: the reference tutorial's single-video tool on vidclass-batch's code
 * path: classify every frame of one video, smooth, and write the labelled video. */
#include "vidclass/batch.h"
#include "vidclass/cli.h"
#include "vidclass/gemm.h"
#include "vidclass/log.h"
#include "vidclass/model.h"
#include "vidclass/status.h"
#include "vidclass/version.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vidclass-predict --model M.h5 --weights W.h5 -i in.mp4 -o out.mp4 [--size 128]\n"
        "       vidclass-predict --model activity.model --classes A,B,C -i in.mp4 -o out.mp4\n"
        "\n"
        "Classify every frame of one video, smooth the labels with a rolling average of the\n"
        "last SIZE predictions, draw the label on every frame and write OUT (H.264 MP4, same\n"
        "size and frame rate). Prints the video's label. Same code path as vidclass-batch.\n"
        "\n"
        "  --config FILE       YAML file with a predict: section (keys as the flags;\n"
        "                      video_output: is -o)\n"
        "  --model FILE        vidclass-train model.h5, or a Keras model file (the\n"
        "                      tutorial's activity.model)                           [required]\n"
        "  --weights FILE      base weights the vidclass model was trained on (not with\n"
        "                      a Keras model file, which holds its base)\n"
        "  --classes A,B,...   class names in the order of the model's outputs; required\n"
        "                      for a Keras model file (the tutorial's lb.pickle: sorted,\n"
        "                      e.g. football,tennis,weight_lifting)\n"
        "  --resize MODE       linear (cv2.resize) or area; default: the model's\n"
        "  -i, --input FILE    input video                                          [required]\n"
        "  -o, --output FILE   labelled output video (.mp4)                         [required]\n"
        "  --size K            rolling-average window (the tutorial's --size)       [128]\n"
        "  --results FILE      also write the per-frame results HDF5 (docs/formats.md)\n"
        "  --frame-stride S    classify every S-th frame                            [1]\n"
        "  --batch-size N      frames per forward pass                              [16]\n"
        "  --precision P       the network's products: fp32, bf16 (rounded to bfloat16,\n"
        "                      sums in float32; AMX-BF16 or AVX512_BF16 CPUs only) or\n"
        "                      int8 (the convolutions but the first in bytes; AMX-INT8\n"
        "                      or AVX512_VNNI CPUs only): faster, close but not equal\n"
        "                                                                               [fp32]\n"
        "  --threads N         BLAS threads                     [CPUs available]\n"
        "  --annotate-text FMT the text drawn; {label} and {confidence} are replaced\n"
        "                                                    [\"activity: {label}\"]\n"
        "  --annotate-size PX  font size                     [0: a twelfth of the height]\n"
        "  --annotate-color C  text colour: a name or 0xRRGGBB[@alpha]         [green]\n"
        "  --force             replace an existing -o file that is not a labelled copy\n"
        "                      vidclass wrote (never the input, model or weights)\n"
        "  -v, --verbose       progress and debug lines (VIDCLASS_LOG=error|warn|info|debug)\n"
        "  --log-time          start log lines with the time (VIDCLASS_LOG_TIME=1)\n"
        "  --help              this text\n"
        "  --version           version, git revision, build options and library versions\n"
        "\n"
        "Exit status: 0 ok, 3 the video could not be (fully) decoded, 2 usage or configuration\n"
        "error, 1 other error.\n");
}

int main(int argc, char **argv)
{
    if (vc_version_requested(argc, argv)) { /* before MPI and before any file is read */
        vc_version_print(stdout, "vidclass-predict");
        return 0;
    }
    /* the tutorial's short flags */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-i") == 0) argv[i] = "--input";
        else if (strcmp(argv[i], "-o") == 0) argv[i] = "--video-output";
        else if (strcmp(argv[i], "--output") == 0) argv[i] = "--video-output";
    }
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "vidclass-predict: MPI_Init failed\n");
        return 1;
    }
    struct vc_batch_params p = vc_batch_default_params();
    struct vc_strv inputs = { 0 }, classes = { 0 };
    int threads = 0, help = 0, first_pos = 0;
    p.quiet = 1;
    const struct vc_opt opts[] = {
        { "model", VC_OPT_PATH, &p.model, 0, 0, NULL },
        { "weights", VC_OPT_PATH, &p.weights, 0, 0, NULL },
        { "classes", VC_OPT_LIST, &classes, 0, 0, &p.n_classes },
        { "resize", VC_OPT_STR, &p.resize, 0, 0, NULL },
        { "input", VC_OPT_PATHS, &inputs, 0, 0, &p.n_inputs },
        { "video_output", VC_OPT_PATH, &p.annotate_file, 0, 0, NULL },
        { "results", VC_OPT_PATH, &p.output, 0, 0, NULL },
        { "size", VC_OPT_INT, &p.window, 1, 1000000, NULL },
        { "frame_stride", VC_OPT_INT, &p.frame_stride, 1, 1000000, NULL },
        { "batch_size", VC_OPT_INT, &p.batch_size, 1, 1024, NULL },
        { "threads", VC_OPT_INT, &threads, 1, 1024, NULL },
        { "precision", VC_OPT_STR, &p.precision, 0, 0, NULL },
        { "force", VC_OPT_BOOL, &p.force, 0, 0, NULL },
        { "annotate_text", VC_OPT_STR, &p.annotate_text, 0, 0, NULL },
        { "annotate_size", VC_OPT_INT, &p.annotate_size, 0, 1000, NULL },
        { "annotate_color", VC_OPT_STR, &p.annotate_color, 0, 0, NULL },
    };
    vc_config *cfg = NULL;
    int rc = vc_cli_parse(argc, argv, "predict", opts, (int)(sizeof opts / sizeof opts[0]), &cfg, &help, &first_pos);
    p.inputs = inputs.v;
    p.classes = classes.v;
    p.resume = 0;
    if (rc == VC_OK && !help && (!p.model || p.n_inputs != 1 || !p.annotate_file))
        rc = vc_error(VC_ERR_INVALID_ARG, "--model, one -i input and -o output are required (see --help)");
    int status = 0;
    if (help) {
        usage(stdout);
    } else if (rc != VC_OK) {
        fprintf(stderr, "vidclass-predict: %s\n", vc_last_error());
        status = 2;
    } else {
        vc_blas_set_threads(vc_threads_choose(threads));
        struct vc_batch_result res;
        rc = vc_batch_run(&p, MPI_COMM_WORLD, &res);
        if (rc != VC_OK) {
            fprintf(stderr, "vidclass-predict: error: %s\n", vc_last_error());
            status = vc_exit_status(rc);
        } else {
            vc_model *m = NULL;
            const char *name = "?";
            if (res.last_label >= 0 && p.n_classes > res.last_label)
                name = classes.v[res.last_label];
            else if (res.last_label >= 0 && vc_model_load(p.model, &m) == VC_OK && vc_model_meta(m)->has_class_names)
                name = vc_model_meta(m)->class_names[res.last_label];
            if (res.n_failed > 0)
                printf("%s: could not be classified (see the warning above)\n", inputs.v[0]);
            else
                printf("%s: %s (confidence %.3f, %lld frames classified) -> %s\n", inputs.v[0], name,
                       res.last_confidence, (long long)res.last_frames, p.annotate_file);
            vc_model_free(&m);
            status = res.n_failed > 0 ? 3 : 0;
        }
    }
    vc_config_free(&cfg);
    vc_strv_free(&inputs);
    vc_strv_free(&classes);
    MPI_Finalize();
    return status;
}
