/* vidclass/hash.h - SHA-256 of files (libavutil's implementation; no extra dependency). */
#ifndef VIDCLASS_HASH_H
#define VIDCLASS_HASH_H

#ifdef __cplusplus
extern "C" {
#endif

/** hex: caller buffer of 65 chars, receives the lowercase hex digest. */
int vc_sha256_file(const char *path, char hex[65]);

#ifdef __cplusplus
}
#endif
#endif
