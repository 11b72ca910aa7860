/* vidclass-embed: 2048-d ResNet50 features of images and packs. */
#include "vidclass/embed.h"
#include "vidclass/gemm.h"
#include "vidclass/log.h"
#include "vidclass/status.h"
#include "vidclass/version.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vidclass-embed --weights W.h5 --output OUT.h5 [options] INPUT...\n"
        "\n"
        "Compute the 2048-d ResNet50 feature (global average pool of the last block) of each\n"
        "input. An INPUT is an image file (any format FFmpeg decodes, detected by content,\n"
        "resized to SIZExSIZE ignoring aspect ratio) or an HDF5 pack with /images uint8\n"
        "[N,SIZE,SIZE,3] (see docs/formats.md).\n"
        "\n"
        "  --weights FILE     Keras ResNet50 notop weights (.h5)                 [required]\n"
        "  --output FILE      HDF5 output: /features float32 [N,2048], /paths   [required]\n"
        "  --preprocess MODE  caffe (Keras ImageNet weights) or rgb_mean        [caffe]\n"
        "  --batch N          images per forward pass                           [8]\n"
        "  --size N           input side in pixels                              [224]\n"
        "  --threads N        BLAS threads           [CPUs available to this process]\n"
        "  --quiet            no progress lines\n"
        "  --force            replace an existing --output vidclass did not write\n"
        "  --help             this text\n"
        "  --version          version, git revision, build options and library versions\n"
        "\n"
        "Inputs that cannot be decoded are skipped with a warning and counted.\n"
        "Exit status: 0 all inputs embedded, 3 finished but some inputs failed,\n"
        "1 error (nothing written), 2 usage error.\n");
}

static int parse_pos_int(const char *opt, const char *s, int *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 1 || v > 1000000) {
        fprintf(stderr, "vidclass-embed: %s must be a positive integer, got '%s'\n", opt, s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    if (vc_version_requested(argc, argv)) { /* before MPI and before any file is read */
        vc_version_print(stdout, "vidclass-embed");
        return 0;
    }
    struct vc_embed_params p = vc_embed_default_params();
    int threads = 0;
    static const struct option opts[] = {
        { "weights", required_argument, NULL, 'w' },
        { "output", required_argument, NULL, 'o' },
        { "preprocess", required_argument, NULL, 'p' },
        { "batch", required_argument, NULL, 'b' },
        { "size", required_argument, NULL, 's' },
        { "threads", required_argument, NULL, 't' },
        { "quiet", no_argument, NULL, 'q' },
        { "force", no_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "w:o:b:t:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'w': p.weights = optarg; break;
        case 'f': p.force = 1; break;
        case 'o': p.output = optarg; break;
        case 'p':
            if (vc_preprocess_parse(optarg, &p.preprocess) != VC_OK) {
                fprintf(stderr, "vidclass-embed: %s\n", vc_last_error());
                return 2;
            }
            break;
        case 'b': if (parse_pos_int("--batch", optarg, &p.batch)) return 2; break;
        case 's': if (parse_pos_int("--size", optarg, &p.size)) return 2; break;
        case 't': if (parse_pos_int("--threads", optarg, &threads)) return 2; break;
        case 'q': p.quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!p.weights || !p.output || optind >= argc) {
        fprintf(stderr, "vidclass-embed: --weights, --output and at least one INPUT are required (see --help)\n");
        return 2;
    }
    if (p.size < 32) {
        fprintf(stderr, "vidclass-embed: --size must be at least 32\n");
        return 2;
    }
    p.inputs = (const char *const *)(argv + optind);
    p.n_inputs = argc - optind;
    vc_blas_set_threads(threads > 0 ? threads : vc_cpus_available());

    struct vc_embed_result res = { 0, 0 };
    int rc = vc_embed_run(&p, &res);
    if (rc != VC_OK) {
        fprintf(stderr, "vidclass-embed: error: %s\n", vc_last_error());
        return vc_exit_status(rc);
    }
    fprintf(stderr, "vidclass-embed: wrote %lld feature rows to %s (%lld inputs skipped)\n",
            (long long)res.n_ok, p.output, (long long)res.n_failed);
    return res.n_failed > 0 ? 3 : 0;
}
