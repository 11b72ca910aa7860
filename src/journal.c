/* journal.c - append-only self-checking records with resynchronising reads (journal.h). */
#define _DEFAULT_SOURCE /* fdatasync */
#define _POSIX_C_SOURCE 200809L
#include "journal.h"
#include "vidclass/status.h"

#include <libavutil/crc.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define J_MAGIC    0x324A4356u /* "VCJ2" */
#define J_MAGIC_V1 0x314A4356u /* "VCJ1" */
#define J_FRAME    24
#define J_MAX_PAYLOAD ((uint64_t)1 << 36)

static uint32_t crc_of(uint32_t type, uint64_t len, const uint8_t *payload)
{
    const AVCRC *t = av_crc_get_table(AV_CRC_32_IEEE_LE);
    uint8_t h[12];
    memcpy(h, &type, 4);
    memcpy(h + 4, &len, 8);
    uint32_t c = av_crc(t, 0xFFFFFFFFu, h, sizeof h);
    return av_crc(t, c, payload, (size_t)len) ^ 0xFFFFFFFFu;
}

int vc_journal_append(int fd, const char *path, uint32_t type, const uint8_t *payload, size_t len)
{
    uint8_t *rec = malloc(J_FRAME + len);
    if (!rec) return vc_error(VC_ERR_NOMEM, "out of memory writing the journal '%s'", path);
    uint64_t n = len;
    uint32_t magic = J_MAGIC, crc = crc_of(type, n, payload), zero = 0;
    memcpy(rec, &magic, 4);
    memcpy(rec + 4, &type, 4);
    memcpy(rec + 8, &n, 8);
    memcpy(rec + 16, &crc, 4);
    memcpy(rec + 20, &zero, 4);
    if (len) memcpy(rec + J_FRAME, payload, len);
    const uint8_t *p = rec;
    size_t left = J_FRAME + len;
    int rc = VC_OK;
    while (left > 0 && rc == VC_OK) { /* one write: a kill leaves a prefix of this record at most */
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) rc = vc_error(VC_ERR_IO, "cannot write the journal '%s': %s", path, w < 0 ? strerror(errno) : "no space written");
        else { p += w; left -= (size_t)w; }
    }
    if (rc == VC_OK && fdatasync(fd) != 0)
        rc = vc_error(VC_ERR_IO, "cannot sync the journal '%s': %s", path, strerror(errno));
    free(rec);
    return rc;
}

struct vc_journal_reader {
    FILE    *f;
    char     path[4096];
    uint8_t *buf;
    size_t   cap;
    long     pos, good_end, skipped;
    int      runs, old_format, in_damage;
};

int vc_journal_open(const char *path, vc_journal_reader **out)
{
    *out = NULL;
    vc_journal_reader *r = calloc(1, sizeof *r);
    if (!r) return vc_error(VC_ERR_NOMEM, "out of memory reading '%s'", path);
    snprintf(r->path, sizeof r->path, "%s", path);
    if (!(r->f = fopen(path, "rb"))) {
        free(r);
        return vc_error(VC_ERR_IO, "cannot read the journal '%s': %s", path, strerror(errno));
    }
    *out = r;
    return VC_OK;
}

/* Try the record at r->pos: 1 valid (payload in r->buf), 0 not a valid record there,
 * -1 at the end of the file (nothing more to try). */
static int try_at(vc_journal_reader *r, uint32_t *type, size_t *len)
{
    uint8_t h[J_FRAME];
    if (fseek(r->f, r->pos, SEEK_SET) != 0) return -1;
    size_t got = fread(h, 1, sizeof h, r->f);
    if (got < sizeof h) return -1;
    uint32_t magic, crc;
    uint64_t n;
    memcpy(&magic, h, 4);
    memcpy(type, h + 4, 4);
    memcpy(&n, h + 8, 8);
    memcpy(&crc, h + 16, 4);
    if (magic == J_MAGIC_V1) r->old_format = 1;
    if (magic != J_MAGIC || n > J_MAX_PAYLOAD) return 0;
    if (n > r->cap) {
        uint8_t *q = realloc(r->buf, (size_t)n);
        if (!q) return 0;
        r->buf = q;
        r->cap = (size_t)n;
    }
    if (fread(r->buf, 1, (size_t)n, r->f) != (size_t)n) return 0; /* a torn tail: keep scanning to the end */
    if (crc_of(*type, n, r->buf) != crc) return 0;
    *len = (size_t)n;
    return 1;
}

int vc_journal_next(vc_journal_reader *r, uint32_t *type, const uint8_t **payload, size_t *len)
{
    for (;;) {
        int k = try_at(r, type, len);
        if (k == 1) {
            r->pos += J_FRAME + (long)*len;
            r->good_end = r->pos;
            r->in_damage = 0;
            *payload = r->buf;
            return 1;
        }
        if (k < 0) {
            if (ferror(r->f)) return vc_error(VC_ERR_IO, "cannot read the journal '%s': %s", r->path, strerror(errno));
            return 0;
        }
        if (!r->in_damage) r->runs++; /* resynchronise: the next byte where a valid record starts */
        r->in_damage = 1;
        r->skipped++;
        r->pos++;
    }
}

long vc_journal_good_end(const vc_journal_reader *r) { return r->good_end; }
long vc_journal_skipped_bytes(const vc_journal_reader *r) { return r->skipped; }
int vc_journal_skipped_runs(const vc_journal_reader *r) { return r->runs; }
int vc_journal_old_format(const vc_journal_reader *r) { return r->old_format; }

void vc_journal_close(vc_journal_reader **rp)
{
    if (!rp || !*rp) return;
    fclose((*rp)->f);
    free((*rp)->buf);
    free(*rp);
    *rp = NULL;
}
