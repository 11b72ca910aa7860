/* vidclass-results - look at, export and merge results files of vidclass-batch
 * (vidclass/resultsfile.h; formats in docs/formats.md). */
#include "vidclass/fileguard.h"
#include "vidclass/resultsfile.h"
#include "vidclass/status.h"
#include "vidclass/version.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: vidclass-results summary RESULTS.h5\n"
        "       vidclass-results export RESULTS.h5 --table videos|frames|segments [--format csv|json]\n"
        "                               [--output FILE [--force]]\n"
        "       vidclass-results merge A.h5 B.h5 ... --output ALL.h5 [--dedupe] [--force]\n"
        "\n"
        "summary   the per-video table (status, label, confidence, frames, duration, segments,\n"
        "          path), the videos per class and every failure with its reason\n"
        "export    one table as CSV with a header row (default) or JSON lines, to stdout or\n"
        "          --output: videos (one row per video), frames (per classified frame, with\n"
        "          p_<class> columns), segments (runs of one smoothed label, with times);\n"
        "          label -1 is written \"unknown\" in label_name. Columns: docs/formats.md\n"
        "merge     results files of separate runs (Slurm array tasks, shards) made with the\n"
        "          same model and settings into one; a video in two inputs is an error\n"
        "          unless --dedupe (the first input's row is kept)\n"
        "\n"
        "  --output FILE   where to write (export: default stdout; merge: required);\n"
        "                  never one of the inputs; an existing file only with --force\n"
        "                  (merge: or a results file)\n"
        "  --help          this text\n"
        "  --version       version, git revision, build options and library versions\n"
        "\n"
        "Exit status: 0 ok (summary: 3 when some videos failed), 2 usage error or files\n"
        "that do not belong together, 1 other error.\n");
}

static int fail(int rc)
{
    fprintf(stderr, "vidclass-results: %s\n", vc_last_error());
    return vc_exit_status(rc);
}

static int cmd_export(int argc, char **argv)
{
    static const struct option lo[] = { { "table", required_argument, NULL, 't' }, { "format", required_argument, NULL, 'f' },
                                        { "output", required_argument, NULL, 'o' }, { "force", no_argument, NULL, 'F' },
                                        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
    const char *table = NULL, *format = "csv", *output = NULL;
    int force = 0, c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 't': table = optarg; break;
        case 'f': format = optarg; break;
        case 'o': output = optarg; break;
        case 'F': force = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    int t = vc_results_table_parse(table), fm = vc_results_format_parse(format);
    if (optind + 1 != argc || t < 0 || fm < 0) {
        fprintf(stderr, "vidclass-results export: one RESULTS.h5, --table videos|frames|segments and --format csv|json "
                        "are needed (see --help)\n");
        return 2;
    }
    const char *in[1] = { argv[optind] };
    int rc = output ? vc_output_check(output, "--output", in, 1, force, NULL) : VC_OK;
    FILE *out = rc == VC_OK && output ? fopen(output, "w") : stdout;
    if (rc == VC_OK && !out) rc = vc_error(VC_ERR_IO, "cannot write '%s'", output);
    if (rc == VC_OK) rc = vc_results_export(argv[optind], t, fm, out);
    if (out && out != stdout && fclose(out) != 0 && rc == VC_OK) rc = vc_error(VC_ERR_IO, "cannot write '%s'", output);
    return rc == VC_OK ? 0 : fail(rc);
}

static int cmd_merge(int argc, char **argv)
{
    static const struct option lo[] = { { "output", required_argument, NULL, 'o' }, { "dedupe", no_argument, NULL, 'd' },
                                        { "force", no_argument, NULL, 'F' }, { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
    const char *output = NULL;
    int dedupe = 0, force = 0, c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        switch (c) {
        case 'o': output = optarg; break;
        case 'd': dedupe = 1; break;
        case 'F': force = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!output || optind >= argc) {
        fprintf(stderr, "vidclass-results merge: input files and --output are needed (see --help)\n");
        return 2;
    }
    int64_t n = 0;
    int rc = vc_results_merge((const char *const *)argv + optind, argc - optind, output, dedupe, force, &n);
    if (rc != VC_OK) return fail(rc);
    printf("merged %d files into %s: %lld videos\n", argc - optind, output, (long long)n);
    return 0;
}

int main(int argc, char **argv)
{
    if (vc_version_requested(argc, argv)) { /* before MPI and before any file is read */
        vc_version_print(stdout, "vidclass-results");
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "summary") == 0) {
        if (argc != 3 || strcmp(argv[2], "--help") == 0) {
            usage(argc == 3 ? stdout : stderr);
            return argc == 3 ? 0 : 2;
        }
        struct vc_results_counts n;
        int rc = vc_results_summary(argv[2], stdout, &n);
        return rc != VC_OK ? fail(rc) : n.failed > 0 ? 3 : 0;
    }
    if (strcmp(argv[1], "export") == 0) return cmd_export(argc - 1, argv + 1);
    if (strcmp(argv[1], "merge") == 0) return cmd_merge(argc - 1, argv + 1);
    fprintf(stderr, "vidclass-results: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
