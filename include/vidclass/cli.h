/*
 * vidclass/cli.h - one declaration per option gives both its YAML key and its flag.
 *
 * Each tool lists its options once ({"batch_size", VC_OPT_INT, &p.batch_size, 1, 1024});
 * vc_cli_parse then (1) loads --config FILE and fills the options from the tool's section
 * (unknown keys warned with their line), (2) applies command-line flags, which override
 * the file. The flag of key "batch_size" is --batch-size. Bools are flags without a value
 * (--resume, and --no-resume to turn off a default-on one) and true/false in YAML; lists
 * are comma-separated on the command line; path lists take a repeated flag.
 */
#ifndef VIDCLASS_CLI_H
#define VIDCLASS_CLI_H

#include "vidclass/config.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vc_opt_type {
    VC_OPT_STR,        /* const char **                         */
    VC_OPT_INT,        /* int *, in [min, max]                  */
    VC_OPT_U64,        /* uint64_t *                            */
    VC_OPT_DOUBLE,     /* double *, in [min, max]               */
    VC_OPT_BOOL,       /* int *                                 */
    VC_OPT_LIST,       /* struct vc_strv *, count ptr (any length) */
    VC_OPT_PREPROCESS, /* enum vc_preprocess_mode *             */
    VC_OPT_PATHS,      /* like LIST, but the flag is repeatable and values are not split at commas */
    VC_OPT_PATH,       /* const char **, a file or folder                                          */
};
/* VC_OPT_PATH and VC_OPT_PATHS values from a config file are relative to the file's folder
 * (vc_config_resolve_paths); on the command line, to the working directory. */

struct vc_opt {
    const char      *key;
    enum vc_opt_type type;
    void            *ptr;
    double           min, max;
    int             *count; /* VC_OPT_LIST, VC_OPT_PATHS: number of items (also in the vc_strv) */
};

/* A growing list of borrowed strings (the values point into argv or the config). */
struct vc_strv {
    const char **v;
    int          n, cap;
};
void vc_strv_free(struct vc_strv *s);
/** Append a borrowed string (VC_ERR_NOMEM with a message on failure). */
int vc_strv_push(struct vc_strv *s, const char *item);

/**
 * Parse argv. On success *cfg holds the loaded config (or NULL); strings in the options
 * may point into it or into argv, so free it only after the options are used. *help is
 * set when --help was given. Positional arguments are returned through *first_positional
 * (index into argv; == argc when none). Errors: VC_ERR_INVALID_ARG / VC_ERR_CONFIG with a
 * message naming the flag or the file:line:col.
 */
int vc_cli_parse(int argc, char **argv, const char *section, const struct vc_opt *opts, int n_opts,
                 vc_config **cfg, int *help, int *first_positional);

#ifdef __cplusplus
}
#endif
#endif
