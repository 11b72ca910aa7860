#!/usr/bin/env bash
# bench/batch.sh [SECONDS_PER_CLIP] - end-to-end vidclass-batch frames/s (decode + CNN +
# smoothing + HDF5) on generated 640x360 clips, with 1 rank x 2 threads and 2 ranks x 1
# thread, beside the pure forward pass (bench/forward) at the same batch size and thread
# count, measured in the same run. Also frame_stride 4. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-8}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$(mktemp -d "${TMPDIR:-/tmp}/vc-bbatch-XXXXXX")
trap 'rm -rf "$T"' EXIT
B=16
echo "preparing: synthetic classes at 224x224, a model, four ${secs}s 640x360 clips" >&2
bash tests/make_synthetic_classes.sh "$T/in" 12 2>/dev/null
build/bin/vidclass-pack --input "$T/in" --output "$T/pack.h5" --quiet >/dev/null 2>&1
build/bin/vidclass-weights init --seed 1234 --output "$T/w.h5" >/dev/null
build/bin/vidclass-train --pack "$T/pack.h5" --weights "$T/w.h5" --output "$T/m" --epochs 5 --augment-views 1 --quiet >/dev/null 2>&1
mkdir -p "$T/v"
for src in "testsrc2=" "mandelbrot=" "color=c=0xA03C50:" "rgbtestsrc="; do
    name=${src%%=*}
    ffmpeg -v error -y -f lavfi -i "${src}s=640x360:r=25" -t "$secs" -pix_fmt yuv420p "$T/v/$name.mp4"
done
frames_s() { sed -n 's/.* \([0-9]*\) frames in \([0-9.]*\) s.*/\1 \2/p' | awk '{printf "%.2f", $1/$2}'; }
fwd() { build/bench/forward --weights "$T/w.h5" -b $B -t "$1" -n 3 -w 1 | sed -n 's/.*img_s=\([0-9.]*\).*/\1/p'; }
common=(--model "$T/m/model.h5" --weights "$T/w.h5" --input "$T/v" --batch-size $B --quiet)
e1=$(build/bin/vidclass-batch "${common[@]}" --output "$T/r1.h5" --threads 2 2>/dev/null | frames_s)
f2=$(fwd 2)
e2=$(mpirun --oversubscribe -n 2 build/bin/vidclass-batch "${common[@]}" --output "$T/r2.h5" --threads 1 2>/dev/null | frames_s)
f1=$(fwd 1)
e11=$(build/bin/vidclass-batch "${common[@]}" --output "$T/r3.h5" --threads 1 2>/dev/null | frames_s)
es=$(build/bin/vidclass-batch "${common[@]}" --output "$T/r4.h5" --threads 2 --frame-stride 4 2>/dev/null |
     sed -n 's/.* \([0-9]*\) frames in \([0-9.]*\) s.*/\1 \2/p' | awk -v s=4 '{printf "%.2f", s*$1/$2}')
echo "vidclass-batch end to end, 4 clips x ${secs}s 640x360 25 fps, batch $B ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores)"
printf "%-24s %14s %16s %8s\n" configuration "e2e frames/s" "forward img/s" ratio
printf "%-24s %14s %16s %8s\n" "1 rank x 2 threads" "$e1" "$f2" "$(awk -v a="$e1" -v b="$f2" 'BEGIN{printf "%.2f", a/b}')"
printf "%-24s %14s %16s %8s\n" "2 ranks x 1 thread" "$e2" "$f2" "$(awk -v a="$e2" -v b="$f2" 'BEGIN{printf "%.2f", a/b}')"
printf "%-24s %14s %16s %8s\n" "1 rank x 1 thread" "$e11" "$f1" "$(awk -v a="$e11" -v b="$f1" 'BEGIN{printf "%.2f", a/b}')"
echo "2 ranks x 1 thread vs 1 rank x 1 thread: $(awk -v a="$e2" -v b="$e11" 'BEGIN{printf "%.2fx", a/b}')"
echo "frame_stride 4, 1 rank x 2 threads: $es video frames/s covered ($(awk -v a="$es" -v b="$e1" 'BEGIN{printf "%.2fx", a/b}') of stride 1)"
