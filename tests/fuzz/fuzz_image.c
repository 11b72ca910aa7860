/* fuzz_image - the image decoder wrapper (src/image.c: FFmpeg probe, size limit, decode,
 * resize to 32x32 RGB). Seeds: images of the sports set and the bad-input catalogue. */
#include "fuzz_util.h"
#include "vidclass/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) { vc_av_quiet(); init = 1; }
    const char *p = fuzz_write_tmp(data, size, ".img");
    if (!p) return 0;
    static uint8_t rgb[32 * 32 * 3];
    struct vc_image_info info;
    (void)vc_image_load_rgb(p, 32, 32, &info, rgb);
    return 0;
}
