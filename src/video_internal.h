/* video_internal.h - vidclass internal: access to the decoded full-size frames, for the
 * annotated output (never installed). */
#ifndef VIDCLASS_VIDEO_INTERNAL_H
#define VIDCLASS_VIDEO_INTERNAL_H

#include <libavutil/frame.h>

#include "vidclass/video.h"

/* With keep on, every decoded frame (classified or not) is also queued, in decode order,
 * as a reference-counted clone; vc_video_take_kept pops the oldest (caller frees with
 * av_frame_free) or returns NULL. The frame's pts is replaced by its decode index. And
 * vc_video_next_frame returns 2 after each frame it keeps without classifying it, so the
 * caller can bound how many decoded frames it holds (they are full-size pictures). */
void vc_video_keep_frames(vc_video *v, int on);
AVFrame *vc_video_take_kept(vc_video *v);

#endif
