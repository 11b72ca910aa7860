/* pixel_probe - write the RGB pixels vidclass computes, for comparison with OpenCV by
 * tests/pixels_vs_opencv.py (a test helper, not installed).
 *   pixel_probe video  PATH SIZE MODE OUT.raw         every frame, SIZE x SIZE RGB, in order
 *   pixel_probe images LIST W H MODE OUT.raw          every image named in LIST (one path a line), in
 *                                                     order, W x H RGB (vidclass-pack's pixels; zeros
 *                                                     where an image cannot be decoded)
 *   pixel_probe resize IN.raw SW SH DW DH MODE OUT.raw  vc_resizer on raw RGB
 * Prints the number of frames (video) and exits 1 with the error on failure. */
#include "vidclass/image.h"
#include "vidclass/resize.h"
#include "vidclass/status.h"
#include "vidclass/video.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what)
{
    fprintf(stderr, "pixel_probe: %s: %s\n", what, vc_last_error());
    return 1;
}

static int write_raw(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(p, 1, n, f) == n;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) fprintf(stderr, "pixel_probe: cannot write %s\n", path);
    return ok ? 0 : 1;
}

static int video(char **a)
{
    enum vc_resize_mode m;
    if (vc_resize_parse(a[1], &m) != VC_OK) return fail("mode");
    struct vc_video_params p = { .size = atoi(a[0]), .stride = 1, .decoder_threads = 1, .resize = m };
    vc_video *v = NULL;
    if (vc_video_open(a[-1], &p, &v) != VC_OK) return fail("open");
    size_t fsz = (size_t)p.size * p.size * 3, n = 0;
    uint8_t *all = NULL;
    int64_t idx;
    int rc;
    for (;;) {
        uint8_t *grown = realloc(all, fsz * (n + 1));
        if (!grown) { free(all); vc_video_close(&v); fprintf(stderr, "pixel_probe: out of memory\n"); return 1; }
        all = grown;
        if ((rc = vc_video_next(v, all + fsz * n, &idx)) != 1) break;
        n++;
    }
    vc_video_close(&v);
    if (rc < 0) { free(all); return fail("decode"); }
    printf("%zu\n", n);
    int r = write_raw(a[2], all, fsz * n);
    free(all);
    return r;
}

static int images(char **a)
{
    enum vc_resize_mode m;
    int w = atoi(a[0]), h = atoi(a[1]);
    if (vc_resize_parse(a[2], &m) != VC_OK) return fail("mode");
    FILE *list = fopen(a[-1], "r"), *out = fopen(a[3], "wb");
    uint8_t *px = malloc((size_t)w * h * 3);
    char line[4096];
    int rc = list && out && px ? 0 : 1;
    while (rc == 0 && fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = '\0';
        if (vc_image_load(line, w, h, m, NULL, px) != VC_OK) memset(px, 0, (size_t)w * h * 3); /* cv2 says None too */
        if (fwrite(px, 1, (size_t)w * h * 3, out) != (size_t)w * h * 3) rc = 1;
    }
    if (list) fclose(list);
    if (out && fclose(out) != 0) rc = 1;
    free(px);
    if (rc) fprintf(stderr, "pixel_probe: images: cannot read %s or write %s\n", a[-1], a[3]);
    return rc;
}

static int resize(char **a)
{
    int sw = atoi(a[0]), sh = atoi(a[1]), dw = atoi(a[2]), dh = atoi(a[3]);
    enum vc_resize_mode m;
    if (vc_resize_parse(a[4], &m) != VC_OK) return fail("mode");
    size_t n = (size_t)sw * sh * 3;
    uint8_t *s = malloc(n), *d = malloc((size_t)dw * dh * 3);
    FILE *f = fopen(a[-1], "rb");
    int ok = s && d && f && fread(s, 1, n, f) == n;
    if (f) fclose(f);
    vc_resizer *r = NULL;
    if (!ok || vc_resizer_init(sw, sh, dw, dh, 3, m, &r) != VC_OK) { free(s); free(d); return fail("resize input"); }
    vc_resizer_run(r, s, (ptrdiff_t)sw * 3, d);
    vc_resizer_free(&r);
    int rc = write_raw(a[5], d, (size_t)dw * dh * 3);
    free(s);
    free(d);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "video") == 0) return video(argv + 3);
    if (argc == 7 && strcmp(argv[1], "images") == 0) return images(argv + 3);
    if (argc == 9 && strcmp(argv[1], "resize") == 0) return resize(argv + 3);
    fprintf(stderr, "usage: pixel_probe video PATH SIZE MODE OUT | images LIST W H MODE OUT | "
                    "resize IN SW SH DW DH MODE OUT\n");
    return 2;
}
