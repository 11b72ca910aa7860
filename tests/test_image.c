/* test_image.c - FFmpeg image decoding by content, resize, preprocessing, and bad input.
 *
 * Fixtures are made by the test with the ffmpeg CLI (solid colours in PNG, JPEG, GIF,
 * BMP, WebP when the encoder exists), plus an empty file, an HTML page named .jpg, a
 * truncated JPEG, a directory named like an image, and a PNG header declaring 9000x9000.
 */
#include "test_util.h"
#include "vidclass/image.h"
#include "vidclass/preprocess.h"
#include "vidclass/status.h"

#include <stdarg.h>
#include <stdint.h>


static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

/* Decode `file` at 224x224 and check every pixel is within tol of (r, g, b). */
static void check_solid(const char *file, int r, int g, int b, int tol)
{
    static uint8_t rgb[224 * 224 * 3];
    struct vc_image_info info;
    int rc = vc_image_load_rgb(P(file), 224, 224, &info, rgb);
    CHECK(rc == VC_OK, "%s: %s", file, vc_last_error());
    if (rc != VC_OK)
        return;
    int worst = 0;
    for (int i = 0; i < 224 * 224; i++) {
        int d = abs(rgb[3 * i] - r);
        if (abs(rgb[3 * i + 1] - g) > d) d = abs(rgb[3 * i + 1] - g);
        if (abs(rgb[3 * i + 2] - b) > d) d = abs(rgb[3 * i + 2] - b);
        if (d > worst) worst = d;
    }
    printf("%-16s codec %-6s %4dx%-4d -> 224x224, worst channel error %d (tol %d)\n", file, info.codec,
           info.width, info.height, worst, tol);
    CHECK(worst <= tol, "%s: pixel off by %d from (%d,%d,%d)", file, worst, r, g, b);
}

static void check_fails(const char *file, int status, const char *frag)
{
    static uint8_t rgb[32 * 32 * 3];
    vc_clear_error();
    int rc = vc_image_load_rgb(P(file), 32, 32, NULL, rgb);
    printf("%-16s -> %s: %s\n", file, vc_strerror(rc), vc_last_error());
    CHECK(rc == status, "%s: status %d (%s), expected %d (%s)", file, rc, vc_strerror(rc), status, vc_strerror(status));
    CHECK(strstr(vc_last_error(), file) != NULL, "%s: message does not name the file", file);
    CHECK(!frag || strstr(vc_last_error(), frag), "%s: message lacks '%s'", file, frag);
}

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

int main(void)
{
    snprintf(g_dir, sizeof g_dir, "%s", test_tmpdir("image"));
    const char *ff = "ffmpeg -v error -y -f lavfi -i";
    /* colour 0x3080C0 = (48, 128, 192): away from the clipping limits */
    CHECK(sh("%s color=c=0x3080C0:s=320x240 -frames:v 1 %s", ff, P("solid.png")) == 0, "ffmpeg png");
    CHECK(sh("%s color=c=0x3080C0:s=200x300 -frames:v 1 -q:v 2 %s", ff, P("solid.jpg")) == 0, "ffmpeg jpg");
    /* GIF: an exact palette for the colour (ffmpeg's default GIF palette is 3-3-2 bits) */
    CHECK(sh("%s color=c=0x3080C0:s=64x64:d=0.1 -frames:v 1 -vf 'split[a][b];[a]palettegen[p];[b][p]paletteuse' %s",
             ff, P("solid.gif")) == 0, "ffmpeg gif");
    CHECK(sh("%s color=c=0x3080C0:s=99x77 -frames:v 1 %s", ff, P("solid.bmp")) == 0, "ffmpeg bmp");
    CHECK(sh("cp %s %s", P("solid.png"), P("png_named.jpg")) == 0, "cp");
    CHECK(sh("cp %s %s", P("solid.gif"), P("gif_named.aspx")) == 0, "cp");
    CHECK(sh("%s testsrc=s=640x480 -frames:v 1 -q:v 2 %s", ff, P("full.jpg")) == 0, "ffmpeg testsrc");
    CHECK(sh("head -c 3000 %s > %s", P("full.jpg"), P("truncated.jpg")) == 0, "head");
    CHECK(sh("printf '<html><body>404</body></html>\\n' > %s", P("page.jpg")) == 0, "html");
    CHECK(sh(": > %s", P("empty.jpg")) == 0, "empty");
    CHECK(sh("mkdir -p %s", P("folder.jpg")) == 0, "mkdir");

    check_solid("solid.png", 48, 128, 192, 2);
    check_solid("png_named.jpg", 48, 128, 192, 2); /* by content, not extension */
    check_solid("gif_named.aspx", 48, 128, 192, 2); /* GIF named .aspx */
    check_solid("solid.bmp", 48, 128, 192, 2);
    check_solid("solid.jpg", 48, 128, 192, 3);    /* JPEG 4:2:0 + YCbCr rounding */
    if (sh("%s color=c=0x3080C0:s=64x48 -frames:v 1 -c:v libwebp -lossless 1 %s 2>/dev/null", ff, P("solid.webp")) == 0)
        check_solid("solid.webp", 48, 128, 192, 2);
    else
        printf("solid.webp: skipped, this ffmpeg has no libwebp encoder\n");

    check_fails("empty.jpg", VC_ERR_DECODE, "empty");
    check_fails("page.jpg", VC_ERR_DECODE, NULL);
    check_fails("truncated.jpg", VC_ERR_DECODE, NULL);
    check_fails("folder.jpg", VC_ERR_IO, "directory");
    check_fails("missing.jpg", VC_ERR_IO, "No such file");
    {
        /* A PNG whose IHDR declares 9000x9000 (81 Mpixel) and nothing else. */
        uint8_t png[8 + 25] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
        uint8_t *c = png + 8;
        put32(c, 13);
        memcpy(c + 4, "IHDR", 4);
        put32(c + 8, 9000);
        put32(c + 12, 9000);
        c[16] = 8; c[17] = 2; c[18] = 0; c[19] = 0; c[20] = 0; /* 8-bit RGB */
        put32(c + 21, crc32_png(c + 4, 17));
        FILE *f = fopen(P("bomb.png"), "wb");
        fwrite(png, 1, sizeof png, f);
        fclose(f);
        static uint8_t rgb[32 * 32 * 3];
        int rc = vc_image_load_rgb(P("bomb.png"), 32, 32, NULL, rgb);
        printf("%-16s -> %s: %s\n", "bomb.png", vc_strerror(rc), vc_last_error());
        CHECK(rc == VC_ERR_TOO_LARGE || rc == VC_ERR_DECODE, "bomb: status %d", rc);
    }

    /* preprocessing: exact values for one pixel in both modes */
    {
        const uint8_t px[3] = { 10, 20, 30 };
        float out[3];
        vc_preprocess_rgb8(px, 1, VC_PREPROCESS_CAFFE, out);
        CHECK(out[0] == 30.0f - 103.939f && out[1] == 20.0f - 116.779f && out[2] == 10.0f - 123.68f,
              "caffe: %g %g %g", out[0], out[1], out[2]);
        vc_preprocess_rgb8(px, 1, VC_PREPROCESS_RGB_MEAN, out);
        CHECK(out[0] == 10.0f - 123.68f && out[1] == 20.0f - 116.779f && out[2] == 30.0f - 103.939f,
              "rgb_mean: %g %g %g", out[0], out[1], out[2]);
        enum vc_preprocess_mode m;
        CHECK(vc_preprocess_parse("rgb_mean", &m) == VC_OK && m == VC_PREPROCESS_RGB_MEAN, "parse rgb_mean");
        CHECK(vc_preprocess_parse("caffe", &m) == VC_OK && m == VC_PREPROCESS_CAFFE, "parse caffe");
        CHECK(vc_preprocess_parse("torch", &m) == VC_ERR_INVALID_ARG, "parse torch accepted");
    }
    return test_finish("test_image");
}
