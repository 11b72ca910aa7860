/* vidclass-embed: 2048-d ResNet50 features of images and packs. */
#include "vidclass/cli.h"
#include "vidclass/embed.h"
#include "vidclass/fileguard.h"
#include "vidclass/gemm.h"
#include "vidclass/log.h"
#include "vidclass/status.h"
#include "vidclass/summary.h"
#include "vidclass/version.h"

#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vidclass-embed --weights W.h5 --output OUT.h5 [options] INPUT...\n"
        "       vidclass-embed --config FILE [options] [INPUT...]\n"
        "\n"
        "Compute the 2048-d ResNet50 feature (global average pool of the last block) of each\n"
        "input. An INPUT is an image file (any format FFmpeg decodes, detected by content,\n"
        "resized to SIZExSIZE ignoring aspect ratio) or an HDF5 pack with /images uint8\n"
        "[N,SIZE,SIZE,3] (see docs/formats.md).\n"
        "\n"
        "  --config FILE      YAML file with an embed: section (keys as the flags, input: a list)\n"
        "  --weights FILE     Keras ResNet50 notop weights (.h5)                 [required]\n"
        "  --output FILE      HDF5 output: /features float32 [N,2048], /paths   [required]\n"
        "  --preprocess MODE  caffe (Keras ImageNet weights) or rgb_mean        [caffe]\n"
        "  --batch N          images per forward pass                           [8]\n"
        "  --size N           input side in pixels                              [224]\n"
        "  --precision P      the network's products: fp32, bf16 (rounded to\n"
        "                     bfloat16, sums in float32; AMX-BF16 or AVX512_BF16\n"
        "                     CPUs only) or int8 (the convolutions but the first\n"
        "                     in bytes; AMX-INT8 or AVX512_VNNI CPUs only);\n"
        "                     recorded in the output                            [fp32]\n"
        "  --threads N        BLAS threads           [CPUs available to this process]\n"
        "  --input PATH       an INPUT as a flag (repeatable)\n"
        "  -q, --quiet        no progress lines\n"
        "  -v, --verbose      debug lines too (VIDCLASS_LOG=error|warn|info|debug)\n"
        "  --log-time         start log lines with the time (VIDCLASS_LOG_TIME=1)\n"
        "  --force            replace an existing --output vidclass did not write\n"
        "  --summary-json FILE also write the run's figures as JSON (docs/formats.md)\n"
        "  --help             this text\n"
        "  --version          version, git revision, build options and library versions\n"
        "\n"
        "Inputs that cannot be decoded are skipped with a warning and counted.\n"
        "Exit status: 0 all inputs embedded, 3 finished but some inputs failed,\n"
        "1 error (nothing written), 2 usage error.\n");
}

int main(int argc, char **argv)
{
    if (vc_version_requested(argc, argv)) { /* before MPI and before any file is read */
        vc_version_print(stdout, "vidclass-embed");
        return 0;
    }
    struct vc_embed_params p = vc_embed_default_params();
    struct vc_strv inputs = { 0 };
    int threads = 0, help = 0, first_pos = 0, n_inputs = 0;
    const char *summary = NULL;
    const struct vc_opt opts[] = {
        { "weights", VC_OPT_PATH, &p.weights, 0, 0, NULL },
        { "output", VC_OPT_PATH, &p.output, 0, 0, NULL },
        { "input", VC_OPT_PATHS, &inputs, 0, 0, &n_inputs },
        { "preprocess", VC_OPT_PREPROCESS, &p.preprocess, 0, 0, NULL },
        { "batch", VC_OPT_INT, &p.batch, 1, 1000000, NULL },
        { "size", VC_OPT_INT, &p.size, 32, 4096, NULL },
        { "threads", VC_OPT_INT, &threads, 1, 1024, NULL },
        { "precision", VC_OPT_STR, &p.precision, 0, 0, NULL },
        { "quiet", VC_OPT_BOOL, &p.quiet, 0, 0, NULL },
        { "force", VC_OPT_BOOL, &p.force, 0, 0, NULL },
        { "summary_json", VC_OPT_PATH, &summary, 0, 0, NULL },
    };
    vc_config *cfg = NULL;
    int rc = vc_cli_parse(argc, argv, "embed", opts, (int)(sizeof opts / sizeof opts[0]), &cfg, &help, &first_pos);
    for (int i = first_pos; rc == VC_OK && !help && i < argc; i++) /* INPUT... after the flags */
        rc = vc_strv_push(&inputs, argv[i]);
    if (rc == VC_OK && !help && (!p.weights || !p.output || inputs.n == 0))
        rc = vc_error(VC_ERR_INVALID_ARG, "--weights, --output and at least one INPUT are required (see --help)");
    if (rc == VC_OK && !help && summary) {
        const char *reads[2] = { p.weights, p.output };
        rc = vc_summary_check(summary, reads, 2);
        if (rc == VC_OK) rc = vc_output_not_input(summary, "--summary-json", inputs.v, inputs.n);
    }
    int status = 0;
    if (help) {
        usage(stdout);
    } else if (rc != VC_OK) {
        fprintf(stderr, "vidclass-embed: %s\n", vc_last_error());
        status = 2;
    } else {
        p.inputs = inputs.v;
        p.n_inputs = inputs.n;
        vc_blas_set_threads(vc_threads_choose(threads));
        struct vc_embed_result res = { 0, 0 };
        double t0 = vc_time_now();
        rc = vc_embed_run(&p, &res);
        double secs = vc_time_now() - t0;
        if (rc != VC_OK) {
            fprintf(stderr, "vidclass-embed: error: %s\n", vc_last_error());
            status = vc_exit_status(rc);
        } else {
            printf("wrote %lld feature rows to %s (%lld inputs skipped)\n", (long long)res.n_ok, p.output,
                   (long long)res.n_failed);
            status = res.n_failed > 0 ? 3 : 0;
            const struct vc_summary_item items[] = {
                { "rows", (double)res.n_ok, 1 }, { "skipped", (double)res.n_failed, 1 }, { "seconds", secs, 0 },
                { "images_per_second", secs > 0 ? (double)res.n_ok / secs : 0, 0 },
            };
            if (summary && vc_summary_write(summary, "vidclass-embed", items, 4) != VC_OK)
                fprintf(stderr, "vidclass-embed: warning: --summary-json: %s\n", vc_last_error());
        }
    }
    vc_config_free(&cfg);
    vc_strv_free(&inputs);
    return status;
}
