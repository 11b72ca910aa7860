/* vidclass-pack: class folders of images -> one HDF5 training pack (MPI-parallel). */
#include "vidclass/config.h"
#include "vidclass/log.h"
#include "vidclass/pack.h"
#include "vidclass/status.h"

#include <getopt.h>
#include <stdint.h>
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
        "  --output FILE        pack to write (written as FILE.partial, renamed)  [required]\n"
        "  --classes A,B,...    only these classes (default: every sub-folder)\n"
        "  --size N             output side in pixels                           [224]\n"
        "  --test-fraction F    share of each class in the test split, [0, 1)   [0.25]\n"
        "  --seed S             split seed                                      [42]\n"
        "  --compress L         gzip level 1-9 for /images (0 = none)            [0]\n"
        "  --quiet              no progress lines\n"
        "  --help               this text\n"
        "\n"
        "Files that cannot be decoded are skipped with one line each (file and reason),\n"
        "listed in /skipped in the pack, and counted in the per-class summary.\n"
        "Exit status: 0 pack written (possibly with skipped files), 1 error (nothing\n"
        "written: missing input, unknown class, unwritable output, no decodable image),\n"
        "2 usage error.\n");
}

static int split_list(char *s, const char **items, int max)
{
    int n = 0;
    for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
        if (*tok)
            items[n++] = tok;
    return n;
}

/* Fill p from the pack: section of a YAML file (docs/configs.md). */
static int apply_config(const char *path, struct vc_pack_params *p, const char **classes, vc_config **cfgp)
{
    static const char *known[] = { "input", "output", "classes", "size", "test_fraction", "seed", "compress", "quiet" };
    int rc = vc_config_load(path, cfgp);
    if (rc != VC_OK)
        return rc;
    vc_config *c = *cfgp;
    vc_config_warn_unknown(c, "pack", known, 8);
    int64_t v;
    const char *const *items;
    int n, b;
    if ((rc = vc_config_get_str(c, "pack", "input", &p->input)) < 0) return rc;
    if ((rc = vc_config_get_str(c, "pack", "output", &p->output)) < 0) return rc;
    if ((rc = vc_config_get_list(c, "pack", "classes", &items, &n)) < 0) return rc;
    if (rc == VC_OK) {
        for (int i = 0; i < n && i < 256; i++)
            classes[i] = items[i];
        p->classes = classes;
        p->n_classes = n < 256 ? n : 256;
    }
    if ((rc = vc_config_get_int(c, "pack", "size", 32, 4096, &v)) < 0) return rc;
    if (rc == VC_OK) p->size = (int)v;
    if ((rc = vc_config_get_double(c, "pack", "test_fraction", 0.0, 0.999999, &p->test_fraction)) < 0) return rc;
    if ((rc = vc_config_get_int(c, "pack", "seed", 0, INT64_MAX, &v)) < 0) return rc;
    if (rc == VC_OK) p->seed = (uint64_t)v;
    if ((rc = vc_config_get_int(c, "pack", "compress", 0, 9, &v)) < 0) return rc;
    if (rc == VC_OK) p->deflate = (int)v;
    if ((rc = vc_config_get_bool(c, "pack", "quiet", &b)) < 0) return rc;
    if (rc == VC_OK) p->quiet = b;
    return VC_OK;
}

static int parse_args(int argc, char **argv, struct vc_pack_params *p, const char **classes, int *help,
                      vc_config **cfg)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'C' },
        { "input", required_argument, NULL, 'i' }, { "output", required_argument, NULL, 'o' },
        { "classes", required_argument, NULL, 'c' }, { "size", required_argument, NULL, 's' },
        { "test-fraction", required_argument, NULL, 'f' }, { "seed", required_argument, NULL, 'S' },
        { "compress", required_argument, NULL, 'z' }, { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int c;
    char *end;
    /* pass 1: --config and --help only; pass 2: every flag, overriding the config */
    const char *config = NULL;
    while ((c = getopt_long(argc, argv, "i:o:qh", opts, NULL)) != -1) {
        if (c == 'C') config = optarg;
        if (c == 'h') { *help = 1; return VC_OK; }
        if (c == '?') return vc_error(VC_ERR_INVALID_ARG, "unknown option (see --help)");
    }
    if (config) {
        int rc = apply_config(config, p, classes, cfg);
        if (rc != VC_OK) return rc;
    }
    optind = 0;
    while ((c = getopt_long(argc, argv, "i:o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'C': break;
        case 'i': p->input = optarg; break;
        case 'o': p->output = optarg; break;
        case 'c': p->n_classes = split_list(optarg, classes, 256); p->classes = classes; break;
        case 's':
            p->size = (int)strtol(optarg, &end, 10);
            if (*end || p->size < 32 || p->size > 4096) return vc_error(VC_ERR_INVALID_ARG, "--size must be an integer in [32, 4096], got '%s'", optarg);
            break;
        case 'f':
            p->test_fraction = strtod(optarg, &end);
            if (*end || !(p->test_fraction >= 0.0 && p->test_fraction < 1.0))
                return vc_error(VC_ERR_INVALID_ARG, "--test-fraction must be a number in [0, 1), got '%s'", optarg);
            break;
        case 'S':
            p->seed = strtoull(optarg, &end, 10);
            if (*end || !*optarg) return vc_error(VC_ERR_INVALID_ARG, "--seed must be a non-negative integer, got '%s'", optarg);
            break;
        case 'z':
            p->deflate = (int)strtol(optarg, &end, 10);
            if (*end || p->deflate < 0 || p->deflate > 9) return vc_error(VC_ERR_INVALID_ARG, "--compress must be 0..9, got '%s'", optarg);
            break;
        case 'q': p->quiet = 1; break;
        case 'h': *help = 1; return VC_OK;
        default: return vc_error(VC_ERR_INVALID_ARG, "unknown option (see --help)");
        }
    }
    if (optind != argc)
        return vc_error(VC_ERR_INVALID_ARG, "unexpected argument '%s'", argv[optind]);
    if (!p->input || !p->output)
        return vc_error(VC_ERR_INVALID_ARG, "--input and --output are required, as flags or in the config's pack: section (see --help)");
    return VC_OK;
}

int main(int argc, char **argv)
{
    int rank = 0, size = 1, help = 0;
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) {
        fprintf(stderr, "vidclass-pack: MPI_Init failed\n");
        return 1;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    vc_log_set_rank(rank, size);
    opterr = rank == 0;

    struct vc_pack_params p = vc_pack_default_params();
    const char *classes[256];
    vc_config *cfg = NULL; /* owns the strings p points into: freed at the end */
    int rc = parse_args(argc, argv, &p, classes, &help, &cfg);
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
            status = 1;
        } else if (rank == 0) {
            printf("packed %lld of %lld files into %s (%lld train, %lld test, %lld skipped) in %.1f s with %d rank%s\n",
                   (long long)res.n_packed, (long long)res.n_files, p.output, (long long)res.n_train,
                   (long long)res.n_test, (long long)res.n_skipped, res.seconds, size, size > 1 ? "s" : "");
        }
    }
    vc_config_free(&cfg);
    MPI_Finalize();
    return status;
}
