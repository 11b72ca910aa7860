/* annotate.h - vidclass internal: write a video with a text label drawn on every frame
 * (libavfilter drawtext, libx264 H.264 in MP4). Written to a temporary file next to it
 * (vc_tmp_create) and renamed by vc_annotator_close, so an interrupted run never leaves a
 * truncated file under the final name. */
#ifndef VIDCLASS_ANNOTATE_H
#define VIDCLASS_ANNOTATE_H

#include <libavutil/frame.h>

typedef struct vc_annotator vc_annotator;

/* How the text is drawn: font size in pixels (0: a twelfth of the frame height, at least
 * 12) and colour (FFmpeg's colour syntax: a name, 0xRRGGBB[@alpha]; NULL: green). */
struct vc_annotate_style {
    int         size;
    const char *color;
};

/* fps: output frame rate (the source's; 25 if unknown). The first frame fixes the size.
 * style is copied (NULL: the defaults). */
int vc_annotator_open(const char *path, double fps, const struct vc_annotate_style *style, vc_annotator **out);

/* Draw `text` on `frame` (borrowed) and encode it. */
int vc_annotator_write(vc_annotator *a, const AVFrame *frame, const char *text);

/* Flush, finish the file and rename it into place (commit != 0), or discard it. */
int vc_annotator_close(vc_annotator **a, int commit);

/* The "comment" every labelled copy carries, and whether the MP4 at path has it (so a
 * rerun may replace it, while a file vidclass did not write is never overwritten). */
#define VC_ANNOTATED_MARK "vidclass labelled copy"
int vc_annotated_file(const char *path);

#endif
