/* cli.c - options declared once, filled from a YAML section and then from flags. */
#include "vidclass/cli.h"
#include "vidclass/log.h"
#include "vidclass/preprocess.h"
#include "vidclass/status.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vc_strv_free(struct vc_strv *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

int vc_strv_push(struct vc_strv *s, const char *item)
{
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        const char **v = realloc(s->v, sizeof(char *) * (size_t)cap);
        if (!v) return VC_NOMEM;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = item;
    return VC_OK;
}

static void flag_name(const char *key, char *out, size_t len)
{
    snprintf(out, len, "%s", key);
    for (char *c = out; *c; c++)
        if (*c == '_') *c = '-';
}

static int apply_value(const struct vc_opt *o, const char *v, const char *where)
{
    char *end = NULL;
    errno = 0;
    switch (o->type) {
    case VC_OPT_STR:
    case VC_OPT_PATH:
        *(const char **)o->ptr = v;
        return VC_OK;
    case VC_OPT_INT: {
        long long x = strtoll(v, &end, 10);
        if (!*v || *end || errno || x < o->min || x > o->max)
            return vc_error(VC_ERR_INVALID_ARG, "%s must be an integer in [%.0f, %.0f], got '%s'", where, o->min, o->max, v);
        *(int *)o->ptr = (int)x;
        return VC_OK;
    }
    case VC_OPT_U64: {
        unsigned long long x = strtoull(v, &end, 10);
        if (!*v || *end || errno || v[0] == '-')
            return vc_error(VC_ERR_INVALID_ARG, "%s must be a non-negative integer, got '%s'", where, v);
        *(uint64_t *)o->ptr = x;
        return VC_OK;
    }
    case VC_OPT_DOUBLE: {
        double x = strtod(v, &end);
        if (!*v || *end || !isfinite(x) || x < o->min || x > o->max)
            return vc_error(VC_ERR_INVALID_ARG, "%s must be a number in [%g, %g], got '%s'", where, o->min, o->max, v);
        *(double *)o->ptr = x;
        return VC_OK;
    }
    case VC_OPT_BOOL:
        *(int *)o->ptr = 1;
        return VC_OK;
    case VC_OPT_PATHS: {
        struct vc_strv *items = o->ptr;
        int rc = vc_strv_push(items, v);
        *o->count = items->n;
        return rc;
    }
    case VC_OPT_LIST: {
        /* comma-separated; the string must outlive the options (argv does) */
        struct vc_strv *items = o->ptr;
        int rc = VC_OK;
        items->n = 0;
        for (char *tok = strtok((char *)v, ","); tok && rc == VC_OK; tok = strtok(NULL, ","))
            if (*tok) rc = vc_strv_push(items, tok);
        *o->count = items->n;
        return rc;
    }
    case VC_OPT_PREPROCESS: {
        int rc = vc_preprocess_parse(v, o->ptr);
        return rc == VC_OK ? VC_OK : vc_error(rc, "%s: %s", where, vc_last_error());
    }
    }
    return VC_ERR_INVALID_ARG;
}

/* Fill options from the YAML section; types are checked with the config's locations. */
static int apply_config(vc_config *c, const char *section, const struct vc_opt *opts, int n)
{
    if (!vc_config_has_section(c, section)) { /* a typo'd or missing section must not pass silently */
        char found[512];
        vc_config_section_list(c, found, sizeof found);
        return vc_error(VC_ERR_CONFIG, "%s: no '%s:' section, which this tool reads (sections found: %s)",
                        vc_config_name(c), section, found);
    }
    const char *keys[128] = { 0 };
    for (int i = 0; i < n && i < 128; i++)
        keys[i] = opts[i].key;
    vc_config_warn_unknown(c, section, keys, n < 128 ? n : 128);
    for (int i = 0; i < n; i++) {
        const struct vc_opt *o = &opts[i];
        int rc = VC_OK, b;
        int64_t v;
        const char *s;
        const char *const *items;
        int cnt;
        switch (o->type) {
        case VC_OPT_STR: rc = vc_config_get_str(c, section, o->key, (const char **)o->ptr); break;
        case VC_OPT_PATH:
            rc = vc_config_resolve_paths(c, section, o->key);
            if (rc == VC_OK) rc = vc_config_get_str(c, section, o->key, (const char **)o->ptr);
            break;
        case VC_OPT_INT:
            rc = vc_config_get_int(c, section, o->key, (int64_t)o->min, (int64_t)o->max, &v);
            if (rc == VC_OK) *(int *)o->ptr = (int)v;
            break;
        case VC_OPT_U64:
            rc = vc_config_get_int(c, section, o->key, 0, INT64_MAX, &v);
            if (rc == VC_OK) *(uint64_t *)o->ptr = (uint64_t)v;
            break;
        case VC_OPT_DOUBLE: rc = vc_config_get_double(c, section, o->key, o->min, o->max, (double *)o->ptr); break;
        case VC_OPT_BOOL:
            rc = vc_config_get_bool(c, section, o->key, &b);
            if (rc == VC_OK) *(int *)o->ptr = b;
            break;
        case VC_OPT_LIST:
        case VC_OPT_PATHS:
            if (o->type == VC_OPT_PATHS) rc = vc_config_resolve_paths(c, section, o->key);
            if (rc == VC_OK) rc = vc_config_get_list(c, section, o->key, &items, &cnt);
            if (rc == VC_OK) {
                struct vc_strv *dst = o->ptr;
                dst->n = 0;
                for (int k = 0; k < cnt && rc == VC_OK; k++) rc = vc_strv_push(dst, items[k]);
                *o->count = dst->n;
            }
            break;
        case VC_OPT_PREPROCESS:
            rc = vc_config_get_str(c, section, o->key, &s);
            if (rc == VC_OK && vc_preprocess_parse(s, o->ptr) != VC_OK)
                rc = vc_error(VC_ERR_CONFIG, "config: '%s.%s': %s", section, o->key, vc_last_error());
            break;
        }
        if (rc < 0)
            return rc;
    }
    return VC_OK;
}

int vc_cli_parse(int argc, char **argv, const char *section, const struct vc_opt *opts, int n,
                 vc_config **cfg, int *help, int *first_positional)
{
    *cfg = NULL;
    *help = 0;
    struct option *lo = calloc(2 * (size_t)n + 5, sizeof *lo);
    char (*names)[64] = calloc(2 * (size_t)n, sizeof *names);
    int *seen = calloc((size_t)n, sizeof(int)); /* PATHS: the first flag replaces the config's list */
    if (!lo || !names || !seen) {
        free(lo);
        free(names);
        free(seen);
        return VC_NOMEM;
    }
    int nl = 0;
    for (int i = 0; i < n; i++) {
        flag_name(opts[i].key, names[i], sizeof names[i]);
        lo[nl++] = (struct option){ names[i], opts[i].type == VC_OPT_BOOL ? no_argument : required_argument, NULL, 1000 + i };
        if (opts[i].type == VC_OPT_BOOL) {
            snprintf(names[n + i], sizeof names[n + i], "no-%s", names[i]);
            lo[nl++] = (struct option){ names[n + i], no_argument, NULL, 2000 + i };
        }
    }
    lo[nl] = (struct option){ "config", required_argument, NULL, 'C' };
    lo[nl + 1] = (struct option){ "help", no_argument, NULL, 'h' };
    lo[nl + 2] = (struct option){ "verbose", no_argument, NULL, 'v' };
    lo[nl + 3] = (struct option){ "log-time", no_argument, NULL, 'T' };
    int quiet = -1; /* the tool's "quiet" option, which -q sets */
    for (int i = 0; i < n; i++)
        if (opts[i].type == VC_OPT_BOOL && strcmp(opts[i].key, "quiet") == 0) quiet = i;
    const char *shorts = quiet >= 0 ? "+hqv" : "+hv";
    int rc = VC_OK, c, verbose = 0;
    const char *config = NULL;
    /* pass 1: --config and --help; unknown options are errors */
    opterr = 0;
    optind = 0;
    while (rc == VC_OK && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        if (c == 'C') config = optarg;
        else if (c == 'h') *help = 1;
        else if (c == '?') rc = vc_error(VC_ERR_INVALID_ARG, "unknown option or missing value: '%s' (see --help)", argv[optind - 1]);
    }
    if (rc == VC_OK && !*help && config) {
        rc = vc_config_load(config, cfg);
        if (rc == VC_OK) rc = apply_config(*cfg, section, opts, n);
    }
    /* pass 2: flags override the file */
    optind = 0;
    while (rc == VC_OK && !*help && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        if (c >= 1000 && c < 1000 + n) {
            const struct vc_opt *o = &opts[c - 1000];
            char where[80];
            snprintf(where, sizeof where, "--%s", names[c - 1000]);
            if (o->type == VC_OPT_PATHS && !seen[c - 1000]++)
                *o->count = ((struct vc_strv *)o->ptr)->n = 0;
            rc = apply_value(o, optarg, where);
        } else if (c >= 2000 && c < 2000 + n) {
            *(int *)opts[c - 2000].ptr = 0; /* --no-<bool> */
        } else if (c == 'q') {
            *(int *)opts[quiet].ptr = 1;
        } else if (c == 'v') {
            verbose = 1;
        } else if (c == 'T') {
            vc_log_set_time(1);
        }
    }
    *first_positional = optind;
    /* --quiet: no info lines at all, from any module; --verbose: debug lines too (and progress) */
    if (rc == VC_OK && !*help && verbose) {
        if (quiet >= 0) *(int *)opts[quiet].ptr = 0;
        vc_log_set_level(VC_LOG_DEBUG);
    } else if (rc == VC_OK && !*help && quiet >= 0 && *(int *)opts[quiet].ptr) {
        vc_log_set_level(VC_LOG_WARN);
    }
    free(lo);
    free(names);
    free(seen);
    return rc;
}
