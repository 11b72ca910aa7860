#!/usr/bin/python3
"""pixels_vs_opencv.py BIN_DIR [SPORTS_DIR] - vidclass's pixels against the reference
tutorial's OpenCV pipeline (Debian's python3-opencv 4.6, the same FFmpeg libraries).

1. resize: vc_resizer (linear) == cv2.resize(img, (w, h)) bit for bit, on 200+ random
   size pairs (shrink, enlarge, exact halves, odd widths).
2. video: every frame of clips made here with ffmpeg (1920x1080 H.264, 854x480 MPEG-4
   part 2, a 720x1280 portrait phone-style clip, one trimmed with an edit list, one with
   a 90-degree display matrix, a 10-bit H.264 clip, MJPEG in AVI) through vidclass's
   decoder == predict_video.py's frames: cv2.VideoCapture -> cvtColor(BGR2RGB) ->
   cv2.resize(224, 224), bit for bit and with the same frame count.
3. images (vidclass-pack's pixels) == train.py's: cv2.imread -> cvtColor -> cv2.resize,
   exactly for PNG of every colour type and depth, BMP and an EXIF-rotated JPEG's
   orientation; JPEG (FFmpeg's decoder vs libjpeg) is measured and held to a bound.
   With SPORTS_DIR, every PNG of the real set is compared too and every JPEG measured.
Exit status 0 when every check holds.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

import cv2
import numpy as np

BIN = sys.argv[1]
SPORTS = sys.argv[2] if len(sys.argv) > 2 else ""
PROBE = os.path.join(BIN, "pixel_probe")
T = tempfile.mkdtemp(prefix="vc-pixels-")
atexit.register(shutil.rmtree, T, ignore_errors=True)  # also when a check fails
failures = []


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def ff(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def probe(*args):
    r = subprocess.run([PROBE, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    return r.stdout.strip()


def resize_cases():
    rng = np.random.RandomState(20261127)
    pairs = [((1920, 1080), (224, 224)), ((854, 480), (224, 224)), ((720, 1280), (224, 224)),
             ((448, 448), (224, 224)), ((640, 360), (320, 180)), ((150, 100), (224, 224)),
             ((3, 3), (224, 224)), ((1, 1), (5, 5)), ((225, 223), (224, 224)), ((333, 211), (150, 97))]
    for _ in range(200):
        pairs.append(((rng.randint(1, 1400), rng.randint(1, 1400)), (rng.randint(1, 400), rng.randint(1, 400))))
    bad = 0
    for (w, h), (dw, dh) in pairs:
        img = rng.randint(0, 256, (h, w, 3), dtype=np.uint8)
        if rng.rand() < 0.5:
            img = cv2.GaussianBlur(img, (5, 5), 2)
        img.tofile(os.path.join(T, "in.raw"))
        probe("resize", os.path.join(T, "in.raw"), str(w), str(h), str(dw), str(dh), "linear", os.path.join(T, "out.raw"))
        ours = np.fromfile(os.path.join(T, "out.raw"), np.uint8).reshape(dh, dw, 3)
        if not np.array_equal(ours, cv2.resize(img, (dw, dh))):
            bad += 1
            print(f"  resize {w}x{h} -> {dw}x{dh}: max diff {np.abs(ours.astype(int) - cv2.resize(img, (dw, dh))).max()}")
    check(bad == 0, f"resize: {len(pairs)} size pairs equal cv2.resize INTER_LINEAR bit for bit ({bad} differ)")


def opencv_frames(path):
    """predict_video.py: vs.read() -> cvtColor(BGR2RGB) -> cv2.resize((224, 224))."""
    vs = cv2.VideoCapture(path)
    out = []
    while True:
        grabbed, frame = vs.read()
        if not grabbed:
            break
        out.append(cv2.resize(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB), (224, 224)))
    return out


def video_cases():
    src = "testsrc2=s={s}:d=1.2:r=25,noise=alls=12:allf=t"
    clips = {
        "h264_1080p.mp4": ["-f", "lavfi", "-i", src.format(s="1920x1080"), "-c:v", "libx264", "-pix_fmt", "yuv420p"],
        "mpeg4_480p.avi": ["-f", "lavfi", "-i", src.format(s="854x480"), "-c:v", "mpeg4", "-q:v", "4"],
        "portrait.mp4": ["-f", "lavfi", "-i", src.format(s="720x1280"), "-c:v", "libx264", "-pix_fmt", "yuv420p"],
        "h264_10bit.mkv": ["-f", "lavfi", "-i", src.format(s="640x360"), "-c:v", "libx264", "-pix_fmt", "yuv420p10le"],
        "mjpeg.avi": ["-f", "lavfi", "-i", src.format(s="480x270"), "-c:v", "mjpeg", "-q:v", "3"],
    }
    for name, args in clips.items():
        ff(*args, os.path.join(T, name))
    # an edit list: trimmed by -ss with stream copy, so decoding starts before the first
    # shown frame (mov demuxer discards the frames before the edit)
    ff("-f", "lavfi", "-i", src.format(s="640x360"), "-c:v", "libx264", "-g", "12", "-bf", "2",
       os.path.join(T, "full.mp4"))
    ff("-ss", "0.37", "-i", os.path.join(T, "full.mp4"), "-c", "copy", os.path.join(T, "editlist.mp4"))
    # a display matrix (phones record sideways and store the rotation)
    ff("-i", os.path.join(T, "portrait.mp4"), "-c", "copy", "-metadata:s:v:0", "rotate=90", os.path.join(T, "rotated.mp4"))
    for name in list(clips) + ["editlist.mp4", "rotated.mp4"]:
        path = os.path.join(T, name)
        n = int(probe("video", path, "224", "linear", os.path.join(T, "v.raw")))
        ours = np.fromfile(os.path.join(T, "v.raw"), np.uint8).reshape(n, 224, 224, 3)
        ref = opencv_frames(path)
        same = n == len(ref) and all(np.array_equal(a, b) for a, b in zip(ours, ref))
        worst = max((int(np.abs(a.astype(int) - b.astype(int)).max()) for a, b in zip(ours, ref)), default=-1)
        check(same, f"video {name}: {n} frames (OpenCV {len(ref)}) equal cv2's 224x224 RGB bit for bit (max diff {worst})")


def ours_images(paths):
    """vidclass's pixels of many images, one process (zeros where it cannot decode)."""
    lst, out = os.path.join(T, "list.txt"), os.path.join(T, "all.raw")
    open(lst, "w").write("".join(p + "\n" for p in paths))
    probe("images", lst, "224", "224", "linear", out)
    return np.fromfile(out, np.uint8).reshape(len(paths), 224, 224, 3)


def opencv_image(path):
    """train.py: cv2.imread -> cvtColor(BGR2RGB) -> cv2.resize((224, 224))."""
    img = cv2.imread(path)
    return None if img is None else cv2.resize(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), (224, 224))


def ours_image(path):
    return ours_images([path])[0]


def image_cases():
    src = os.path.join(T, "src.png")
    ff("-f", "lavfi", "-i", "testsrc2=s=333x251,noise=alls=20:allf=t", "-frames:v", "1", src)
    for fmt in ["rgb24", "rgba", "rgb48be", "rgba64be", "pal8", "gray", "ya8", "gray16be", "ya16be", "monob"]:
        path = os.path.join(T, f"img_{fmt}.png")
        ff("-i", src, "-pix_fmt", fmt, path)
        ref, ours = opencv_image(path), ours_image(path)
        check(ref is not None and np.array_equal(ours, ref),
              f"image PNG {fmt}: equals cv2.imread+resize bit for bit"
              + ("" if ref is None else f" (max diff {np.abs(ours.astype(int) - ref.astype(int)).max()})"))
    path = os.path.join(T, "img.bmp")
    ff("-i", src, "-pix_fmt", "bgr24", path)
    check(np.array_equal(ours_image(path), opencv_image(path)), "image BMP: equals cv2 bit for bit")
    # JPEG: FFmpeg's IDCT is not libjpeg's; upsampling and colour conversion are libjpeg's
    for sub in ["yuvj420p", "yuvj422p", "yuvj440p", "yuvj444p", "gray"]:
        path = os.path.join(T, f"img_{sub}.jpg")
        ff("-i", src, "-pix_fmt", sub, "-q:v", "3", path)
        d = np.abs(ours_image(path).astype(int) - opencv_image(path).astype(int))
        check(d.mean() < 0.1 and d.max() <= 8, f"image JPEG {sub}: mean |diff| {d.mean():.3f}, max {d.max()}, "
              f"{(d == 0).mean() * 100:.1f}% equal (IDCT only; bound: mean < 0.1, max <= 8)")
    exif_case(src)


def exif_case(src):
    """A JPEG with EXIF Orientation 6 (rotate 90 clockwise): imread turns it; so must we."""
    plain = os.path.join(T, "plain.jpg")
    ff("-i", src, "-vf", "crop=320:200:0:0", "-q:v", "2", plain)
    data = open(plain, "rb").read()
    # APP1 Exif, big-endian TIFF, one IFD entry: Orientation (0x0112), SHORT, 1, value 6
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00\x01" + b"\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00" + b"\x00" * 4
    app1 = b"Exif\x00\x00" + tiff
    seg = b"\xff\xe1" + (len(app1) + 2).to_bytes(2, "big") + app1
    path = os.path.join(T, "exif6.jpg")
    open(path, "wb").write(data[:2] + seg + data[2:])
    raw = cv2.imread(path)
    ref, ours = opencv_image(path), ours_image(path)
    d = np.abs(ours.astype(int) - ref.astype(int))
    flipped = np.abs(ours.astype(int) - cv2.resize(cv2.cvtColor(cv2.imread(plain), cv2.COLOR_BGR2RGB),
                                                       (224, 224)).astype(int)).mean()
    check(raw.shape[:2] == (320, 200) and d.mean() < 0.1 and flipped > 10,
          f"image JPEG with EXIF orientation 6: turned as imread does (mean |diff| {d.mean():.3f} vs cv2; "
          f"{flipped:.1f} vs the unturned image)")


def pack_case():
    """vidclass-pack on a folder of PNGs: /images rows equal train.py's pixels."""
    root = os.path.join(T, "pk")
    src = os.path.join(T, "src.png")
    want = {}
    for k, (cls, fmt) in enumerate([("a", "rgb24"), ("a", "pal8"), ("a", "gray16be"), ("b", "rgba"), ("b", "ya8"), ("b", "monob")]):
        os.makedirs(os.path.join(root, cls), exist_ok=True)
        path = os.path.join(root, cls, f"{k}_{fmt}.png")
        ff("-i", src, "-vf", f"crop=300:{200 + 10 * k}:{k}:0", "-pix_fmt", fmt, path)
        want[f"{cls}/{k}_{fmt}.png"] = opencv_image(path)
    out = os.path.join(T, "pack.h5")
    subprocess.run([os.path.join(BIN, "vidclass-pack"), "--input", root, "--output", out, "--quiet"], check=True,
                   capture_output=True)
    import h5py
    with h5py.File(out, "r") as f:
        paths = [p.decode() if isinstance(p, bytes) else p for p in f["paths"][:]]
        same = sum(np.array_equal(f["images"][i], want[p]) for i, p in enumerate(paths))
        check(len(paths) == len(want) and same == len(want) and f.attrs["resize"] in (b"linear", "linear"),
              f"vidclass-pack of {len(want)} PNGs (6 colour types): {same} rows equal cv2.imread + cv2.resize bit for bit")


def sports_cases(root):
    pngs, jpegs = [], []
    for d in sorted(os.listdir(root)):
        if not os.path.isdir(os.path.join(root, d)):
            continue
        for f in sorted(os.listdir(os.path.join(root, d))):
            p = os.path.join(root, d, f)
            head = open(p, "rb").read(8)
            (pngs if head.startswith(b"\x89PNG") else jpegs if head.startswith(b"\xff\xd8") else []).append(p)
    ours = ours_images(pngs)
    bad = [p for p, o in zip(pngs, ours) if opencv_image(p) is None or not np.array_equal(o, opencv_image(p))]
    for p in bad:
        print("  PNG differs:", p)
    check(not bad, f"sports set: {len(pngs)} PNG files equal cv2 bit for bit ({len(bad)} differ)")
    means, maxes = [], []
    for p, o in zip(jpegs, ours_images(jpegs)):
        ref = opencv_image(p)
        if ref is None:
            continue
        d = np.abs(o.astype(int) - ref.astype(int))
        means.append(d.mean())
        maxes.append(d.max())
    check(len(means) > 1000 and np.mean(means) < 0.1,
          f"sports set: {len(means)} JPEG files: mean |diff| {np.mean(means):.4f} (worst image {np.max(means):.3f}), "
          f"max {np.max(maxes)}; {np.mean(np.array(means) == 0) * 100:.1f}% of images identical (bound: mean < 0.1)")


def main():
    resize_cases()
    video_cases()
    image_cases()
    pack_case()
    if SPORTS and os.path.isdir(SPORTS):
        sports_cases(SPORTS)
    else:
        print(f"note: sports set not found at '{SPORTS}': its PNG/JPEG comparison not run")
    print(f"{'FAILED: ' + str(len(failures)) if failures else 'all pixel checks passed'}")
    subprocess.run(["rm", "-rf", T])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
