/*
 * vidclass/image.h - decode one image file with FFmpeg into a fixed-size RGB buffer.
 *
 * The format is detected by content, never by extension (JPEG incl. progressive, PNG,
 * GIF (first frame), WebP, BMP, ...). The image is converted to RGB24 and resized to
 * out_w x out_h ignoring the aspect ratio (libswscale, bilinear). Any failure (empty
 * file, not an image, truncated data, a directory, declared size over the limit) is a
 * status code with a message naming the file and the reason; nothing is printed.
 *
 *     uint8_t rgb[224 * 224 * 3];
 *     if (vc_image_load_rgb("a.jpg", 224, 224, NULL, rgb) != VC_OK) skip(vc_last_error());
 */
#ifndef VIDCLASS_IMAGE_H
#define VIDCLASS_IMAGE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Images declaring more pixels than this are refused before any frame is allocated. */
#define VC_IMAGE_MAX_PIXELS (64LL * 1024 * 1024)

struct vc_image_info {
    int width, height; /* size as decoded, before resizing */
    char codec[32];    /* FFmpeg decoder name, e.g. "mjpeg", "png" */
};

/**
 * Decode the first frame of `path` into dst (out_h * out_w * 3 bytes, caller-owned,
 * row-major RGB). info may be NULL. Returns VC_OK, VC_ERR_IO (cannot open/read),
 * VC_ERR_DECODE (not an image / corrupt) or VC_ERR_TOO_LARGE.
 */
int vc_image_load_rgb(const char *path, int out_w, int out_h, struct vc_image_info *info,
                      uint8_t *dst);

/** Silence FFmpeg's own log output unless VIDCLASS_LOG=debug (we report errors ourselves). */
void vc_av_quiet(void);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_IMAGE_H */
