/*
 * vidclass/video.h - decode a video (or a still image) frame by frame into fixed-size RGB.
 *
 * One decoder for every input the tools read (src/media.c): video files for
 * vidclass-batch/-predict and images for vidclass-pack/-embed (vidclass/image.h is the
 * one-call form for images). Any container/codec FFmpeg supports, local regular files only
 * (no URLs, no playlists or other formats that reference further files, no FIFOs or
 * devices). Every frame is decoded (inter frames need their references) but only frames
 * with index % stride == 0 are converted. The pixels are those of the reference
 * tutorial's OpenCV pipeline, bit for bit:
 *   video  cv2.VideoCapture (FFmpeg backend: libswscale to BGR24 at the native size with
 *          SWS_BICUBIC, then the stream's display-matrix rotation, as OpenCV 4.6 does by
 *          default) -> cv2.cvtColor(BGR2RGB) -> cv2.resize(size, size) (vidclass/resize.h);
 *   image  cv2.imread (8-bit RGB: alpha dropped, grey replicated, 16-bit -> high byte,
 *          JPEG EXIF orientation applied) -> cvtColor -> cv2.resize. PNG, BMP and other
 *          lossless inputs give OpenCV's pixels exactly; JPEG is decoded by FFmpeg, not
 *          libjpeg, so pixels differ by the decoders' IDCT/upsampling (docs/formats.md).
 * Errors are status codes with a message naming the file: a file that is not a video,
 * has no video stream, or declares a size over the limit fails at open; a decode error
 * mid-stream is returned by vc_video_next after the frames decoded before it; an input
 * that stalls (no data for `stall_seconds`) fails instead of blocking the run.
 *
 *     vc_video *v;
 *     if (vc_video_open(path, &params, &v) != VC_OK) record(vc_last_error());
 *     while ((rc = vc_video_next(v, rgb, &index)) == 1) classify(rgb, index);
 *     vc_video_close(&v);
 */
#ifndef VIDCLASS_VIDEO_H
#define VIDCLASS_VIDEO_H

#include <stdint.h>

#include "vidclass/resize.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_video vc_video;

/* Zero-initialised fields mean the defaults. */
struct vc_video_params {
    int                 size;            /* output side (224)                            */
    int                 stride;          /* classify every stride-th frame (1)           */
    int                 decoder_threads; /* FFmpeg decoder threads, 0 = FFmpeg's choice  */
    enum vc_resize_mode resize;          /* VC_RESIZE_LINEAR (cv2.resize) or _AREA       */
    int                 no_autorotate;   /* 1: ignore the display matrix (OpenCV: CAP_PROP_ORIENTATION_AUTO=0) */
    int                 still;           /* 1: an image (first frame, strict decoding, EXIF orientation) */
    double              stall_seconds;   /* fail when no input is read for this long (0: 60 s) */
};

struct vc_video_info {
    int     width, height; /* as decoded, before rotation                      */
    int     rotation;      /* degrees clockwise applied: 0, 90, 180 or 270     */
    double  fps;           /* average frame rate, 0 if unknown                 */
    double  duration;      /* seconds, 0 if unknown                            */
    int64_t frames_hint;   /* container's frame count, 0 if unknown            */
    char    codec[32];
};

int vc_video_open(const char *path, const struct vc_video_params *p, vc_video **out);

const struct vc_video_info *vc_video_get_info(const vc_video *v);

/**
 * Next frame to classify: returns 1 and fills rgb (size*size*3) and *index (its number
 * among all decoded frames), 0 at the end, or a negative status on a decode error.
 */
int vc_video_next(vc_video *v, uint8_t *rgb, int64_t *index);

/**
 * The same, with the frame's presentation time in seconds (its best-effort timestamp in
 * the stream's time base, as ffprobe's pts_time; index / fps when the stream has none).
 */
int vc_video_next_frame(vc_video *v, uint8_t *rgb, int64_t *index, double *time);

/** Frames decoded so far (classified or not). */
int64_t vc_video_frames_decoded(const vc_video *v);

void vc_video_close(vc_video **v);

#ifdef __cplusplus
}
#endif
#endif
