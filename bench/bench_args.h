/* bench_args.h - what the benchmark programs share: comma-separated integer lists
 * ("-b 1,8,32"). Header-only; benchmarks are not part of the library. */
#ifndef VIDCLASS_BENCH_ARGS_H
#define VIDCLASS_BENCH_ARGS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses "1,8,32" into out[0..max-1]; returns how many values it read. */
static inline int bench_parse_list(const char *s, int *out, int max)
{
    int n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok && n < max; tok = strtok(NULL, ","))
        out[n++] = atoi(tok);
    return n;
}

#endif
