/* hash.c - SHA-256 of a file, streamed in 1 MiB blocks through libavutil. */
#include "vidclass/hash.h"
#include "vidclass/status.h"

#include <errno.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vc_sha256_file(const char *path, char hex[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vc_error(VC_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
    struct AVSHA *sha = av_sha_alloc();
    unsigned char *buf = malloc(1 << 20);
    int rc = VC_OK;
    if (!sha || !buf || av_sha_init(sha, 256) < 0) {
        rc = VC_ERR_NOMEM;
        goto done;
    }
    size_t n;
    while ((n = fread(buf, 1, 1 << 20, f)) > 0)
        av_sha_update(sha, buf, n);
    if (ferror(f)) {
        rc = vc_error(VC_ERR_IO, "error reading '%s'", path);
        goto done;
    }
    unsigned char d[32];
    av_sha_final(sha, d);
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
done:
    av_free(sha);
    free(buf);
    fclose(f);
    return rc;
}
