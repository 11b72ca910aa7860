/*
 * vidclass/config.h - YAML configuration files (libyaml), one section per tool.
 *
 *     pack:
 *       input: datasets/sports
 *       classes: [football, tennis, weight_lifting]
 *       size: 224
 *     train:
 *       epochs: 25
 *
 * A file is a mapping of sections; each section maps keys to scalars or to sequences of
 * scalars. Syntax errors and wrong types are VC_ERR_CONFIG with "file:line:column: ...".
 * Unknown keys are reported as warnings with their line (vc_config_warn_unknown), so a typo
 * never passes silently. Tools fill their *_params from a section, then let command-line
 * flags override; modules never read YAML themselves.
 */
#ifndef VIDCLASS_CONFIG_H
#define VIDCLASS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_config vc_config;

/** The getters return this (positive, not an error) when the key is absent. */
#define VC_CONFIG_ABSENT 1

/** Parse `path`. On success *out is owned by the caller (vc_config_free). */
int vc_config_load(const char *path, vc_config **out);

/** Parse a YAML string (tests); `name` is used in messages. */
int vc_config_load_string(const char *yaml, const char *name, vc_config **out);

void vc_config_free(vc_config **cfg);

/** 1 if the file has a section called `section`. */
int vc_config_has_section(const vc_config *cfg, const char *section);

/** The file's name and its section names ("run, train"), for messages. Borrowed / filled. */
const char *vc_config_name(const vc_config *cfg);
void vc_config_section_list(const vc_config *cfg, char *buf, size_t len);

/** Scalar as a string. Borrowed: valid until vc_config_free. */
int vc_config_get_str(vc_config *cfg, const char *section, const char *key, const char **out);

/** Integer in [min, max]; anything else is a located VC_ERR_CONFIG. */
int vc_config_get_int(vc_config *cfg, const char *section, const char *key, int64_t min,
                      int64_t max, int64_t *out);

/** Number in [min, max]. */
int vc_config_get_double(vc_config *cfg, const char *section, const char *key, double min,
                         double max, double *out);

/** true/false/yes/no/on/off/1/0. */
int vc_config_get_bool(vc_config *cfg, const char *section, const char *key, int *out);

/** A sequence of scalars (or one scalar, as a 1-element list). *items borrowed. */
int vc_config_get_list(vc_config *cfg, const char *section, const char *key,
                       const char *const **items, int *n);

/** Paths in a config file are relative to the file's folder: join that folder to each
 *  relative item of section.key, in place (once; absolute paths and configs loaded from a
 *  string are left as they are). Absent keys are fine. */
int vc_config_resolve_paths(vc_config *cfg, const char *section, const char *key);

/**
 * Warn (VC_LOG_WARN, "file:line: unknown key 'section.key' ignored") about every key of
 * `section` not in `known`. Returns the number of unknown keys.
 */
int vc_config_warn_unknown(const vc_config *cfg, const char *section,
                           const char *const *known, int n_known);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_CONFIG_H */
