/*
 * vidclass/summary.h - a run's figures as one JSON object (--summary-json FILE), the same
 * for every tool: the mark "vidclass_summary": 1, "tool", "vidclass_version", then the
 * tool's own figures (docs/formats.md, "Run summary"). Written atomically (temporary file,
 * fsync, rename); a rerun replaces a summary vidclass wrote, and nothing else.
 */
#ifndef VIDCLASS_SUMMARY_H
#define VIDCLASS_SUMMARY_H

#ifdef __cplusplus
extern "C" {
#endif

struct vc_summary_item {
    const char *key;
    double      value;
    int         is_int; /* written as a JSON integer */
};

/** VC_OK when `path` may take a summary: none of `reads` (NULLs skipped), and new or a summary
 *  vidclass wrote; else VC_ERR_INVALID_ARG naming --summary-json. Call before the work. */
int vc_summary_check(const char *path, const char *const *reads, int n_reads);

/** Write {mark, tool, version, items...} to `path`. */
int vc_summary_write(const char *path, const char *tool, const struct vc_summary_item *items, int n_items);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_SUMMARY_H */
