/*
 * vidclass/video.h - decode a video file frame by frame into fixed-size RGB.
 *
 * Any container/codec FFmpeg supports (local files only). Every frame is decoded (inter
 * frames need their references) but only frames with index % stride == 0 are converted
 * to size x size RGB24 (libswscale, bilinear); the others cost no conversion. Errors are
 * status codes with a message naming the file: a file that is not a video, has no video
 * stream, or declares a size over the limit fails at open; a decode error mid-stream is
 * returned by vc_video_next after the frames decoded before it.
 *
 *     vc_video *v;
 *     if (vc_video_open(path, &params, &v) != VC_OK) record(vc_last_error());
 *     while ((rc = vc_video_next(v, rgb, &index)) == 1) classify(rgb, index);
 *     vc_video_close(&v);
 */
#ifndef VIDCLASS_VIDEO_H
#define VIDCLASS_VIDEO_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vc_video vc_video;

struct vc_video_params {
    int size;            /* output side (224)                          */
    int stride;          /* classify every stride-th frame (1)         */
    int decoder_threads; /* FFmpeg decoder threads, 0 = FFmpeg's choice */
};

struct vc_video_info {
    int     width, height;
    double  fps;          /* average frame rate, 0 if unknown           */
    double  duration;     /* seconds, 0 if unknown                      */
    int64_t frames_hint;  /* container's frame count, 0 if unknown      */
    char    codec[32];
};

int vc_video_open(const char *path, const struct vc_video_params *p, vc_video **out);

const struct vc_video_info *vc_video_get_info(const vc_video *v);

/**
 * Next frame to classify: returns 1 and fills rgb (size*size*3) and *index (its number
 * among all decoded frames), 0 at the end, or a negative status on a decode error.
 */
int vc_video_next(vc_video *v, uint8_t *rgb, int64_t *index);

/** Frames decoded so far (classified or not). */
int64_t vc_video_frames_decoded(const vc_video *v);

void vc_video_close(vc_video **v);

#ifdef __cplusplus
}
#endif
#endif
