/* vidclass/hash.h - SHA-256 and MD5 of files (libavutil's implementations; no extra dependency). */
#ifndef VIDCLASS_HASH_H
#define VIDCLASS_HASH_H

#ifdef __cplusplus
extern "C" {
#endif

/** hex: caller buffer of 65 chars, receives the lowercase hex digest. */
int vc_sha256_file(const char *path, char hex[65]);

/** MD5 (how Keras identifies its downloaded weights files); hex: 33 chars. */
int vc_md5_file(const char *path, char hex[33]);

#ifdef __cplusplus
}
#endif
#endif
