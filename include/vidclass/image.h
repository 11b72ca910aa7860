/*
 * vidclass/image.h - decode one image file with FFmpeg into a fixed-size RGB buffer.
 *
 * The format is detected by content, never by extension (JPEG incl. progressive, PNG,
 * GIF (first frame), WebP, BMP, ...). The pixels are the reference tutorial's train.py
 * pipeline (cv2.imread -> cvtColor(BGR2RGB) -> cv2.resize to out_w x out_h, ignoring the
 * aspect ratio), decoded by the same module as video frames (vidclass/video.h says how
 * exactly). Any failure (empty file, not an image, truncated data, a directory, declared
 * size over the limit) is a status code with a message naming the file and the reason;
 * nothing is printed.
 *
 *     uint8_t rgb[224 * 224 * 3];
 *     if (vc_image_load_rgb("a.jpg", 224, 224, NULL, rgb) != VC_OK) skip(vc_last_error());
 */
#ifndef VIDCLASS_IMAGE_H
#define VIDCLASS_IMAGE_H

#include <stdint.h>

#include "vidclass/resize.h"

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
 * row-major RGB), resized with `mode`. info may be NULL. Returns VC_OK, VC_ERR_IO (cannot
 * open/read), VC_ERR_DECODE (not an image / corrupt) or VC_ERR_TOO_LARGE.
 */
int vc_image_load(const char *path, int out_w, int out_h, enum vc_resize_mode mode,
                  struct vc_image_info *info, uint8_t *dst);

/** vc_image_load with VC_RESIZE_LINEAR (cv2.resize's default). */
int vc_image_load_rgb(const char *path, int out_w, int out_h, struct vc_image_info *info,
                      uint8_t *dst);

/** Silence FFmpeg's own log output unless VIDCLASS_LOG=debug (we report errors ourselves). */
void vc_av_quiet(void);

#ifdef __cplusplus
}
#endif
#endif /* VIDCLASS_IMAGE_H */
