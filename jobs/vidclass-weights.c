/* vidclass-weights: generate deterministic ResNet50 weights, or check a weights file. */
#include "vidclass/cli.h"
#include "vidclass/gemm.h"
#include "vidclass/hash.h"
#include "vidclass/resnet50.h"
#include "vidclass/fileguard.h"
#include "vidclass/status.h"
#include "vidclass/version.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vidclass-weights init --seed S --output FILE.h5 [--vlen-strings]\n"
        "                             [--root-group NAME] [--no-suffix] [--layout L]\n"
        "                             [--keras1-names]\n"
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
        "         --layout L        tf.keras (default: conv1_conv, ...), keras2.2 (conv1,\n"
        "                           bn_conv1, res2a_branch2a, ...: standalone Keras 2.2 and\n"
        "                           the v0.2 files, max pool without padding) or\n"
        "                           keras2.2-poolpad (the same with pool1_pad, keras_applications 1.0.8)\n"
        "         --keras1-names    weight names as Keras 1 wrote them (conv1_W:0, ...)\n"
        "         --force           replace an existing FILE that init did not write\n"
        "         --config FILE     YAML file with a weights: section (keys as the flags)\n"
        "check  Load FILE with every shape and value checked and BatchNorm folded; print the\n"
        "       layout, BatchNorm epsilon, pooling, and whether it is one of the official\n"
        "       ImageNet notop files (by MD5). Exit 0 if usable.\n"
        "-v, --verbose  debug lines too (VIDCLASS_LOG=error|warn|info|debug); --log-time: start\n"
        "               log lines with the time (VIDCLASS_LOG_TIME=1)\n"
        "--help this text; --version version, git revision, build options and library versions\n"
        "\n"
        "Exit status: 0 success, 1 error (message on stderr), 2 usage error.\n");
}

/* A file vidclass-weights init wrote (it may be written again). */
static int is_generated(const char *path) { return vc_h5_file_attr_is(path, "generator", "vidclass-weights"); }

static int cmd_init(int argc, char **argv)
{
    struct vc_resnet50_gen_params p = vc_resnet50_gen_default_params();
    const char *output = NULL, *layout = NULL;
    int force = 0, help = 0, first_pos = 0;
    const struct vc_opt opts[] = {
        { "seed", VC_OPT_U64, &p.seed, 0, 0, NULL },
        { "output", VC_OPT_PATH, &output, 0, 0, NULL },
        { "vlen_strings", VC_OPT_BOOL, &p.vlen_strings, 0, 0, NULL },
        { "root_group", VC_OPT_STR, &p.root_group, 0, 0, NULL },
        { "suffix", VC_OPT_BOOL, &p.name_suffix, 0, 0, NULL },
        { "layout", VC_OPT_STR, &layout, 0, 0, NULL },
        { "keras1_names", VC_OPT_BOOL, &p.keras1_names, 0, 0, NULL },
        { "force", VC_OPT_BOOL, &force, 0, 0, NULL },
    };
    vc_config *cfg = NULL;
    int rc = vc_cli_parse(argc, argv, "weights", opts, (int)(sizeof opts / sizeof opts[0]), &cfg, &help, &first_pos);
    if (rc == VC_OK && !help && layout) {
        if (strcmp(layout, "tf.keras") == 0) p.layout = VC_GEN_TF_KERAS;
        else if (strcmp(layout, "keras2.2") == 0) p.layout = VC_GEN_KERAS22;
        else if (strcmp(layout, "keras2.2-poolpad") == 0) p.layout = VC_GEN_KERAS22_POOLPAD;
        else rc = vc_error(VC_ERR_INVALID_ARG, "--layout must be tf.keras, keras2.2 or keras2.2-poolpad, got '%s'", layout);
    }
    if (rc == VC_OK && !help && (!output || first_pos != argc))
        rc = vc_error(VC_ERR_INVALID_ARG, "init: --output is required (and takes no other arguments)");
    if (help || rc != VC_OK) {
        if (help) usage(stdout);
        else fprintf(stderr, "vidclass-weights: %s\n", vc_last_error());
        vc_config_free(&cfg);
        return help ? 0 : 2;
    }
    rc = vc_output_check(output, "--output", NULL, 0, force, is_generated);
    if (rc == VC_OK) rc = vc_resnet50_generate_weights(output, &p);
    int status = 0;
    if (rc != VC_OK) {
        fprintf(stderr, "vidclass-weights: %s%s\n", rc == VC_ERR_INVALID_ARG ? "" : "error: ", vc_last_error());
        status = rc == VC_ERR_INVALID_ARG ? 2 : vc_exit_status(rc);
    } else {
        printf("wrote %s (ResNet50 notop, %d layers, seed %llu)\n", output, vc_resnet50_layer_count(),
               (unsigned long long)p.seed);
    }
    vc_config_free(&cfg);
    return status;
}

static int cmd_check(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0) {
        usage(argc == 2 ? stdout : stderr);
        return argc == 2 ? 0 : 2;
    }
    /* the official files, as keras.utils.get_file checks them (md5_hash) */
    static const struct { const char *md5, *what; } official[] = {
        { "a268eb855778b3df3c7506639542a6af", "deep-learning-models v0.2 (standalone Keras 2.2 / keras_applications)" },
        { "4d473c1dd8becc155b73f8504c6f6626", "tf.keras / Keras 3 applications" },
    };
    vc_resnet50 *net = NULL;
    char md5[33] = "";
    if (vc_resnet50_load(argv[1], NULL, &net) != VC_OK || vc_md5_file(argv[1], md5) != VC_OK) {
        fprintf(stderr, "vidclass-weights: error: %s\n", vc_last_error());
        vc_resnet50_free(&net);
        return 1;
    }
    struct vc_resnet50_desc d = vc_resnet50_describe(net);
    const char *known = NULL;
    for (size_t i = 0; i < sizeof official / sizeof official[0]; i++)
        if (strcmp(md5, official[i].md5) == 0) known = official[i].what;
    printf("%s: ResNet50 notop weights OK (53 convolutions + 53 BatchNorms, 318 tensors, shapes and values checked)\n"
           "  layout:      %s\n"
           "  BN epsilon:  %g%s",
           argv[1], d.layout, d.eps_min, d.eps_min != d.eps_max ? " .. " : "");
    if (d.eps_min != d.eps_max) printf("%g", d.eps_max);
    if (d.eps_from_config) printf(" (%d layers from the file's model_config)", d.eps_from_config);
    printf("\n  max pool:    3x3/2 %s\n  md5:         %s%s%s\n", d.pool_pad ? "after pool1_pad (1)" : "without padding",
           md5, known ? "  = the official ImageNet notop file of " : "  (not an official ImageNet file)", known ? known : "");
    vc_resnet50_free(&net);
    return 0;
}

int main(int argc, char **argv)
{
    if (vc_version_requested(argc, argv)) { /* before MPI and before any file is read */
        vc_version_print(stdout, "vidclass-weights");
        return 0;
    }
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
