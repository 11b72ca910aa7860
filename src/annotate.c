/* annotate.c - label text on every frame: buffer -> drawtext -> scale to even size ->
 * yuv420p -> buffersink, then libx264 (mpeg4 if x264 is missing) into an MP4. */
#define _DEFAULT_SOURCE
#define _POSIX_C_SOURCE 200809L
#include "annotate.h"
#include "vidclass/status.h"
#include "fsutil.h"

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>

struct vc_annotator {
    char             path[4096], tmp[PATH_MAX + 64], url[PATH_MAX + 80];
    AVRational       rate;
    AVFilterGraph   *graph;
    AVFilterContext *src, *sink;
    AVCodecContext  *enc;
    AVFormatContext *oc;
    AVStream        *st;
    AVPacket        *pkt;
    AVFrame         *out;
    int64_t          n;
    int              header;
    int              w, h, fmt;   /* the first frame's: the graph's input           */
    struct SwsContext *sws;       /* later frames of another size (a resolution change) */
    AVFrame         *conv;
    char             text[256];   /* the text drawn now: set again only when it changes */
    int              size;        /* font size, 0: from the frame height */
    char             color[64];
};

int vc_annotator_open(const char *path, double fps, const struct vc_annotate_style *style, vc_annotator **out)
{
    *out = NULL;
    vc_annotator *a = calloc(1, sizeof *a);
    if (!a) return VC_NOMEM;
    snprintf(a->path, sizeof a->path, "%s", path);
    a->size = style ? style->size : 0;
    snprintf(a->color, sizeof a->color, "%s", style && style->color ? style->color : "0x00FF00");
    int rc = vc_tmp_create(path, a->tmp, sizeof a->tmp); /* unpredictable: a planted link is never followed */
    if (rc != VC_OK) {
        free(a);
        return rc;
    }
    snprintf(a->url, sizeof a->url, "file:%s", a->tmp);
    a->rate = av_d2q(fps > 0 ? fps : 25.0, 100000);
    a->pkt = av_packet_alloc();
    a->out = av_frame_alloc();
    if (!a->pkt || !a->out) {
        vc_annotator_close(&a, 0);
        return VC_NOMEM;
    }
    *out = a;
    return VC_OK;
}

/* The graph and the encoder are built on the first frame (its size and pixel format). */
static int setup(vc_annotator *a, const AVFrame *f)
{
    char args[512], eb[128];
    int ret;
    a->graph = avfilter_graph_alloc();
    if (!a->graph) return VC_NOMEM;
    snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base=%d/%d:pixel_aspect=%d/%d", f->width, f->height,
             f->format, a->rate.den, a->rate.num, f->sample_aspect_ratio.num ? f->sample_aspect_ratio.num : 1,
             f->sample_aspect_ratio.den ? f->sample_aspect_ratio.den : 1);
    if ((ret = avfilter_graph_create_filter(&a->src, avfilter_get_by_name("buffer"), "in", args, NULL, a->graph)) < 0 ||
        (ret = avfilter_graph_create_filter(&a->sink, avfilter_get_by_name("buffersink"), "out", NULL, NULL, a->graph)) < 0)
        return vc_error(VC_ERR_UNSUPPORTED, "annotate: cannot create buffer filters (%s)", av_make_error_string(eb, sizeof eb, ret));
    AVFilterInOut *outputs = avfilter_inout_alloc(), *inputs = avfilter_inout_alloc();
    if (!outputs || !inputs) {
        avfilter_inout_free(&outputs);
        avfilter_inout_free(&inputs);
        return VC_NOMEM;
    }
    outputs->name = av_strdup("in");
    outputs->filter_ctx = a->src;
    inputs->name = av_strdup("out");
    inputs->filter_ctx = a->sink;
    /* the tutorial's overlay: large green text at the top left (predict_video.py: cv2.putText
     * at (35, 50), scale 1.25, thickness 5: a border of the text's own colour thickens the
     * strokes the same way); the text is changed with a "reinit" command when it changes */
    int fs = a->size > 0 ? a->size : f->height / 12 > 12 ? f->height / 12 : 12;
    snprintf(args, sizeof args,
             "drawtext=font=DejaVu Sans:text=' ':expansion=none:fontsize=%d:fontcolor=%s:borderw=%d:"
             "bordercolor=%s:x=%d:y=%d,scale=trunc(iw/2)*2:trunc(ih/2)*2,format=yuv420p",
             fs, a->color, fs / 14 > 1 ? fs / 14 : 1, a->color, fs / 2, fs / 2);
    ret = avfilter_graph_parse_ptr(a->graph, args, &inputs, &outputs, NULL);
    avfilter_inout_free(&outputs);
    avfilter_inout_free(&inputs);
    if (ret < 0 || (ret = avfilter_graph_config(a->graph, NULL)) < 0)
        return vc_error(VC_ERR_UNSUPPORTED, "annotate: cannot build the drawtext filter graph (%s)", av_make_error_string(eb, sizeof eb, ret));

    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (!codec) codec = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
    if (!codec) return vc_error(VC_ERR_UNSUPPORTED, "annotate: no H.264 or MPEG-4 encoder in this FFmpeg");
    if ((ret = avformat_alloc_output_context2(&a->oc, NULL, "mp4", a->url)) < 0 || !a->oc)
        return vc_error(VC_ERR_IO, "annotate: cannot set up '%s' (%s)", a->tmp, av_make_error_string(eb, sizeof eb, ret));
    a->enc = avcodec_alloc_context3(codec);
    a->st = avformat_new_stream(a->oc, NULL);
    if (!a->enc || !a->st) return VC_NOMEM;
    a->enc->width = av_buffersink_get_w(a->sink);
    a->enc->height = av_buffersink_get_h(a->sink);
    a->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    a->enc->time_base = av_inv_q(a->rate);
    a->enc->framerate = a->rate;
    a->enc->sample_aspect_ratio = av_buffersink_get_sample_aspect_ratio(a->sink);
    a->enc->thread_count = 2; /* x264 frame threads: frames are encoded while the next batch is classified */
    if (a->oc->oformat->flags & AVFMT_GLOBALHEADER) a->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (strcmp(codec->name, "libx264") == 0) {
        av_opt_set(a->enc->priv_data, "preset", "superfast", 0); /* 10 ms per 720p frame on one core (veryfast: 24) */
        av_opt_set(a->enc->priv_data, "crf", "23", 0);
    }
    if ((ret = avcodec_open2(a->enc, codec, NULL)) < 0 ||
        (ret = avcodec_parameters_from_context(a->st->codecpar, a->enc)) < 0)
        return vc_error(VC_ERR_UNSUPPORTED, "annotate: cannot open encoder %s (%s)", codec->name, av_make_error_string(eb, sizeof eb, ret));
    a->st->time_base = a->enc->time_base;
    /* the mark vc_annotated_file() looks for before a rerun writes over the file */
    av_dict_set(&a->oc->metadata, "comment", VC_ANNOTATED_MARK, 0);
    if ((ret = avio_open(&a->oc->pb, a->url, AVIO_FLAG_WRITE)) < 0 || (ret = avformat_write_header(a->oc, NULL)) < 0)
        return vc_error(VC_ERR_IO, "annotate: cannot write '%s' (%s)", a->tmp, av_make_error_string(eb, sizeof eb, ret));
    a->header = 1;
    return VC_OK;
}

/* Send a frame (or NULL to flush) to the encoder and write every packet it returns. */
static int encode(vc_annotator *a, AVFrame *f)
{
    char eb[128];
    int ret = avcodec_send_frame(a->enc, f);
    if (ret < 0) return vc_error(VC_ERR_IO, "annotate: encoder refused a frame (%s)", av_make_error_string(eb, sizeof eb, ret));
    for (;;) {
        ret = avcodec_receive_packet(a->enc, a->pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return VC_OK;
        if (ret < 0) return vc_error(VC_ERR_IO, "annotate: encode error (%s)", av_make_error_string(eb, sizeof eb, ret));
        /* constant frame rate: one frame per packet. libx264 leaves duration at 0, and the
         * MP4 edit list would then end before the last frame. */
        if (a->pkt->duration <= 0) a->pkt->duration = 1;
        av_packet_rescale_ts(a->pkt, a->enc->time_base, a->st->time_base);
        a->pkt->stream_index = a->st->index;
        ret = av_interleaved_write_frame(a->oc, a->pkt);
        av_packet_unref(a->pkt);
        if (ret < 0) return vc_error(VC_ERR_IO, "annotate: cannot write '%s' (%s)", a->tmp, av_make_error_string(eb, sizeof eb, ret));
    }
}

/* A frame whose size or pixel format differs from the first one's (the stream changed
 * resolution) is scaled to the first one's, so the labelled copy goes on. */
static int same_geometry(vc_annotator *a, const AVFrame **frame)
{
    const AVFrame *f = *frame;
    if (f->width == a->w && f->height == a->h && f->format == a->fmt) return VC_OK;
    a->sws = sws_getCachedContext(a->sws, f->width, f->height, (enum AVPixelFormat)f->format, a->w, a->h,
                                  (enum AVPixelFormat)a->fmt, SWS_BILINEAR, NULL, NULL, NULL);
    if (!a->conv && !(a->conv = av_frame_alloc())) return VC_NOMEM;
    if (!a->sws) return vc_error(VC_ERR_UNSUPPORTED, "annotate: cannot scale a %dx%d frame to %dx%d", f->width, f->height, a->w, a->h);
    if (a->conv->width != a->w || a->conv->height != a->h || a->conv->format != a->fmt) {
        av_frame_unref(a->conv);
        a->conv->width = a->w;
        a->conv->height = a->h;
        a->conv->format = a->fmt;
        if (av_frame_get_buffer(a->conv, 32) < 0) return VC_NOMEM;
    }
    if (av_frame_make_writable(a->conv) < 0 ||
        sws_scale(a->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, a->conv->data, a->conv->linesize) <= 0)
        return vc_error(VC_ERR_UNSUPPORTED, "annotate: scaling a %dx%d frame failed", f->width, f->height);
    a->conv->sample_aspect_ratio = f->sample_aspect_ratio;
    *frame = a->conv;
    return VC_OK;
}

int vc_annotator_write(vc_annotator *a, const AVFrame *frame, const char *text)
{
    int rc = VC_OK, ret;
    char eb[128], cmd[512], clean[256];
    if (!a->graph) {
        if ((rc = setup(a, frame)) != VC_OK) return rc;
        a->w = frame->width;
        a->h = frame->height;
        a->fmt = frame->format;
    }
    if (strcmp(text, a->text) != 0) { /* re-set the text only when it changes: that is the slow part */
        size_t k = 0;
        for (const char *s = text; *s && k + 2 < sizeof clean; s++) { /* drawtext syntax: escape separators */
            if (*s == ':' || *s == '\\' || *s == '\'' || *s == ',' || *s == ';' || *s == '=') clean[k++] = '\\';
            clean[k++] = *s;
        }
        clean[k] = '\0';
        snprintf(cmd, sizeof cmd, "text=%s", clean);
        if ((ret = avfilter_graph_send_command(a->graph, "drawtext", "reinit", cmd, NULL, 0, 0)) < 0)
            return vc_error(VC_ERR_UNSUPPORTED, "annotate: cannot set the text (%s)", av_make_error_string(eb, sizeof eb, ret));
        snprintf(a->text, sizeof a->text, "%s", text);
    }
    if ((rc = same_geometry(a, &frame)) != VC_OK) return rc;
    AVFrame *in = av_frame_clone(frame);
    if (!in) return VC_NOMEM;
    in->pts = a->n++;
    ret = av_buffersrc_add_frame_flags(a->src, in, AV_BUFFERSRC_FLAG_KEEP_REF);
    av_frame_free(&in);
    if (ret < 0) return vc_error(VC_ERR_IO, "annotate: filter input failed (%s)", av_make_error_string(eb, sizeof eb, ret));
    while (rc == VC_OK && (ret = av_buffersink_get_frame(a->sink, a->out)) >= 0) {
        a->out->pict_type = AV_PICTURE_TYPE_NONE;
        rc = encode(a, a->out);
        av_frame_unref(a->out);
    }
    if (rc == VC_OK && ret != AVERROR(EAGAIN) && ret != AVERROR_EOF)
        rc = vc_error(VC_ERR_IO, "annotate: filter output failed (%s)", av_make_error_string(eb, sizeof eb, ret));
    return rc;
}

int vc_annotator_close(vc_annotator **ap, int commit)
{
    if (!ap || !*ap) return VC_OK;
    vc_annotator *a = *ap;
    int rc = VC_OK;
    if (a->header && commit) {
        rc = encode(a, NULL);
        if (av_write_trailer(a->oc) < 0 && rc == VC_OK) rc = vc_error(VC_ERR_IO, "annotate: cannot finish '%s'", a->tmp);
    }
    if (a->oc) {
        if (a->oc->pb) avio_closep(&a->oc->pb);
        avformat_free_context(a->oc);
    }
    avcodec_free_context(&a->enc);
    avfilter_graph_free(&a->graph);
    sws_freeContext(a->sws);
    av_frame_free(&a->conv);
    av_packet_free(&a->pkt);
    av_frame_free(&a->out);
    if (commit && rc == VC_OK && a->header && a->n > 0) rc = vc_tmp_commit(a->tmp, a->path);
    else if (commit && rc == VC_OK && a->n == 0) rc = vc_error(VC_ERR_DECODE, "annotate: no frame to write to '%s'", a->path);
    if (!commit || rc != VC_OK || a->n == 0) vc_tmp_discard(a->tmp);
    free(a);
    *ap = NULL;
    return rc;
}

int vc_annotated_file(const char *path)
{
    char url[PATH_MAX + 16];
    snprintf(url, sizeof url, "file:%s", path);
    AVFormatContext *fmt = NULL;
    AVDictionary *opts = NULL;
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    int ours = 0;
    if (avformat_open_input(&fmt, url, av_find_input_format("mov"), &opts) >= 0) {
        const AVDictionaryEntry *e = av_dict_get(fmt->metadata, "comment", NULL, 0);
        ours = e && strcmp(e->value, VC_ANNOTATED_MARK) == 0;
        avformat_close_input(&fmt);
    }
    av_dict_free(&opts);
    return ours;
}
