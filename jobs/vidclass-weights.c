/* vidclass-weights: generate deterministic ResNet50 weights, or check a weights file. */
#include "vidclass/gemm.h"
#include "vidclass/resnet50.h"
#include "vidclass/status.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vidclass-weights init --seed S --output FILE.h5 [--vlen-strings]\n"
        "                             [--root-group NAME] [--no-suffix]\n"
        "       vidclass-weights check FILE.h5\n"
        "\n"
        "init   Write pseudo-random ResNet50 (Keras include_top=False) weights in exactly the\n"
        "       layout of resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5. The same seed\n"
        "       gives byte-identical datasets on every machine. Use these for tests and demos\n"
        "       only: features from random weights are far less useful than ImageNet ones.\n"
        "         --seed S          64-bit seed (default 1234)\n"
        "         --output FILE     file to write (overwritten)\n"
        "         --vlen-strings    variable-length string attributes (as h5py 3 writes str)\n"
        "         --root-group NAME nest everything under NAME (e.g. model_weights)\n"
        "         --no-suffix       Keras 3 weight names (\"kernel\" instead of \"kernel:0\")\n"
        "check  Load FILE with every shape checked and BatchNorm folded; exit 0 if usable.\n"
        "\n"
        "Exit status: 0 success, 1 error (message on stderr), 2 usage error.\n");
}

static int cmd_init(int argc, char **argv)
{
    struct vc_resnet50_gen_params p = vc_resnet50_gen_default_params();
    const char *output = NULL;
    static const struct option opts[] = {
        { "seed", required_argument, NULL, 's' },
        { "output", required_argument, NULL, 'o' },
        { "vlen-strings", no_argument, NULL, 'v' },
        { "root-group", required_argument, NULL, 'r' },
        { "no-suffix", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "s:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': {
            char *end = NULL;
            p.seed = strtoull(optarg, &end, 10);
            if (!*optarg || *end) {
                fprintf(stderr, "vidclass-weights: --seed must be a non-negative integer, got '%s'\n", optarg);
                return 2;
            }
            break;
        }
        case 'o': output = optarg; break;
        case 'v': p.vlen_strings = 1; break;
        case 'r': p.root_group = optarg; break;
        case 'n': p.name_suffix = 0; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!output || optind != argc) {
        fprintf(stderr, "vidclass-weights init: --output is required (and takes no other arguments)\n");
        return 2;
    }
    int rc = vc_resnet50_generate_weights(output, &p);
    if (rc != VC_OK) {
        fprintf(stderr, "vidclass-weights: error: %s\n", vc_last_error());
        return 1;
    }
    printf("wrote %s (ResNet50 notop, %d layers, seed %llu)\n", output, vc_resnet50_layer_count(),
           (unsigned long long)p.seed);
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0) {
        usage(argc == 2 ? stdout : stderr);
        return argc == 2 ? 0 : 2;
    }
    vc_resnet50 *net = NULL;
    if (vc_resnet50_load(argv[1], &net) != VC_OK) {
        fprintf(stderr, "vidclass-weights: error: %s\n", vc_last_error());
        return 1;
    }
    printf("%s: ResNet50 notop weights OK (53 convolutions + 53 BatchNorms, 318 tensors, shapes checked)\n", argv[1]);
    vc_resnet50_free(&net);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    vc_blas_set_threads(1);
    if (strcmp(argv[1], "init") == 0)
        return cmd_init(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    fprintf(stderr, "vidclass-weights: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
