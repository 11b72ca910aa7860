/* fuzz_video - the video decoder wrapper (src/video.c: demux, stream choice, size limit,
 * decode, stride, resize), up to 64 frames per input. Seeds: short clips of several
 * containers and codecs made by tests/bad_inputs/make.sh. */
#include "fuzz_util.h"
#include "vidclass/image.h"
#include "vidclass/video.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) { vc_av_quiet(); init = 1; }
    const char *p = fuzz_write_tmp(data, size, ".vid");
    if (!p) return 0;
    struct vc_video_params vp = { .size = 16, .stride = 1 + (size % 3), .decoder_threads = 1 };
    vc_video *v = NULL;
    if (vc_video_open(p, &vp, &v) != 0) return 0;
    static uint8_t rgb[16 * 16 * 3];
    int64_t idx;
    for (int i = 0; i < 64 && vc_video_next(v, rgb, &idx) == 1; i++) {}
    vc_video_close(&v);
    return 0;
}
