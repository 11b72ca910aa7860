/* media.c - the one FFmpeg input module: open a local file safely, demux and decode it in
 * the doc/examples/demux_decode.c order (EAGAIN/EOF are not errors, flush with a NULL
 * packet at the end), convert the frames that will be classified to OpenCV's BGR at the
 * native size, orient them, resize (vidclass/resize.h) and hand out RGB. Used for video
 * files (vidclass/video.h) and still images (vidclass/image.h) alike. */
#include "vidclass/image.h"
#include "vidclass/video.h"
#include "vidclass/log.h"
#include "vidclass/status.h"
#include "av_internal.h"
#include "video_internal.h"

#include <errno.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_STALL_SECONDS 60.0

/* ---- FFmpeg's log and error text ----------------------------------------------------- */

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
    if (!S_ISREG(st.st_mode)) /* a FIFO or a device would block or never end */
        return vc_error(VC_ERR_IO, "'%s': not a regular file", path);
    if (st.st_size == 0)
        return vc_error(VC_ERR_DECODE, "'%s': empty file (0 bytes)", path);
    return VC_OK;
}

/* ---- the handle ----------------------------------------------------------------------- */

struct vc_video {
    char                   path[4096];
    struct vc_video_params p;
    struct vc_video_info   info;
    int                    out_w, out_h;
    AVFormatContext       *fmt;
    AVCodecContext        *dec;
    AVPacket              *pkt;
    AVFrame               *frame;
    struct SwsContext     *sws;         /* native format -> BGR24 at the same size */
    int                    sws_w, sws_h, sws_fmt;
    uint8_t               *bgr, *turned; /* native BGR24 frame, and its oriented copy */
    size_t                 bgr_cap, turned_cap;
    vc_resizer            *rs;
    int                    transpose, flip_x, flip_y; /* orientation to apply */
    int                    stream, draining, done;
    int64_t                decoded;
    double                 last_io;     /* vc_time_now() of the last read that made progress */
    int                    stalled;
    /* annotation: clones of every decoded frame (video_internal.h) */
    int                    keep;
    AVFrame              **kept;
    int                    n_kept, cap_kept, head_kept;
};

/* Demuxers that open further files named inside the input (playlists, concatenation
 * lists, manifests): refused, so an input can never make us read another file. */
static const char *const k_referencing[] = { "hls", "applehttp", "dash", "concat", "ffconcat", "mpd",
                                             "smoothstreaming", "tee" };

static int referencing_format(const char *name)
{
    for (size_t i = 0; i < sizeof k_referencing / sizeof k_referencing[0]; i++)
        if (av_match_name(k_referencing[i], name)) return 1;
    return 0;
}

/* AVIO interrupt callback: one demuxer call (open, probe, read a packet) that takes more
 * than stall_seconds is abandoned, so no input can hang a whole run. The clock is reset
 * before each call (arm_stall). */
static int interrupt_cb(void *opaque)
{
    vc_video *v = opaque;
    if (vc_time_now() - v->last_io > v->p.stall_seconds) { v->stalled = 1; return 1; }
    return 0;
}

static void arm_stall(vc_video *v) { v->last_io = vc_time_now(); }

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
        if (!k) return vc_error(VC_ERR_NOMEM, "'%s': cannot keep frame %lld", v->path, (long long)index);
        v->kept = k;
        v->cap_kept = cap;
    }
    AVFrame *c = av_frame_clone(f);
    if (!c) return vc_error(VC_ERR_NOMEM, "'%s': cannot keep frame %lld", v->path, (long long)index);
    c->pts = index;
    v->kept[v->n_kept++] = c;
    return VC_OK;
}

/* ---- opening ---------------------------------------------------------------------------- */

/* The orientation OpenCV applies: videos by the display matrix (CvCapture_FFMPEG's
 * rotation_auto), images by the EXIF Orientation tag (imread's ApplyExifOrientation),
 * as transpose and/or flips. */
static void set_rotation(vc_video *v, int degrees)
{
    v->info.rotation = degrees;
    v->transpose = degrees == 90 || degrees == 270;
    v->flip_x = degrees == 90 || degrees == 180;  /* 90 clockwise: transpose, then mirror */
    v->flip_y = degrees == 180 || degrees == 270; /* 270 clockwise: transpose, then flip  */
}

static void stream_rotation(vc_video *v, AVStream *s)
{
    const uint8_t *m = av_stream_get_side_data(s, AV_PKT_DATA_DISPLAYMATRIX, NULL);
    if (!m || v->p.no_autorotate || v->p.still) return;
    double theta = av_display_rotation_get((const int32_t *)m);
    if (isnan(theta)) return;
    int deg = (int)lrint(theta); /* OpenCV 4.6: CAP_PROP_ORIENTATION_META, turned clockwise by it */
    deg = ((deg % 360) + 360) % 360;
    if (deg == 90 || deg == 180 || deg == 270) set_rotation(v, deg);
}

static void exif_orientation(vc_video *v, const AVFrame *f)
{
    const AVDictionaryEntry *e = av_dict_get(f->metadata, "Orientation", NULL, 0);
    int o = e ? atoi(e->value) : 1;
    v->transpose = o >= 5 && o <= 8;
    v->flip_x = o == 2 || o == 3 || o == 6 || o == 7;
    v->flip_y = o == 3 || o == 4 || o == 7 || o == 8;
    v->info.rotation = o == 6 ? 90 : o == 3 ? 180 : o == 8 ? 270 : 0;
}

static int open_demuxer(vc_video *v, const char *path)
{
    char eb[400], url[4200];
    AVDictionary *opts = NULL;
    /* "file:" first, so a name with a colon ("08:30.mp4") is never taken for a URL
     * scheme, and only the file protocol may be used (a crafted input naming an http://
     * or another protocol is refused by FFmpeg). */
    snprintf(url, sizeof url, "file:%s", path);
    av_dict_set(&opts, "protocol_whitelist", "file", 0);
    /* image2 (chosen for image files by their extension) reads a numbered sequence when the
     * name holds a %d: only ever the one named file */
    av_dict_set(&opts, "pattern_type", "none", 0);
    v->fmt = avformat_alloc_context();
    if (!v->fmt) return vc_error(VC_ERR_NOMEM, "'%s': out of memory", path);
    v->fmt->interrupt_callback = (AVIOInterruptCB){ interrupt_cb, v };
    arm_stall(v);
    int ret = avformat_open_input(&v->fmt, url, NULL, &opts);
    av_dict_free(&opts);
    if (ret < 0) {
        int rc = v->stalled ? vc_error(VC_ERR_DECODE, "'%s': no data for %.0f s (a FIFO, a device or a stalled file?)",
                                       path, v->p.stall_seconds)
                            : vc_error(ret == AVERROR(EACCES) || ret == AVERROR(ENOENT) ? VC_ERR_IO : VC_ERR_DECODE,
                                       "'%s': not a recognised %s (%s)", path, v->p.still ? "image" : "media file",
                                       vc_av_errstr(ret, eb, sizeof eb));
        return rc;
    }
    if (referencing_format(v->fmt->iformat->name))
        return vc_error(VC_ERR_UNSUPPORTED, "'%s': a '%s' file refers to other files; vidclass reads only self-contained "
                        "media files", path, v->fmt->iformat->name);
    return VC_OK;
}

static int open_decoder(vc_video *v, const char *path)
{
    char eb[400];
    unsigned n_sopts = v->fmt->nb_streams;
    AVDictionary **sopts = av_calloc(n_sopts ? n_sopts : 1, sizeof *sopts);
    if (!sopts) return vc_error(VC_ERR_NOMEM, "'%s': out of memory", path);
    /* find_stream_info may decode a frame to learn the pixel format: cap the size there
     * too, so a declared-huge image is refused before any allocation */
    for (unsigned i = 0; i < n_sopts; i++) av_dict_set_int(&sopts[i], "max_pixels", VC_IMAGE_MAX_PIXELS, 0);
    arm_stall(v);
    int ret = avformat_find_stream_info(v->fmt, sopts);
    for (unsigned i = 0; i < n_sopts; i++) av_dict_free(&sopts[i]);
    av_freep(&sopts);
    for (unsigned i = 0; i < v->fmt->nb_streams; i++) {
        const AVCodecParameters *cp = v->fmt->streams[i]->codecpar;
        if (cp->codec_type == AVMEDIA_TYPE_VIDEO && ((long long)cp->width * cp->height > VC_IMAGE_MAX_PIXELS ||
                                                      cp->width < 0 || cp->height < 0))
            return vc_error(VC_ERR_TOO_LARGE, "'%s': declared frame size %dx%d exceeds the limit of %lld pixels", path,
                            cp->width, cp->height, (long long)VC_IMAGE_MAX_PIXELS);
    }
    if (ret < 0)
        return vc_error(VC_ERR_DECODE, "'%s': cannot read stream info (%s)", path, vc_av_errstr(ret, eb, sizeof eb));
    v->stream = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (v->stream < 0)
        return vc_error(VC_ERR_DECODE, v->p.still ? "'%s': no image data (format '%s' has no video stream)"
                                                  : "'%s': no video stream (format '%s')", path, v->fmt->iformat->name);
    AVStream *s = v->fmt->streams[v->stream];
    const AVCodec *codec = avcodec_find_decoder(s->codecpar->codec_id);
    if (!codec) return vc_error(VC_ERR_DECODE, "'%s': no decoder for codec '%s'", path, avcodec_get_name(s->codecpar->codec_id));
    v->dec = avcodec_alloc_context3(codec);
    v->pkt = av_packet_alloc();
    v->frame = av_frame_alloc();
    if (!v->dec || !v->pkt || !v->frame) return vc_error(VC_ERR_NOMEM, "'%s': out of memory", path);
    if ((ret = avcodec_parameters_to_context(v->dec, s->codecpar)) < 0)
        return vc_error(VC_ERR_DECODE, "'%s': bad codec parameters (%s)", path, vc_av_errstr(ret, eb, sizeof eb));
    v->dec->thread_count = v->p.still ? 1 : v->p.decoder_threads; /* one image: threads cost more than they save */
    v->dec->max_pixels = VC_IMAGE_MAX_PIXELS;
    /* A still image with a decode error (e.g. a truncated JPEG, which FFmpeg would
     * otherwise conceal as grey) is rejected. Checked on the 2,094-file sports set: only
     * the empty file fails with this setting. */
    if (v->p.still) v->dec->err_recognition |= AV_EF_EXPLODE;
    if ((ret = avcodec_open2(v->dec, codec, NULL)) < 0)
        return vc_error(VC_ERR_DECODE, "'%s': cannot open decoder '%s' (%s)", path, codec->name, vc_av_errstr(ret, eb, sizeof eb));
    AVRational fr = s->avg_frame_rate.num > 0 ? s->avg_frame_rate : s->r_frame_rate;
    v->info.width = s->codecpar->width;
    v->info.height = s->codecpar->height;
    v->info.fps = fr.num > 0 && fr.den > 0 ? av_q2d(fr) : 0.0;
    v->info.duration = v->fmt->duration > 0 ? (double)v->fmt->duration / AV_TIME_BASE : 0.0;
    v->info.frames_hint = s->nb_frames;
    snprintf(v->info.codec, sizeof v->info.codec, "%s", codec->name);
    stream_rotation(v, s);
    return VC_OK;
}

static int media_open(const char *path, const struct vc_video_params *p, int out_w, int out_h, vc_video **out)
{
    *out = NULL;
    vc_av_quiet();
    int rc = vc_av_check_input(path);
    if (rc != VC_OK) return rc;
    if (out_w < 1 || out_h < 1 || p->stride < 1)
        return vc_error(VC_ERR_INVALID_ARG, "'%s': output size >= 1 and stride >= 1 required", path);
    vc_video *v = calloc(1, sizeof *v);
    if (!v) return vc_error(VC_ERR_NOMEM, "'%s': out of memory", path);
    snprintf(v->path, sizeof v->path, "%s", path);
    v->p = *p;
    if (v->p.stall_seconds <= 0) v->p.stall_seconds = DEFAULT_STALL_SECONDS;
    v->out_w = out_w;
    v->out_h = out_h;
    v->stream = -1;
    rc = open_demuxer(v, path);
    if (rc == VC_OK) rc = open_decoder(v, path);
    if (rc != VC_OK) {
        vc_video_close(&v);
        return rc;
    }
    *out = v;
    return VC_OK;
}

int vc_video_open(const char *path, const struct vc_video_params *p, vc_video **out)
{
    if (p->size < 32)
        return vc_error(VC_ERR_INVALID_ARG, "video: size >= 32 required (got %d)", p->size);
    return media_open(path, p, p->size, p->size, out);
}

const struct vc_video_info *vc_video_get_info(const vc_video *v) { return &v->info; }
int64_t vc_video_frames_decoded(const vc_video *v) { return v->decoded; }

/* ---- conversion ------------------------------------------------------------------------ */

/* A frame buffer of at least `need` bytes, aligned as av_frame_get_buffer's (libswscale
 * picks its SIMD paths by alignment, and their rounding can differ from the C paths'). */
static int grow(uint8_t **buf, size_t *cap, size_t need)
{
    if (need <= *cap) return VC_OK;
    av_freep(buf);
    *cap = 0;
    if (!(*buf = av_malloc(need))) return VC_NOMEM;
    *cap = need;
    return VC_OK;
}

/* Formats whose pixels are plain RGB or grey samples (PNG, BMP, TIFF, GIF palettes, ...):
 * converted as libpng/OpenCV do, without swscale: alpha dropped, grey replicated, samples
 * deeper than 8 bits reduced to their high byte, shallower ones scaled to 0..255. */
static int plain_rgb_format(const AVPixFmtDescriptor *d)
{
    if (d->flags & (AV_PIX_FMT_FLAG_HWACCEL | AV_PIX_FMT_FLAG_FLOAT | AV_PIX_FMT_FLAG_BAYER)) return 0;
    if (d->flags & AV_PIX_FMT_FLAG_PAL) return strcmp(d->name, "pal8") == 0;
    int grey = d->nb_components <= 2 && !(d->flags & AV_PIX_FMT_FLAG_RGB);
    if (!(d->flags & AV_PIX_FMT_FLAG_RGB) && !grey) return 0;
    if (grey && strncmp(d->name, "gray", 4) != 0 && strncmp(d->name, "ya", 2) != 0 && strncmp(d->name, "mono", 4) != 0)
        return 0;
    for (int c = 0; c < d->nb_components; c++)
        if (d->comp[c].depth > 16) return 0;
    return 1;
}

static void plain_to_bgr(const AVFrame *f, const AVPixFmtDescriptor *d, uint8_t *dst, int dst_stride, uint16_t *line)
{
    const int w = f->width, pal = (d->flags & AV_PIX_FMT_FLAG_PAL) != 0;
    const int grey = !pal && !(d->flags & AV_PIX_FMT_FLAG_RGB);
    const int depth = pal ? 8 : d->comp[0].depth, invert = strcmp(d->name, "monow") == 0;
    const int max_in = (1 << depth) - 1;
    const uint32_t *palette = pal ? (const uint32_t *)f->data[1] : NULL; /* 0xAARRGGBB */
    for (int y = 0; y < f->height; y++) {
        uint8_t *o = dst + (size_t)y * dst_stride;
        if (pal) {
            av_read_image_line2(line, (const uint8_t **)f->data, f->linesize, d, 0, y, 0, w, 0, 2);
            for (int x = 0; x < w; x++) {
                uint32_t c = palette[line[x] & 255];
                o[3 * x] = (uint8_t)c;
                o[3 * x + 1] = (uint8_t)(c >> 8);
                o[3 * x + 2] = (uint8_t)(c >> 16);
            }
            continue;
        }
        for (int c = 0; c < 3; c++) { /* RGB formats list R, G, B components; grey has one */
            av_read_image_line2(line, (const uint8_t **)f->data, f->linesize, d, 0, y, grey ? 0 : c, w, 0, 2);
            for (int x = 0; x < w; x++) {
                int s = invert ? max_in - line[x] : line[x];
                o[3 * x + (2 - c)] = (uint8_t)(depth == 8 ? s : depth > 8 ? s >> (depth - 8) : s * 255 / max_in);
            }
        }
    }
}

/* JPEG stills: libjpeg's decoder output as OpenCV's imread gets it, from FFmpeg's planes:
 * "fancy" chroma upsampling (jdsample.c: triangle filter, 3/4 nearer + 1/4 further
 * sample, its alternating rounding biases, edge rows and columns replicated) and its
 * fixed-point YCbCr -> RGB (jdcolor.c, 16 fractional bits). Only the IDCTs differ. */
static int jpeg_planes(const AVFrame *f, const AVPixFmtDescriptor *d)
{
    return (d->flags & AV_PIX_FMT_FLAG_PLANAR) && !(d->flags & AV_PIX_FMT_FLAG_RGB) && d->nb_components == 3 &&
           d->comp[0].depth == 8 && d->log2_chroma_w <= 1 && d->log2_chroma_h <= 1 &&
           (f->color_range == AVCOL_RANGE_JPEG || strncmp(d->name, "yuvj", 4) == 0);
}

/* One chroma plane (cw x ch) upsampled to (cw << lw) x (ch << lh) in out. */
static void jpeg_upsample(const uint8_t *in, int ls, int cw, int ch, int lw, int lh, uint8_t *out)
{
    const int ow = cw << lw;
    for (int r = 0; r < ch; r++) {
        for (int v = 0; v <= lh; v++) {
            const uint8_t *p0 = in + (size_t)r * ls;
            const uint8_t *p1 = !lh ? p0 : in + (size_t)(v == 0 ? (r > 0 ? r - 1 : 0) : (r + 1 < ch ? r + 1 : ch - 1)) * ls;
            uint8_t *o = out + ((size_t)(r << lh) + v) * ow;
            if (!lw) { /* h1v2 (bias 1 above, 2 below) or h1v1 */
                for (int x = 0; x < cw; x++) o[x] = lh ? (uint8_t)((p0[x] * 3 + p1[x] + 1 + v) >> 2) : p0[x];
            } else if (!lh) { /* h2v1 */
                if (cw <= 2) { for (int x = 0; x < cw; x++) o[2 * x] = o[2 * x + 1] = p0[x]; continue; }
                o[0] = p0[0];
                o[1] = (uint8_t)((p0[0] * 3 + p0[1] + 2) >> 2);
                for (int x = 1; x < cw - 1; x++) {
                    o[2 * x] = (uint8_t)((p0[x] * 3 + p0[x - 1] + 1) >> 2);
                    o[2 * x + 1] = (uint8_t)((p0[x] * 3 + p0[x + 1] + 2) >> 2);
                }
                o[2 * cw - 2] = (uint8_t)((p0[cw - 1] * 3 + p0[cw - 2] + 1) >> 2);
                o[2 * cw - 1] = p0[cw - 1];
            } else { /* h2v2: column sums of the nearer row x3 plus the further row */
                if (cw <= 2) { /* libjpeg's plain replication for very narrow planes */
                    for (int x = 0; x < cw; x++) o[2 * x] = o[2 * x + 1] = p0[x];
                    continue;
                }
                int last = 0, this = p0[0] * 3 + p1[0], next = p0[1] * 3 + p1[1];
                o[0] = (uint8_t)((this * 4 + 8) >> 4);
                o[1] = (uint8_t)((this * 3 + next + 7) >> 4);
                for (int x = 1; x < cw - 1; x++) {
                    last = this;
                    this = next;
                    next = p0[x + 1] * 3 + p1[x + 1];
                    o[2 * x] = (uint8_t)((this * 3 + last + 8) >> 4);
                    o[2 * x + 1] = (uint8_t)((this * 3 + next + 7) >> 4);
                }
                last = this;
                this = next;
                o[2 * cw - 2] = (uint8_t)((this * 3 + last + 8) >> 4);
                o[2 * cw - 1] = (uint8_t)((this * 4 + 7) >> 4);
            }
        }
    }
}

static int jpeg_to_bgr(const AVFrame *f, const AVPixFmtDescriptor *d, uint8_t *dst, int dst_stride)
{
    const int lw = d->log2_chroma_w, lh = d->log2_chroma_h;
    const int cw = AV_CEIL_RSHIFT(f->width, lw), ch = AV_CEIL_RSHIFT(f->height, lh);
    const size_t plane = (size_t)(cw << lw) * (size_t)(ch << lh);
    uint8_t *cb = av_malloc(2 * plane), *cr = cb ? cb + plane : NULL;
    if (!cb) return VC_NOMEM;
    jpeg_upsample(f->data[1], f->linesize[1], cw, ch, lw, lh, cb);
    jpeg_upsample(f->data[2], f->linesize[2], cw, ch, lw, lh, cr);
    const int uw = cw << lw;
    enum { ONE_HALF = 1 << 15 };
    for (int y = 0; y < f->height; y++) {
        const uint8_t *py = f->data[0] + (size_t)y * f->linesize[0];
        const uint8_t *pb = cb + (size_t)y * uw, *pr = cr + (size_t)y * uw;
        uint8_t *o = dst + (size_t)y * dst_stride;
        for (int x = 0; x < f->width; x++) {
            int Y = py[x], b = pb[x] - 128, r = pr[x] - 128;
            int R = Y + ((91881 * r + ONE_HALF) >> 16);                 /* FIX(1.40200) */
            int G = Y + ((-22554 * b + ONE_HALF - 46802 * r) >> 16);   /* FIX(0.34414), FIX(0.71414) */
            int B = Y + ((116130 * b + ONE_HALF) >> 16);                /* FIX(1.77200) */
            o[3 * x] = (uint8_t)(B < 0 ? 0 : B > 255 ? 255 : B);
            o[3 * x + 1] = (uint8_t)(G < 0 ? 0 : G > 255 ? 255 : G);
            o[3 * x + 2] = (uint8_t)(R < 0 ? 0 : R > 255 ? 255 : R);
        }
    }
    av_free(cb);
    return VC_OK;
}

/* v->frame -> BGR24 at its native size in v->bgr (row stride *stride). */
static int to_bgr(vc_video *v, int *stride)
{
    AVFrame *f = v->frame;
    const AVPixFmtDescriptor *d = av_pix_fmt_desc_get((enum AVPixelFormat)f->format);
    if (!d) return vc_error(VC_ERR_DECODE, "'%s': frame has an unknown pixel format %d", v->path, f->format);
    if (v->p.still && plain_rgb_format(d)) {
        *stride = f->width * 3;
        uint16_t *line = av_malloc(sizeof(uint16_t) * (size_t)f->width + 64);
        if (!line || grow(&v->bgr, &v->bgr_cap, (size_t)*stride * f->height) != VC_OK) {
            av_free(line);
            return vc_error(VC_ERR_NOMEM, "'%s': out of memory for a %dx%d frame", v->path, f->width, f->height);
        }
        plain_to_bgr(f, d, v->bgr, *stride, line);
        av_free(line);
        return VC_OK;
    }
    if (v->p.still && v->dec->codec_id == AV_CODEC_ID_MJPEG && jpeg_planes(f, d)) {
        *stride = f->width * 3;
        if (grow(&v->bgr, &v->bgr_cap, (size_t)*stride * f->height) != VC_OK ||
            jpeg_to_bgr(f, d, v->bgr, *stride) != VC_OK)
            return vc_error(VC_ERR_NOMEM, "'%s': out of memory for a %dx%d frame", v->path, f->width, f->height);
        return VC_OK;
    }
    /* OpenCV's retrieveFrame: a context of the decoder's coded size (both sides), SWS_BICUBIC
     * (at equal sizes only the colour conversion and the chroma upsampling it implies),
     * destination rows 32-byte aligned, and all coded rows converted: the decoder's padding
     * rows below the picture feed the chroma filter of its last rows (measured: converting
     * only the visible rows differs from cv2 there, on 10-bit H.264). */
    int cw = v->dec->coded_width > f->width ? v->dec->coded_width : f->width;
    int chh = v->dec->coded_height > f->height ? v->dec->coded_height : f->height;
    if (!v->sws || v->sws_w != cw || v->sws_h != chh || v->sws_fmt != f->format) {
        v->sws = sws_getCachedContext(v->sws, cw, chh, (enum AVPixelFormat)f->format, cw, chh, AV_PIX_FMT_BGR24,
                                      SWS_BICUBIC, NULL, NULL, NULL);
        if (!v->sws)
            return vc_error(VC_ERR_DECODE, "'%s': cannot convert fmt:%s s:%dx%d to BGR", v->path, d->name, cw, chh);
        v->sws_w = cw;
        v->sws_h = chh;
        v->sws_fmt = f->format;
    }
    *stride = FFALIGN(cw * 3, 32);
    if (grow(&v->bgr, &v->bgr_cap, (size_t)*stride * chh + 64) != VC_OK)
        return vc_error(VC_ERR_NOMEM, "'%s': out of memory for a %dx%d frame", v->path, cw, chh);
    uint8_t *dst[4] = { v->bgr, NULL, NULL, NULL };
    int ls[4] = { *stride, 0, 0, 0 };
    if (sws_scale(v->sws, (const uint8_t *const *)f->data, f->linesize, 0, chh, dst, ls) <= 0)
        return vc_error(VC_ERR_DECODE, "'%s': colour conversion of frame %lld failed", v->path, (long long)v->decoded);
    return VC_OK;
}

/* Apply the orientation (transpose, then mirror left-right and/or top-bottom) to the
 * w x h BGR image in v->bgr; *w, *h, *stride and *src describe the result. */
static int orient(vc_video *v, const uint8_t **src, int *w, int *h, int *stride)
{
    if (!v->transpose && !v->flip_x && !v->flip_y) return VC_OK;
    const int ow = v->transpose ? *h : *w, oh = v->transpose ? *w : *h;
    if (grow(&v->turned, &v->turned_cap, (size_t)ow * oh * 3) != VC_OK)
        return vc_error(VC_ERR_NOMEM, "'%s': out of memory rotating a %dx%d frame", v->path, *w, *h);
    for (int y = 0; y < oh; y++)
        for (int x = 0; x < ow; x++) {
            int sx = v->flip_x ? ow - 1 - x : x, sy = v->flip_y ? oh - 1 - y : y; /* in the transposed image */
            if (v->transpose) { int t = sx; sx = sy; sy = t; }
            const uint8_t *p = *src + (size_t)sy * *stride + 3 * (size_t)sx;
            uint8_t *o = v->turned + ((size_t)y * ow + x) * 3;
            o[0] = p[0]; o[1] = p[1]; o[2] = p[2];
        }
    *src = v->turned;
    *w = ow;
    *h = oh;
    *stride = ow * 3;
    return VC_OK;
}

/* The current frame -> out_w x out_h RGB in rgb. */
static int convert(vc_video *v, uint8_t *rgb)
{
    int stride = 0, rc = to_bgr(v, &stride);
    if (rc != VC_OK) return rc;
    if (v->p.still) exif_orientation(v, v->frame);
    const uint8_t *src = v->bgr;
    int w = v->frame->width, h = v->frame->height;
    if ((rc = orient(v, &src, &w, &h, &stride)) != VC_OK) return rc;
    if (!vc_resizer_matches(v->rs, w, h, v->out_w, v->out_h, 3, v->p.resize)) {
        vc_resizer_free(&v->rs);
        if ((rc = vc_resizer_init(w, h, v->out_w, v->out_h, 3, v->p.resize, &v->rs)) != VC_OK) return rc;
    }
    vc_resizer_run(v->rs, src, stride, rgb);
    const size_t n = (size_t)v->out_w * v->out_h;
    for (size_t i = 0; i < n; i++) { /* cv2.cvtColor(BGR2RGB) */
        uint8_t t = rgb[3 * i];
        rgb[3 * i] = rgb[3 * i + 2];
        rgb[3 * i + 2] = t;
    }
    return VC_OK;
}

/* ---- decoding ------------------------------------------------------------------------------ */

/* Presentation time of the current frame in seconds. */
static double frame_time(const vc_video *v, int64_t index)
{
    const AVStream *s = v->fmt->streams[v->stream];
    int64_t ts = v->frame->best_effort_timestamp;
    if (ts != AV_NOPTS_VALUE && s->time_base.den > 0) return (double)ts * av_q2d(s->time_base);
    return v->info.fps > 0 ? (double)index / v->info.fps : 0.0;
}

int vc_video_next(vc_video *v, uint8_t *rgb, int64_t *index)
{
    double t;
    return vc_video_next_frame(v, rgb, index, &t);
}

int vc_video_next_frame(vc_video *v, uint8_t *rgb, int64_t *index, double *time)
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
            if (take) *time = frame_time(v, i);
            if (rc == VC_OK && v->keep) rc = keep_frame(v, v->frame, i);
            av_frame_unref(v->frame);
            if (rc != VC_OK) return rc;
            if (take) {
                *index = i;
                return 1;
            }
            if (v->keep) return 2; /* a kept frame: the caller bounds how many it holds */
            continue;
        }
        if (ret == AVERROR_EOF) {
            v->done = 1;
            return 0;
        }
        if (ret != AVERROR(EAGAIN))
            return vc_error(VC_ERR_DECODE, "'%s': %s after frame %lld (%s)", v->path,
                            v->p.still ? "corrupt image data" : "decode error", (long long)v->decoded,
                            vc_av_errstr(ret, eb, sizeof eb));
        if (v->draining) { /* EAGAIN while draining cannot happen; treat as the end */
            v->done = 1;
            return 0;
        }
        /* the decoder wants input: next packet of our stream, or flush at the end */
        arm_stall(v);
        ret = av_read_frame(v->fmt, v->pkt);
        if (v->stalled)
            return vc_error(VC_ERR_DECODE, "'%s': no data for %.0f s after frame %lld; given up", v->path,
                            v->p.stall_seconds, (long long)v->decoded);
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
            if (ret < 0 && ret != AVERROR(EAGAIN) && v->p.still)
                return vc_error(VC_ERR_DECODE, "'%s': corrupt %s data (%s)", v->path, v->info.codec,
                                vc_av_errstr(ret, eb, sizeof eb));
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
    vc_resizer_free(&v->rs);
    av_free(v->bgr);
    av_free(v->turned);
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    free(v);
    *vp = NULL;
}

/* ---- still images ---------------------------------------------------------------------------- */

int vc_image_load(const char *path, int out_w, int out_h, enum vc_resize_mode mode, struct vc_image_info *info,
                  uint8_t *dst)
{
    struct vc_video_params p = { .size = out_w, .stride = 1, .decoder_threads = 1, .resize = mode, .still = 1 };
    vc_video *v = NULL;
    int rc = media_open(path, &p, out_w, out_h, &v);
    if (rc != VC_OK) return rc;
    int64_t index;
    int got = vc_video_next(v, dst, &index);
    if (got == 0)
        rc = vc_error(VC_ERR_DECODE, "'%s': no picture could be decoded (%s data truncated or corrupt)", path, v->info.codec);
    else if (got < 0)
        rc = got;
    if (rc == VC_OK && info) {
        info->width = v->info.width;
        info->height = v->info.height;
        snprintf(info->codec, sizeof info->codec, "%s", v->info.codec);
    }
    vc_video_close(&v);
    return rc;
}

int vc_image_load_rgb(const char *path, int out_w, int out_h, struct vc_image_info *info, uint8_t *dst)
{
    return vc_image_load(path, out_w, out_h, VC_RESIZE_LINEAR, info, dst);
}
