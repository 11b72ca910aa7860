/* hash.c - SHA-256 and MD5 of a file, streamed in 1 MiB blocks through libavutil. */
#include "vidclass/hash.h"
#include "vidclass/status.h"

#include <errno.h>
#include <libavutil/md5.h>
#include <libavutil/mem.h>
#include <libavutil/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Feed the file to update(ctx, ...) block by block; errors name the file. */
static int stream_file(const char *path, void *ctx, void (*update)(void *, const unsigned char *, size_t))
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vc_error(VC_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
    unsigned char *buf = malloc(1 << 20);
    int rc = buf ? VC_OK : vc_error(VC_ERR_NOMEM, "out of memory hashing '%s'", path);
    size_t n;
    while (rc == VC_OK && (n = fread(buf, 1, 1 << 20, f)) > 0)
        update(ctx, buf, n);
    if (rc == VC_OK && ferror(f))
        rc = vc_error(VC_ERR_IO, "error reading '%s': %s", path, strerror(errno));
    free(buf);
    fclose(f);
    return rc;
}

static void hex_of(const unsigned char *d, int n, char *hex)
{
    for (int i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
}

static void sha_update(void *ctx, const unsigned char *p, size_t n) { av_sha_update(ctx, p, n); }
static void md5_update(void *ctx, const unsigned char *p, size_t n) { av_md5_update(ctx, p, n); }

/* SHA-256 (sha = 1) or MD5 of a file as lowercase hex. */
static int digest_file(const char *path, int sha, char *hex)
{
    struct AVSHA *s = sha ? av_sha_alloc() : NULL;
    struct AVMD5 *m = sha ? NULL : av_md5_alloc();
    if (sha ? !s || av_sha_init(s, 256) < 0 : !m) {
        av_free(s);
        return vc_error(VC_ERR_NOMEM, "out of memory hashing '%s'", path);
    }
    if (m) av_md5_init(m);
    int rc = stream_file(path, sha ? (void *)s : (void *)m, sha ? sha_update : md5_update);
    unsigned char d[32];
    if (s) av_sha_final(s, d);
    else av_md5_final(m, d);
    if (rc == VC_OK) hex_of(d, sha ? 32 : 16, hex);
    av_free(s);
    av_free(m);
    return rc;
}

int vc_sha256_file(const char *path, char hex[65]) { return digest_file(path, 1, hex); }
int vc_md5_file(const char *path, char hex[33]) { return digest_file(path, 0, hex); }
