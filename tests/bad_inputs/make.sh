#!/usr/bin/env bash
# make.sh DIR BIN_DIR - generate the bad-input catalogue (tests/bad_inputs/README.md) in
# DIR: configs, weights/model/pack files and videos and images that are broken in one way
# each, plus the valid files they are derived from. Nothing binary is committed; every
# file is made here from ffmpeg's generators and our own tools.
set -euo pipefail
D=$1 BIN=$2
mkdir -p "$D"/{cfg,vid,img/{a,b},h5}
ff() { ffmpeg -v error -y "$@"; }
# bytes N SEED: N pseudo-random bytes, the same for the same seed (a failure can be replayed)
bytes() { /usr/bin/python3 -c "import random, sys; random.seed($2); sys.stdout.buffer.write(random.randbytes($1))"; }

# ---- configs -------------------------------------------------------------------------
printf 'run:\n  window: [1\n'                         > "$D/cfg/syntax.yaml"
printf 'train:\n\tepochs: 3\n'                         > "$D/cfg/tab.yaml"
printf 'train:\n  epochs: abc\n'                       > "$D/cfg/type_int.yaml"
printf 'train:\n  lr: [1, 2]\n'                        > "$D/cfg/type_list.yaml"
printf 'train: 5\n'                                    > "$D/cfg/type_section.yaml"
printf 'train:\n  epochs: 3\n  epochs: 4\n'            > "$D/cfg/duplicate.yaml"
printf 'train:\n  learning_rate: 0.1\n'                > "$D/cfg/unknown.yaml"
printf 'train:\n  epochs: -3\n'                        > "$D/cfg/negative.yaml"
printf 'run:\n  window: 0\n'                           > "$D/cfg/zero.yaml"
printf 'train:\n  epochs: 1000000000000\n'             > "$D/cfg/huge.yaml"
printf 'train:\n  lr: 1e400\n'                         > "$D/cfg/huge_float.yaml"
printf 'pack:\n  size: 8\n'                            > "$D/cfg/small_size.yaml"
printf '\xff\xfe\x00t\x00r\x00a\x00i\x00n\x00:\x00\n' > "$D/cfg/utf16.yaml"

# ---- images (class folders a/ and b/ for vidclass-pack) --------------------------------
for i in 1 2 3 4; do
    ff -f lavfi -i "color=c=0x30$((i))0C0:s=48x40" -frames:v 1 "$D/img/a/ok$i.png"
    ff -f lavfi -i "testsrc=s=48x40" -frames:v 1 "$D/img/b/ok$i.jpg"
done
: > "$D/img/a/zero.png"
echo "not an image" > "$D/img/a/text.jpg"
head -c 600 "$D/img/b/ok1.jpg" > "$D/img/b/truncated.jpg"
# a PNG whose IHDR declares 100000 x 100000 RGBA (40 GB) and holds no pixel data
crc() { gzip -c | tail -c8 | head -c4 | od -An -tx1 | awk '{ printf "\\x%s\\x%s\\x%s\\x%s", $4, $3, $2, $1 }'; }
ihdr='IHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x06\x00\x00\x00'
{ printf '\x89PNG\r\n\x1a\n\x00\x00\x00\x0d'; printf "$ihdr"; printf "$(printf "$ihdr" | crc)"
  printf '\x00\x00\x00\x00IEND\xae\x42\x60\x82'; } > "$D/img/b/bomb.png"
# paths with spaces and non-ASCII, which must work
mkdir -p "$D/img/a/sub dir ü" && cp "$D/img/a/ok1.png" "$D/img/a/sub dir ü/ñandú 1.png"

# ---- videos ---------------------------------------------------------------------------
V=$D/vid
ff -f lavfi -i "testsrc=s=64x48:r=10" -t 2 -pix_fmt yuv420p "$V/ok.mp4"
: > "$V/zero.mp4"
bytes 20000 1 > "$V/random.mp4"
ff -f lavfi -i "testsrc=s=64x48:r=10" -t 4 -pix_fmt yuv420p "$D/long.mp4"
head -c $(( $(stat -c %s "$D/long.mp4") / 2 )) "$D/long.mp4" > "$V/truncated.mp4"   # moov (at the end) missing
ff -f lavfi -i "sine=d=1" "$V/audio.mp4"
ff -f lavfi -i "testsrc=s=64x48:r=10" -frames:v 1 -pix_fmt yuv420p "$V/one_frame.mp4"
{ printf 'YUV4MPEG2 W100000 H100000 F25:1 C420jpeg\nFRAME\n'; bytes 3000 2; } > "$V/huge.y4m"
{ printf 'YUV4MPEG2 W0 H0 F25:1 C420jpeg\nFRAME\n'; bytes 300 3; } > "$V/zero_size.y4m"
# MJPEG in AVI, 20 frames, the 11th frame's JPEG data overwritten: the decoder fails there
ff -f lavfi -i "testsrc=s=64x48:r=10" -t 2 -c:v mjpeg "$D/mj.avi"
off=$(LC_ALL=C grep -obUaP '\xff\xd8\xff' "$D/mj.avi" | sed -n '11p' | cut -d: -f1)
cp "$D/mj.avi" "$V/mid_error.avi"
head -c 400 /dev/zero | tr '\0' '\125' | dd of="$V/mid_error.avi" bs=1 seek="$off" conv=notrunc status=none
mkdir -p "$V/dir with space ü"
cp "$V/ok.mp4" "$V/dir with space ü/clip ñ 1.mp4"

# ---- HDF5 files -----------------------------------------------------------------------
H=$D/h5
"$BIN/vidclass-weights" init --seed 11 --output "$H/w.h5" >/dev/null
cp "$H/w.h5" "$H/w_shape.h5"
"$BIN/h5_reshape" "$H/w_shape.h5" "conv3_block2_2_conv/conv3_block2_2_conv/kernel:0" 3,3,128,64
head -c $(( $(stat -c %s "$H/w.h5") / 3 )) "$H/w.h5" > "$H/w_truncated.h5"
mkdir -p "$D/tiny/a" "$D/tiny/b"
cp "$D"/img/a/ok*.png "$D/tiny/a/"; cp "$D"/img/b/ok*.jpg "$D/tiny/b/"
"$BIN/vidclass-pack" --input "$D/tiny" --output "$H/pack.h5" --size 32 --test-fraction 0.5 --quiet >/dev/null 2>&1
"$BIN/vidclass-train" --pack "$H/pack.h5" --weights "$H/w.h5" --output "$H/m" --epochs 1 --augment-views 0 \
    --threads 1 --quiet >/dev/null 2>&1
cp "$H/m/model.h5" "$H/model.h5"
head -c $(( $(stat -c %s "$H/model.h5") / 2 )) "$H/model.h5" > "$H/model_truncated.h5"
echo "not hdf5" > "$H/text.h5"
