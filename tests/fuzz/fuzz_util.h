/* fuzz_util.h - helpers shared by the libFuzzer harnesses (tests/fuzz/). */
#ifndef VIDCLASS_FUZZ_UTIL_H
#define VIDCLASS_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The readers under test take paths: each input goes to one file per process, in
 * /dev/shm when it exists (no disk traffic). Returns the path, or NULL. */
static char fuzz_tmp_path[256];
static inline void fuzz_remove_tmp(void) { if (fuzz_tmp_path[0]) unlink(fuzz_tmp_path); }

static inline const char *fuzz_write_tmp(const uint8_t *data, size_t size, const char *ext)
{
    char *path = fuzz_tmp_path;
    if (!path[0]) atexit(fuzz_remove_tmp);
    snprintf(path, sizeof fuzz_tmp_path, "%s/vc-fuzz-%ld%s", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp",
             (long)getpid(), ext);
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    size_t w = size ? fwrite(data, 1, size, f) : 0;
    if (fclose(f) != 0 || w != size) return NULL;
    return path;
}

#endif
