/* video.c - the doc/examples/demux_decode.c loop inside an opaque handle: demux, send
 * packets, receive frames (EAGAIN/EOF are not errors), flush with a NULL packet at the
 * end, and convert only the frames that will be classified. */
#include "vidclass/video.h"
#include "video_internal.h"
#include "av_internal.h"
#include "vidclass/image.h"
#include "vidclass/status.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct vc_video {
    char                 path[4096];
    struct vc_video_params p;
    struct vc_video_info info;
    AVFormatContext     *fmt;
    AVCodecContext      *dec;
    AVPacket            *pkt;
    AVFrame             *frame;
    struct SwsContext   *sws;
    int                  stream, sws_w, sws_h, sws_fmt;
    int                  draining, done;
    int64_t              decoded;
    int                  keep;
    AVFrame            **kept;   /* FIFO of clones when keep is on */
    int                  n_kept, cap_kept, head_kept;
};

void vc_video_keep_frames(vc_video *v, int on) { v->keep = on; }

AVFrame *vc_video_take_kept(vc_video *v)
{
    if (v->head_kept == v->n_kept) return NULL;
    AVFrame *f = v->kept[v->head_kept++];
    if (v->head_kept == v->n_kept) v->head_kept = v->n_kept = 0;
    return f;
}

static int keep_frame(vc_video *v, const AVFrame *f, int64_t index)
{
    if (v->n_kept == v->cap_kept) {
        int cap = v->cap_kept ? 2 * v->cap_kept : 64;
        AVFrame **k = realloc(v->kept, sizeof *k * (size_t)cap);
        if (!k) return VC_ERR_NOMEM;
        v->kept = k;
        v->cap_kept = cap;
    }
    AVFrame *c = av_frame_clone(f);
    if (!c) return vc_error(VC_ERR_NOMEM, "'%s': cannot keep frame %lld", v->path, (long long)index);
    c->pts = index;
    v->kept[v->n_kept++] = c;
    return VC_OK;
}

int vc_video_open(const char *path, const struct vc_video_params *p, vc_video **out)
{
    *out = NULL;
    char eb[400];
    vc_av_quiet();
    int rc0 = vc_av_check_input(path);
    if (rc0 != VC_OK)
        return rc0;
    if (p->size < 32 || p->stride < 1)
        return vc_error(VC_ERR_INVALID_ARG, "video: size >= 32 and stride >= 1 required");
    vc_video *v = calloc(1, sizeof *v);
    if (!v) return VC_ERR_NOMEM;
    snprintf(v->path, sizeof v->path, "%s", path);
    v->p = *p;
    v->stream = -1;
    int rc = VC_OK, ret;
    AVDictionary *opts = NULL, **sopts = NULL;
    unsigned n_sopts = 0;
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    ret = avformat_open_input(&v->fmt, path, NULL, &opts);
    av_dict_free(&opts);
    if (ret < 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': not a recognised media file (%s)", path, vc_av_errstr(ret, eb, sizeof eb));
        goto fail;
    }
    n_sopts = v->fmt->nb_streams;
    sopts = av_calloc(n_sopts ? n_sopts : 1, sizeof *sopts);
    for (unsigned i = 0; sopts && i < n_sopts; i++)
        av_dict_set_int(&sopts[i], "max_pixels", VC_IMAGE_MAX_PIXELS, 0);
    ret = avformat_find_stream_info(v->fmt, sopts);
    for (unsigned i = 0; sopts && i < n_sopts; i++) av_dict_free(&sopts[i]);
    av_freep(&sopts);
    if (ret < 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': cannot read stream info (%s)", path, vc_av_errstr(ret, eb, sizeof eb));
        goto fail;
    }
    v->stream = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (v->stream < 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': no video stream (format '%s')", path, v->fmt->iformat->name);
        goto fail;
    }
    AVStream *s = v->fmt->streams[v->stream];
    AVCodecParameters *par = s->codecpar;
    if ((long long)par->width * par->height > VC_IMAGE_MAX_PIXELS || par->width < 0 || par->height < 0) {
        rc = vc_error(VC_ERR_TOO_LARGE, "'%s': declared frame size %dx%d exceeds the limit of %lld pixels", path,
                      par->width, par->height, (long long)VC_IMAGE_MAX_PIXELS);
        goto fail;
    }
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        rc = vc_error(VC_ERR_DECODE, "'%s': no decoder for codec '%s'", path, avcodec_get_name(par->codec_id));
        goto fail;
    }
    v->dec = avcodec_alloc_context3(codec);
    v->pkt = av_packet_alloc();
    v->frame = av_frame_alloc();
    if (!v->dec || !v->pkt || !v->frame) { rc = VC_ERR_NOMEM; goto fail; }
    if ((ret = avcodec_parameters_to_context(v->dec, par)) < 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': bad codec parameters (%s)", path, vc_av_errstr(ret, eb, sizeof eb));
        goto fail;
    }
    v->dec->thread_count = p->decoder_threads;
    v->dec->max_pixels = VC_IMAGE_MAX_PIXELS;
    if ((ret = avcodec_open2(v->dec, codec, NULL)) < 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': cannot open decoder '%s' (%s)", path, codec->name, vc_av_errstr(ret, eb, sizeof eb));
        goto fail;
    }
    AVRational fr = s->avg_frame_rate.num > 0 ? s->avg_frame_rate : s->r_frame_rate;
    v->info.width = par->width;
    v->info.height = par->height;
    v->info.fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0.0;
    v->info.duration = v->fmt->duration > 0 ? (double)v->fmt->duration / AV_TIME_BASE : 0.0;
    v->info.frames_hint = s->nb_frames;
    snprintf(v->info.codec, sizeof v->info.codec, "%s", codec->name);
    *out = v;
    return VC_OK;
fail:
    vc_video_close(&v);
    return rc;
}

const struct vc_video_info *vc_video_get_info(const vc_video *v) { return &v->info; }
int64_t vc_video_frames_decoded(const vc_video *v) { return v->decoded; }

/* Convert the current frame to size x size RGB24. */
static int convert(vc_video *v, uint8_t *rgb)
{
    AVFrame *f = v->frame;
    if (!v->sws || v->sws_w != f->width || v->sws_h != f->height || v->sws_fmt != f->format) {
        sws_freeContext(v->sws);
        v->sws = sws_getContext(f->width, f->height, (enum AVPixelFormat)f->format, v->p.size, v->p.size,
                                AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
        if (!v->sws)
            return vc_error(VC_ERR_DECODE, "'%s': cannot convert fmt:%s s:%dx%d -> fmt:rgb24 s:%dx%d", v->path,
                            av_get_pix_fmt_name((enum AVPixelFormat)f->format), f->width, f->height, v->p.size, v->p.size);
        v->sws_w = f->width;
        v->sws_h = f->height;
        v->sws_fmt = f->format;
    }
    uint8_t *dst[4] = { rgb, NULL, NULL, NULL };
    int ls[4] = { v->p.size * 3, 0, 0, 0 };
    if (sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst, ls) != v->p.size)
        return vc_error(VC_ERR_DECODE, "'%s': frame conversion failed", v->path);
    return VC_OK;
}

int vc_video_next(vc_video *v, uint8_t *rgb, int64_t *index)
{
    char eb[400];
    for (;;) {
        if (v->done)
            return 0;
        int ret = avcodec_receive_frame(v->dec, v->frame);
        if (ret >= 0) {
            int64_t i = v->decoded++;
            int take = i % v->p.stride == 0;
            int rc = take ? convert(v, rgb) : VC_OK;
            if (rc == VC_OK && v->keep) rc = keep_frame(v, v->frame, i);
            av_frame_unref(v->frame);
            if (rc != VC_OK) return rc;
            if (take) {
                *index = i;
                return 1;
            }
            continue;
        }
        if (ret == AVERROR_EOF) {
            v->done = 1;
            return 0;
        }
        if (ret != AVERROR(EAGAIN))
            return vc_error(VC_ERR_DECODE, "'%s': decode error after frame %lld (%s)", v->path, (long long)v->decoded,
                            vc_av_errstr(ret, eb, sizeof eb));
        if (v->draining) { /* EAGAIN while draining cannot happen; treat as the end */
            v->done = 1;
            return 0;
        }
        /* the decoder wants input: next packet of our stream, or flush at the end */
        ret = av_read_frame(v->fmt, v->pkt);
        if (ret == AVERROR_EOF || ret == AVERROR(EIO) || (ret < 0 && avio_feof(v->fmt->pb))) {
            v->draining = 1;
            avcodec_send_packet(v->dec, NULL);
            continue;
        }
        if (ret < 0)
            return vc_error(VC_ERR_DECODE, "'%s': read error after frame %lld (%s)", v->path, (long long)v->decoded,
                            vc_av_errstr(ret, eb, sizeof eb));
        if (v->pkt->stream_index == v->stream) {
            ret = avcodec_send_packet(v->dec, v->pkt);
            av_packet_unref(v->pkt);
            if (ret < 0 && ret != AVERROR(EAGAIN))
                return vc_error(VC_ERR_DECODE, "'%s': corrupt data after frame %lld (%s)", v->path,
                                (long long)v->decoded, vc_av_errstr(ret, eb, sizeof eb));
        } else {
            av_packet_unref(v->pkt);
        }
    }
}

void vc_video_close(vc_video **vp)
{
    if (!vp || !*vp) return;
    vc_video *v = *vp;
    for (AVFrame *f; (f = vc_video_take_kept(v)) != NULL;) av_frame_free(&f);
    free(v->kept);
    sws_freeContext(v->sws);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    free(v);
    *vp = NULL;
}
