/* config.c - libyaml event stream -> a flat table of section.key entries with locations.
 * libyaml returns 1 for success and 0 for failure; this file converts to our convention. */
#define _POSIX_C_SOURCE 200809L
#include "vidclass/config.h"
#include "vidclass/log.h"
#include "vidclass/status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

/* Limits: configs are hand-written; these keep a hostile one from costing minutes. */
#define MAX_CONFIG_BYTES (64L << 20) /* 10,000 paths of 100 bytes are 1 MB */
#define MAX_KEYS         4096        /* section.key entries (a list is one key, of any length) */

struct entry {
    char  *section;
    char  *key;
    char **items;   /* one item for a scalar */
    int    n_items, cap_items;
    int    is_list;
    int    resolved; /* relative paths already joined to the config's folder */
    int    line, col; /* 1-based, of the value */
};

struct vc_config {
    char         *name;
    char         *dir;    /* the folder of the file, for relative paths; NULL: from a string */
    struct entry *e;
    int           n, cap;
    char        **sections;
    int           n_sections;
};

static int cfg_err(const vc_config *c, int line, int col, const char *fmt, const char *a, const char *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a ? a : "", b ? b : "");
    return vc_error(VC_ERR_CONFIG, "%s:%d:%d: %s", c->name, line, col, msg);
}

static struct entry *add_entry(vc_config *c, const char *section, const char *key, int line, int col)
{
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 32;
        struct entry *e = realloc(c->e, sizeof *e * (size_t)cap);
        if (!e) return NULL;
        c->e = e;
        c->cap = cap;
    }
    struct entry *e = &c->e[c->n];
    memset(e, 0, sizeof *e);
    e->section = strdup(section);
    e->key = strdup(key);
    e->line = line;
    e->col = col;
    if (!e->section || !e->key) return NULL;
    c->n++;
    return e;
}

static int push_item(struct entry *e, const char *v)
{
    if (e->n_items == e->cap_items) { /* doubling: a 10,000-item list is linear */
        int cap = e->cap_items ? 2 * e->cap_items : 4;
        char **it = realloc(e->items, sizeof(char *) * (size_t)cap);
        if (!it) return VC_NOMEM;
        e->items = it;
        e->cap_items = cap;
    }
    if (!(e->items[e->n_items] = strdup(v))) return VC_NOMEM;
    e->n_items++;
    return VC_OK;
}

static struct entry *find(const vc_config *c, const char *section, const char *key)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->e[i].section, section) == 0 && strcmp(c->e[i].key, key) == 0)
            return &c->e[i];
    return NULL;
}

/* States of the small parser over libyaml events. */
enum pstate { P_TOP, P_SECTION_KEY, P_KEY, P_VALUE, P_LIST };

static int parse(vc_config *c, yaml_parser_t *parser)
{
    yaml_event_t ev;
    enum pstate st = P_TOP;
    char section[256] = "", key[256] = "";
    struct entry *cur = NULL;
    int rc = VC_OK, done = 0, depth = 0;
    while (!done && rc == VC_OK) {
        if (!yaml_parser_parse(parser, &ev)) {
            return vc_error(VC_ERR_CONFIG, "%s:%lu:%lu: YAML syntax error: %s%s%s", c->name,
                            (unsigned long)parser->problem_mark.line + 1, (unsigned long)parser->problem_mark.column + 1,
                            parser->problem ? parser->problem : "unknown",
                            parser->context ? " " : "", parser->context ? parser->context : "");
        }
        int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
        const char *scalar = ev.type == YAML_SCALAR_EVENT ? (const char *)ev.data.scalar.value : NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_STREAM_START_EVENT: case YAML_DOCUMENT_START_EVENT: case YAML_DOCUMENT_END_EVENT: break;
        case YAML_ALIAS_EVENT:
            rc = cfg_err(c, line, col, "aliases are not supported%s%s", NULL, NULL);
            break;
        case YAML_MAPPING_START_EVENT:
            depth++;
            if (st == P_TOP && depth == 1) st = P_SECTION_KEY;
            else if (st == P_KEY && depth == 2) { /* section mapping opened */ }
            else if (st == P_VALUE) rc = cfg_err(c, line, col, "'%s.%s' must be a value or a list, not a mapping", section, key);
            else rc = cfg_err(c, line, col, "unexpected mapping%s%s", NULL, NULL);
            if (st == P_SECTION_KEY && depth == 2) st = P_KEY;
            break;
        case YAML_MAPPING_END_EVENT:
            depth--;
            if (depth == 1) st = P_SECTION_KEY;
            break;
        case YAML_SEQUENCE_START_EVENT:
            if (st == P_TOP) { rc = cfg_err(c, line, col, "the file must be a mapping of sections (pack:, train:, run:)%s%s", NULL, NULL); break; }
            if (st != P_VALUE) { rc = cfg_err(c, line, col, "unexpected list%s%s", NULL, NULL); break; }
            if (!(cur = add_entry(c, section, key, line, col))) { rc = VC_NOMEM; break; }
            cur->is_list = 1;
            st = P_LIST;
            break;
        case YAML_SEQUENCE_END_EVENT:
            st = P_KEY;
            break;
        case YAML_SCALAR_EVENT:
            if (st == P_TOP) {
                rc = cfg_err(c, line, col, "the file must be a mapping of sections (pack:, train:, run:)%s%s", NULL, NULL);
            } else if (st == P_SECTION_KEY) {
                snprintf(section, sizeof section, "%s", scalar);
                for (int i = 0; i < c->n_sections && rc == VC_OK; i++)
                    if (strcmp(c->sections[i], section) == 0)
                        rc = cfg_err(c, line, col, "section '%s' appears twice%s", section, NULL);
                char **s = realloc(c->sections, sizeof(char *) * (size_t)(c->n_sections + 1));
                if (!s) { rc = VC_NOMEM; break; }
                c->sections = s;
                c->sections[c->n_sections++] = strdup(section);
                /* next event must open the section's mapping */
                yaml_event_t nx;
                if (!yaml_parser_parse(parser, &nx)) {
                    rc = vc_error(VC_ERR_CONFIG, "%s:%lu:%lu: YAML syntax error: %s", c->name,
                                  (unsigned long)parser->problem_mark.line + 1,
                                  (unsigned long)parser->problem_mark.column + 1, parser->problem ? parser->problem : "");
                    break;
                }
                if (nx.type == YAML_MAPPING_START_EVENT) {
                    depth++;
                    st = P_KEY;
                } else if (!(nx.type == YAML_SCALAR_EVENT && nx.data.scalar.length == 0)) {
                    rc = cfg_err(c, (int)nx.start_mark.line + 1, (int)nx.start_mark.column + 1,
                                 "section '%s' must be a mapping of keys%s", section, NULL);
                }
                yaml_event_delete(&nx);
            } else if (st == P_KEY) {
                snprintf(key, sizeof key, "%s", scalar);
                if (c->n >= MAX_KEYS)
                    rc = cfg_err(c, line, col, "more than %s keys; a vidclass config has a few dozen%s", "4096", NULL);
                else if (find(c, section, key))
                    rc = cfg_err(c, line, col, "key '%s.%s' appears twice", section, key);
                st = P_VALUE;
            } else if (st == P_VALUE) {
                /* a YAML null (~, null, or nothing) leaves the key unset: the default holds */
                int is_null = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                              (!*scalar || strcmp(scalar, "~") == 0 || strcasecmp(scalar, "null") == 0);
                if (!is_null && (!(cur = add_entry(c, section, key, line, col)) || push_item(cur, scalar) != VC_OK))
                    rc = VC_NOMEM;
                st = P_KEY;
            } else if (st == P_LIST) {
                if (push_item(cur, scalar) != VC_OK) rc = VC_NOMEM;
            }
            break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    return rc;
}

static int load(vc_config **out, const char *name, FILE *f, const char *str)
{
    *out = NULL;
    vc_config *c = calloc(1, sizeof *c);
    if (!c || !(c->name = strdup(name))) {
        free(c);
        return VC_NOMEM;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        vc_config_free(&c);
        return vc_error(VC_ERR_NOMEM, "cannot initialise the YAML parser");
    }
    if (f) yaml_parser_set_input_file(&parser, f);
    else yaml_parser_set_input_string(&parser, (const unsigned char *)str, strlen(str));
    int rc = parse(c, &parser);
    yaml_parser_delete(&parser);
    if (rc != VC_OK) {
        vc_config_free(&c);
        return rc;
    }
    *out = c;
    return VC_OK;
}

int vc_config_load(const char *path, vc_config **out)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vc_error(VC_ERR_CONFIG, "config file '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_CONFIG_BYTES) {
        fclose(f);
        return vc_error(VC_ERR_CONFIG, "config file '%s': not a regular file of at most %ld MiB", path, MAX_CONFIG_BYTES >> 20);
    }
    int rc = load(out, path, f, NULL);
    fclose(f);
    if (rc == VC_OK) {
        const char *slash = strrchr(path, '/');
        (*out)->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
        if (!(*out)->dir) {
            vc_config_free(out);
            return VC_NOMEM;
        }
    }
    return rc;
}

int vc_config_load_string(const char *yaml, const char *name, vc_config **out)
{
    return load(out, name, NULL, yaml);
}

void vc_config_free(vc_config **cp)
{
    if (!cp || !*cp)
        return;
    vc_config *c = *cp;
    for (int i = 0; i < c->n; i++) {
        for (int j = 0; j < c->e[i].n_items; j++)
            free(c->e[i].items[j]);
        free(c->e[i].items);
        free(c->e[i].section);
        free(c->e[i].key);
    }
    for (int i = 0; i < c->n_sections; i++)
        free(c->sections[i]);
    free(c->sections);
    free(c->e);
    free(c->name);
    free(c->dir);
    free(c);
    *cp = NULL;
}

int vc_config_has_section(const vc_config *c, const char *section)
{
    for (int i = 0; i < c->n_sections; i++)
        if (strcmp(c->sections[i], section) == 0)
            return 1;
    return 0;
}

/* The single scalar of section.key, or ABSENT, or an error for a list. */
static int get_scalar(vc_config *c, const char *section, const char *key, struct entry **out)
{
    struct entry *e = find(c, section, key);
    if (!e)
        return VC_CONFIG_ABSENT;
    if (e->is_list || e->n_items != 1)
        return cfg_err(c, e->line, e->col, "'%s.%s' must be a single value, not a list", section, key);
    *out = e;
    return VC_OK;
}

int vc_config_get_str(vc_config *c, const char *section, const char *key, const char **out)
{
    struct entry *e;
    int rc = get_scalar(c, section, key, &e);
    if (rc == VC_OK)
        *out = e->items[0];
    return rc;
}

int vc_config_get_int(vc_config *c, const char *section, const char *key, int64_t min,
                      int64_t max, int64_t *out)
{
    struct entry *e;
    int rc = get_scalar(c, section, key, &e);
    if (rc != VC_OK)
        return rc;
    char *end;
    errno = 0;
    long long v = strtoll(e->items[0], &end, 10);
    if (!*e->items[0] || *end || errno || v < min || v > max)
        return vc_error(VC_ERR_CONFIG, "%s:%d:%d: '%s.%s' must be an integer in [%lld, %lld], got '%s'", c->name, e->line,
                        e->col, section, key, (long long)min, (long long)max, e->items[0]);
    *out = v;
    return VC_OK;
}

int vc_config_get_double(vc_config *c, const char *section, const char *key, double min,
                         double max, double *out)
{
    struct entry *e;
    int rc = get_scalar(c, section, key, &e);
    if (rc != VC_OK)
        return rc;
    char *end;
    double v = strtod(e->items[0], &end);
    if (!*e->items[0] || *end || !isfinite(v) || v < min || v > max)
        return vc_error(VC_ERR_CONFIG, "%s:%d:%d: '%s.%s' must be a number in [%g, %g], got '%s'", c->name, e->line,
                        e->col, section, key, min, max, e->items[0]);
    *out = v;
    return VC_OK;
}

int vc_config_get_bool(vc_config *c, const char *section, const char *key, int *out)
{
    struct entry *e;
    int rc = get_scalar(c, section, key, &e);
    if (rc != VC_OK)
        return rc;
    static const char *t[] = { "true", "yes", "on", "1" }, *f[] = { "false", "no", "off", "0" };
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(e->items[0], t[i]) == 0) { *out = 1; return VC_OK; }
        if (strcasecmp(e->items[0], f[i]) == 0) { *out = 0; return VC_OK; }
    }
    return cfg_err(c, e->line, e->col, "'%s' must be true or false, got '%s'", key, e->items[0]);
}

int vc_config_get_list(vc_config *c, const char *section, const char *key,
                       const char *const **items, int *n)
{
    struct entry *e = find(c, section, key);
    if (!e)
        return VC_CONFIG_ABSENT;
    *items = (const char *const *)e->items;
    *n = e->n_items;
    return VC_OK;
}

int vc_config_resolve_paths(vc_config *c, const char *section, const char *key)
{
    struct entry *e = find(c, section, key);
    if (!e || e->resolved || !c->dir || strcmp(c->dir, ".") == 0) return VC_OK;
    e->resolved = 1;
    for (int i = 0; i < e->n_items; i++) {
        const char *v = e->items[i];
        if (v[0] == '/' || v[0] == '\0') continue;
        size_t n = strlen(c->dir) + strlen(v) + 2;
        char *joined = malloc(n);
        if (!joined) return vc_error(VC_ERR_NOMEM, "out of memory resolving '%s.%s'", section, key);
        snprintf(joined, n, "%s/%s", c->dir, v);
        free(e->items[i]);
        e->items[i] = joined;
    }
    return VC_OK;
}

int vc_config_warn_unknown(const vc_config *c, const char *section, const char *const *known, int n_known)
{
    int unknown = 0;
    for (int i = 0; i < c->n; i++) {
        if (strcmp(c->e[i].section, section) != 0)
            continue;
        int ok = 0;
        for (int k = 0; k < n_known && !ok; k++)
            ok = strcmp(c->e[i].key, known[k]) == 0;
        if (!ok) {
            VC_LOG_WARN("%s:%d: unknown key '%s.%s' ignored", c->name, c->e[i].line, section, c->e[i].key);
            unknown++;
        }
    }
    return unknown;
}

const char *vc_config_name(const vc_config *c) { return c->name; }

void vc_config_section_list(const vc_config *c, char *buf, size_t len)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < c->n_sections && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%s:", i ? ", " : "", c->sections[i]);
    if (c->n_sections == 0) snprintf(buf, len, "none");
}
