/*
 * journal.h - an append-only file of self-checking records (vidclass internal, never
 * installed): the results journal of vidclass-batch (results.h).
 *
 * record = magic u32 "VCJ2" | type u32 | payload length u64 | crc32 u32 | zero u32 |
 * payload; the CRC-32 (IEEE, as zlib's) covers type, length and payload; native byte
 * order. Each record is written with one write() and made durable with fdatasync().
 *
 * Reading checks every record. A record that fails (a kill in the middle of a write, a
 * flipped bit) is skipped and the reader resynchronises on the next valid record, so one
 * damaged record costs that record only; the damaged bytes are counted.
 */
#ifndef VIDCLASS_JOURNAL_H
#define VIDCLASS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#define VC_JOURNAL_HEAD  ((uint32_t)'H')
#define VC_JOURNAL_VIDEO ((uint32_t)'V')

/* Append one record to fd and fdatasync it; errors name `path`. */
int vc_journal_append(int fd, const char *path, uint32_t type, const uint8_t *payload, size_t len);

typedef struct vc_journal_reader vc_journal_reader;

int vc_journal_open(const char *path, vc_journal_reader **out);

/* The next valid record: 1 with *type, *payload (valid until the next call) and *len; 0
 * at the end. Negative on a read error (message set). */
int vc_journal_next(vc_journal_reader *r, uint32_t *type, const uint8_t **payload, size_t *len);

/* Offset just past the last valid record read so far (where a torn tail starts). */
long vc_journal_good_end(const vc_journal_reader *r);

/* Damaged bytes skipped so far, and how many damaged stretches they formed. */
long vc_journal_skipped_bytes(const vc_journal_reader *r);
int vc_journal_skipped_runs(const vc_journal_reader *r);

/* 1 if the file holds records of the older "VCJ1" format (vidclass 0.1). */
int vc_journal_old_format(const vc_journal_reader *r);

void vc_journal_close(vc_journal_reader **r);

#endif
