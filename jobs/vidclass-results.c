/* vidclass-results - look at, export and merge results files of vidclass-batch
 * (vidclass/resultsfile.h; formats in docs/formats.md). */
#include "vidclass/cli.h"
#include "vidclass/fileguard.h"
#include "vidclass/resultsfile.h"
#include "vidclass/status.h"
#include "vidclass/version.h"

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
        "  --table T       export: videos, frames or segments                    [required]\n"
        "  --format F      export: csv or json (JSON lines)                           [csv]\n"
        "  --dedupe        merge: keep the first input's row of a video found twice\n"
        "  --force         replace an existing --output (never an input)\n"
        "  --output FILE   where to write (export: default stdout; merge: required);\n"
        "                  never one of the inputs; an existing file only with --force\n"
        "                  (merge: or a results file)\n"
        "  --config FILE   YAML file with an export: or merge: section (keys as the flags)\n"
        "  -v, --verbose   debug lines too (VIDCLASS_LOG=error|warn|info|debug)\n"
        "  --log-time      start log lines with the time (VIDCLASS_LOG_TIME=1)\n"
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

/* The usage puts the input files first ("export RESULTS.h5 --table ..."); vc_cli_parse stops
 * at the first non-flag, so move the leading file names behind the flags. */
static void files_last(int argc, char **argv)
{
    int k = 1;
    while (k < argc && argv[k][0] != '-') k++;
    for (int moved = 1; moved < k; moved++) {
        char *first = argv[1];
        memmove(argv + 1, argv + 2, sizeof(char *) * (size_t)(argc - 2));
        argv[argc - 1] = first;
    }
}

/* Parse a subcommand's flags (section export: or merge: of --config); 0 = go on, else the exit status. */
static int parse(int argc, char **argv, const char *section, const struct vc_opt *opts, int n, vc_config **cfg,
                 int *first)
{
    int help = 0;
    files_last(argc, argv);
    int rc = vc_cli_parse(argc, argv, section, opts, n, cfg, &help, first);
    if (help) {
        usage(stdout);
        return -1;
    }
    if (rc != VC_OK) {
        fprintf(stderr, "vidclass-results %s: %s\n", section, vc_last_error());
        return 2;
    }
    return 0;
}

static int cmd_export(int argc, char **argv)
{
    const char *table = NULL, *format = "csv", *output = NULL;
    int force = 0, first = 0;
    const struct vc_opt opts[] = {
        { "table", VC_OPT_STR, &table, 0, 0, NULL },
        { "format", VC_OPT_STR, &format, 0, 0, NULL },
        { "output", VC_OPT_PATH, &output, 0, 0, NULL },
        { "force", VC_OPT_BOOL, &force, 0, 0, NULL },
    };
    vc_config *cfg = NULL;
    int st = parse(argc, argv, "export", opts, (int)(sizeof opts / sizeof opts[0]), &cfg, &first);
    if (st != 0) {
        vc_config_free(&cfg);
        return st < 0 ? 0 : st;
    }
    int t = vc_results_table_parse(table), fm = vc_results_format_parse(format);
    if (first + 1 != argc || t < 0 || fm < 0) {
        fprintf(stderr, "vidclass-results export: one RESULTS.h5, --table videos|frames|segments and --format csv|json "
                        "are needed (see --help)\n");
        vc_config_free(&cfg);
        return 2;
    }
    const char *in[1] = { argv[first] };
    int rc = output ? vc_output_check(output, "--output", in, 1, force, NULL) : VC_OK;
    FILE *out = rc == VC_OK && output ? fopen(output, "w") : stdout;
    if (rc == VC_OK && !out) rc = vc_error(VC_ERR_IO, "cannot write '%s'", output);
    if (rc == VC_OK) rc = vc_results_export(argv[first], t, fm, out);
    if (out && out != stdout && fclose(out) != 0 && rc == VC_OK) rc = vc_error(VC_ERR_IO, "cannot write '%s'", output);
    vc_config_free(&cfg);
    return rc == VC_OK ? 0 : fail(rc);
}

static int cmd_merge(int argc, char **argv)
{
    const char *output = NULL;
    int dedupe = 0, force = 0, first = 0;
    const struct vc_opt opts[] = {
        { "output", VC_OPT_PATH, &output, 0, 0, NULL },
        { "dedupe", VC_OPT_BOOL, &dedupe, 0, 0, NULL },
        { "force", VC_OPT_BOOL, &force, 0, 0, NULL },
    };
    vc_config *cfg = NULL;
    int st = parse(argc, argv, "merge", opts, (int)(sizeof opts / sizeof opts[0]), &cfg, &first);
    if (st == 0 && (!output || first >= argc)) {
        fprintf(stderr, "vidclass-results merge: input files and --output are needed (see --help)\n");
        st = 2;
    }
    int64_t n = 0;
    int rc = st == 0 ? vc_results_merge((const char *const *)argv + first, argc - first, output, dedupe, force, &n) : VC_OK;
    if (st == 0 && rc == VC_OK) printf("merged %d files into %s: %lld videos\n", argc - first, output, (long long)n);
    vc_config_free(&cfg);
    if (st != 0) return st < 0 ? 0 : st;
    return rc == VC_OK ? 0 : fail(rc);
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
