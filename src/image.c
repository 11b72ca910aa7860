/* image.c - FFmpeg image decode + swscale resize, in the doc/examples/demux_decode.c order:
 * open input -> find stream info -> best video stream -> decoder -> send/receive loop with
 * EAGAIN/EOF as non-errors -> flush -> sws_scale. One exit path frees everything. */
#include "vidclass/image.h"
#include "vidclass/log.h"
#include "vidclass/status.h"
#include "av_internal.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
#include <stdio.h>
#include <string.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>

/* FFmpeg's own explanation of a failure ("Picture size 100000x100000 is invalid") goes to
 * its log, not its error codes ("Invalid argument"): keep this thread's last error line to
 * add to our messages. FFmpeg's output itself is shown only with VIDCLASS_LOG=debug. */
static _Thread_local char g_av_last[256];
static int g_av_verbose;

static void av_log_keep_last(void *avcl, int level, const char *fmt, va_list vl)
{
    if (level <= AV_LOG_ERROR) {
        va_list copy;
        va_copy(copy, vl);
        int prefix = 0;
        av_log_format_line2(avcl, level, fmt, copy, g_av_last, sizeof g_av_last, &prefix);
        va_end(copy);
        size_t n = strlen(g_av_last);
        while (n > 0 && (g_av_last[n - 1] == '\n' || g_av_last[n - 1] == ' ')) g_av_last[--n] = '\0';
    }
    if (g_av_verbose) av_log_default_callback(avcl, level, fmt, vl);
}

static void av_log_setup(void)
{
    g_av_verbose = vc_log_get_level() >= VC_LOG_DEBUG;
    av_log_set_level(g_av_verbose ? AV_LOG_WARNING : AV_LOG_ERROR);
    av_log_set_callback(av_log_keep_last);
}

void vc_av_quiet(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, av_log_setup);
}

const char *vc_av_errstr(int err, char *buf, size_t len)
{
    if (av_strerror(err, buf, len) < 0)
        snprintf(buf, len, "FFmpeg error %d", err);
    if (g_av_last[0]) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, "; FFmpeg: %s", g_av_last);
        g_av_last[0] = '\0';
    }
    return buf;
}

int vc_av_check_input(const char *path)
{
    vc_av_quiet();
    g_av_last[0] = '\0'; /* what FFmpeg logs from here on is about this input */
    struct stat st;
    if (stat(path, &st) != 0)
        return vc_error(VC_ERR_IO, "'%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return vc_error(VC_ERR_IO, "'%s': is a directory", path);
    if (st.st_size == 0)
        return vc_error(VC_ERR_DECODE, "'%s': empty file (0 bytes)", path);
    return VC_OK;
}

/* Receive one frame: returns 1 with a frame, 0 if the decoder needs more input / is done,
 * negative on a decode error. */
static int receive_one(AVCodecContext *dec, AVFrame *frame)
{
    int ret = avcodec_receive_frame(dec, frame);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
        return 0;
    return ret < 0 ? ret : 1;
}

int vc_image_load_rgb(const char *path, int out_w, int out_h, struct vc_image_info *info,
                      uint8_t *dst)
{
    int rc = VC_OK, ret = 0, got = 0;
    char eb[400];
    AVFormatContext *fmt = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = NULL;
    AVFrame *frame = NULL;
    AVDictionary *opts = NULL, **stream_opts = NULL;
    unsigned n_stream_opts = 0;
    struct SwsContext *sws = NULL;

    vc_av_quiet();
    if ((rc = vc_av_check_input(path)) != VC_OK)
        return rc;

    /* Local files only: a crafted playlist must not make us open other files or URLs. */
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    ret = avformat_open_input(&fmt, path, NULL, &opts);
    if (ret < 0) {
        rc = vc_error(ret == AVERROR(EACCES) || ret == AVERROR(ENOENT) ? VC_ERR_IO : VC_ERR_DECODE,
                      "'%s': not a recognised image (%s)", path, vc_av_errstr(ret, eb, sizeof eb));
        goto done;
    }
    /* find_stream_info may decode a frame to learn the pixel format: cap its size there
     * too, so a declared-huge image is refused before any allocation. */
    stream_opts = av_calloc(fmt->nb_streams ? fmt->nb_streams : 1, sizeof *stream_opts);
    if (!stream_opts) {
        rc = vc_error(VC_ERR_NOMEM, "'%s': out of memory", path);
        goto done;
    }
    n_stream_opts = fmt->nb_streams;
    for (unsigned i = 0; i < n_stream_opts; i++)
        av_dict_set_int(&stream_opts[i], "max_pixels", VC_IMAGE_MAX_PIXELS, 0);
    ret = avformat_find_stream_info(fmt, stream_opts);
    for (unsigned i = 0; i < fmt->nb_streams; i++) {
        const AVCodecParameters *cp = fmt->streams[i]->codecpar;
        if ((long long)cp->width * cp->height > VC_IMAGE_MAX_PIXELS) {
            rc = vc_error(VC_ERR_TOO_LARGE, "'%s': declared size %dx%d exceeds the limit of %lld pixels",
                          path, cp->width, cp->height, (long long)VC_IMAGE_MAX_PIXELS);
            goto done;
        }
    }
    if (ret < 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': cannot read stream info (%s)", path, vc_av_errstr(ret, eb, sizeof eb));
        goto done;
    }
    int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (si < 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': no image data (format '%s' has no video stream)", path,
                      fmt->iformat ? fmt->iformat->name : "?");
        goto done;
    }
    AVCodecParameters *par = fmt->streams[si]->codecpar;
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec) {
        rc = vc_error(VC_ERR_DECODE, "'%s': no decoder for codec '%s'", path, avcodec_get_name(par->codec_id));
        goto done;
    }
    dec = avcodec_alloc_context3(codec);
    pkt = av_packet_alloc();
    frame = av_frame_alloc();
    if (!dec || !pkt || !frame) {
        rc = vc_error(VC_ERR_NOMEM, "'%s': out of memory", path);
        goto done;
    }
    dec->thread_count = 1; /* one image: threads would cost more than they save */
    dec->max_pixels = VC_IMAGE_MAX_PIXELS;
    /* A still image with a decode error (e.g. a truncated JPEG, which FFmpeg would
     * otherwise conceal as grey) is rejected. Checked on the 2,094-file sports set: only
     * the empty file fails with this setting. */
    dec->err_recognition |= AV_EF_EXPLODE;
    if ((ret = avcodec_parameters_to_context(dec, par)) < 0 ||
        (ret = avcodec_open2(dec, codec, NULL)) < 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': cannot open decoder '%s' (%s)", path, codec->name,
                      vc_av_errstr(ret, eb, sizeof eb));
        goto done;
    }
    /* First frame only (an animated GIF gives its first frame). */
    while (!got && (ret = av_read_frame(fmt, pkt)) >= 0) {
        if (pkt->stream_index == si) {
            ret = avcodec_send_packet(dec, pkt);
            if (ret >= 0)
                ret = receive_one(dec, frame);
            got = ret > 0;
        }
        av_packet_unref(pkt);
        if (ret < 0)
            break;
    }
    if (!got && ret != AVERROR_EOF && ret < 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': corrupt %s data (%s)", path, codec->name, vc_av_errstr(ret, eb, sizeof eb));
        goto done;
    }
    if (!got) { /* flush: some decoders hold the only frame until the end of input */
        avcodec_send_packet(dec, NULL);
        ret = receive_one(dec, frame);
        got = ret > 0;
    }
    if (!got || frame->width <= 0 || frame->height <= 0) {
        rc = vc_error(VC_ERR_DECODE, "'%s': no picture could be decoded (%s data truncated or corrupt)", path, codec->name);
        goto done;
    }
    sws = sws_getContext(frame->width, frame->height, (enum AVPixelFormat)frame->format, out_w, out_h,
                         AV_PIX_FMT_RGB24, SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT, NULL, NULL, NULL);
    if (!sws) {
        rc = vc_error(VC_ERR_DECODE, "'%s': cannot convert fmt:%s s:%dx%d -> fmt:rgb24 s:%dx%d", path,
                      av_get_pix_fmt_name((enum AVPixelFormat)frame->format), frame->width, frame->height, out_w, out_h);
        goto done;
    }
    uint8_t *dst_data[4] = { dst, NULL, NULL, NULL };
    int dst_linesize[4] = { out_w * 3, 0, 0, 0 };
    ret = sws_scale(sws, (const uint8_t *const *)frame->data, frame->linesize, 0, frame->height, dst_data, dst_linesize);
    if (ret != out_h) {
        rc = vc_error(VC_ERR_DECODE, "'%s': resize failed", path);
        goto done;
    }
    if (info) {
        info->width = frame->width;
        info->height = frame->height;
        snprintf(info->codec, sizeof info->codec, "%s", codec->name);
    }
done:
    sws_freeContext(sws);
    av_frame_free(&frame);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
    for (unsigned i = 0; i < n_stream_opts; i++)
        av_dict_free(&stream_opts[i]);
    av_freep(&stream_opts);
    av_dict_free(&opts);
    return rc;
}
