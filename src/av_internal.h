/* av_internal.h - vidclass internal helpers shared by the FFmpeg decoders (image, video). */
#ifndef VIDCLASS_AV_INTERNAL_H
#define VIDCLASS_AV_INTERNAL_H

#include <stddef.h>

/* Before FFmpeg sees a path: "No such file", "is a directory" and "empty file (0 bytes)"
 * as clear status codes (VC_ERR_IO / VC_ERR_DECODE) with the path in the message. */
int vc_av_check_input(const char *path);

/* FFmpeg error code -> text in buf. */
const char *vc_av_errstr(int err, char *buf, size_t len);

#endif
