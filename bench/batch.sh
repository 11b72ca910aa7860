#!/usr/bin/env bash
# bench/batch.sh [SECONDS_PER_CLIP] [CLIPS] - end-to-end vidclass-batch frames/s (decode +
# CNN + smoothing + HDF5) on CLIPS generated 640x360 clips (default 8), with 1 rank x 2
# threads and 2 ranks x 1 thread (the goal: >= 0.95 of the first), beside the pure
# forward pass (bench/forward) at the same batch size and thread count, measured in the
# same run. Also: frame_stride 1/2/4/8/16/64 (video frames covered
# per second, beside FFmpeg's own decode + scale rate of the same clips, the ceiling), and
# peak RSS per rank at batch 32 (vidclass-batch and the bare forward pass). Not part of
# the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in -h|--help) sed -n '2,9p' "$0" | cut -c3-; exit 0 ;; esac
secs=${1:-8} clips=${2:-8}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$(mktemp -d "${TMPDIR:-/tmp}/vc-bbatch-XXXXXX")
trap 'rm -rf "$T"' EXIT
B=16
echo "preparing: synthetic classes at 224x224, a model, $clips ${secs}s 640x360 clips" >&2
bash tests/make_synthetic_classes.sh "$T/in" 12 2>/dev/null
build/bin/vidclass-pack --input "$T/in" --output "$T/pack.h5" --quiet >/dev/null 2>&1
build/bin/vidclass-weights init --seed 1234 --output "$T/w.h5" >/dev/null
build/bin/vidclass-train --pack "$T/pack.h5" --weights "$T/w.h5" --output "$T/m" --epochs 5 --augment-views 1 --quiet >/dev/null 2>&1
mkdir -p "$T/v"
srcs=("testsrc2=" "mandelbrot=" "color=c=0xA03C50:" "rgbtestsrc=")
for ((i = 0; i < clips; i++)); do
    src=${srcs[i % 4]}
    ffmpeg -v error -y -f lavfi -i "${src}s=640x360:r=25" -t "$secs" -pix_fmt yuv420p "$T/v/$i-${src%%=*}.mp4"
done
frames_s() { sed -n 's/.* \([0-9]*\) frames in \([0-9.]*\) s.*/\1 \2/p' | awk '{printf "%.2f", $1/$2}'; }
fwd() { build/bench/forward --weights "$T/w.h5" -b $B -t "$1" -n 3 -w 1 | sed -n 's/.*img_s=\([0-9.]*\).*/\1/p'; }
common=(--model "$T/m/model.h5" --weights "$T/w.h5" --input "$T/v" --batch-size $B --quiet)
e1=$(build/bin/vidclass-batch "${common[@]}" --output "$T/r1.h5" --threads 2 2>/dev/null | frames_s)
f2=$(fwd 2)
e2=$(mpirun --oversubscribe -n 2 build/bin/vidclass-batch "${common[@]}" --output "$T/r2.h5" --threads 1 2>/dev/null | frames_s)
f1=$(fwd 1)
e11=$(build/bin/vidclass-batch "${common[@]}" --output "$T/r3.h5" --threads 1 2>/dev/null | frames_s)
# frame stride: video frames covered per second (classified frames x stride / time)
declare -A cover
for s in 1 2 4 8 16 64; do
    cover[$s]=$(build/bin/vidclass-batch "${common[@]}" --output "$T/s$s.h5" --threads 2 --frame-stride $s 2>/dev/null |
        sed -n 's/.* \([0-9]*\) frames in \([0-9.]*\) s.*/\1 \2/p' | awk -v s=$s '{printf "%.2f", s*$1/$2}')
done
# the ceiling: FFmpeg decoding and scaling to 224x224 RGB, 2 threads, nothing else
t0=$(date +%s.%N)
for f in "$T"/v/*.mp4; do ffmpeg -v error -threads 2 -i "$f" -vf scale=224:224 -pix_fmt rgb24 -f null - ; done
dec=$(awk -v a="$t0" -v b="$(date +%s.%N)" -v n=$((clips * secs * 25)) 'BEGIN { printf "%.1f", n / (b - a) }')
# peak RSS at batch 32
rss_b=$(/usr/bin/time -f "%M" build/bin/vidclass-batch "${common[@]}" --batch-size 32 --output "$T/rss.h5" \
        --threads 2 2>&1 >/dev/null | tail -n 1)
rss_f=$(/usr/bin/time -f "%M" build/bench/forward --weights "$T/w.h5" -b 32 -t 2 -n 1 -w 0 2>&1 >/dev/null | tail -n 1)
isa=$(grep -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')
echo "vidclass-batch end to end, $clips clips x ${secs}s 640x360 25 fps, batch $B ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, ${isa% })"
printf "%-24s %14s %16s %8s\n" configuration "e2e frames/s" "forward img/s" ratio
printf "%-24s %14s %16s %8s\n" "1 rank x 2 threads" "$e1" "$f2" "$(awk -v a="$e1" -v b="$f2" 'BEGIN{printf "%.2f", a/b}')"
printf "%-24s %14s %16s %8s\n" "2 ranks x 1 thread" "$e2" "$f2" "$(awk -v a="$e2" -v b="$f2" 'BEGIN{printf "%.2f", a/b}')"
printf "%-24s %14s %16s %8s\n" "1 rank x 1 thread" "$e11" "$f1" "$(awk -v a="$e11" -v b="$f1" 'BEGIN{printf "%.2f", a/b}')"
echo "2 ranks x 1 thread vs 1 rank x 2 threads: $(awk -v a="$e2" -v b="$e1" 'BEGIN{printf "%.2fx", a/b}') (goal >= 0.95); vs 1 rank x 1 thread: $(awk -v a="$e2" -v b="$e11" 'BEGIN{printf "%.2fx", a/b}')"
echo
echo "frame_stride, 1 rank x 2 threads: video frames covered per second (FFmpeg decode + scale alone: $dec frames/s)"
printf "%-8s %14s %10s\n" stride "frames/s" "x stride 1"
for s in 1 2 4 8 16 64; do
    printf "%-8s %14s %10s\n" $s "${cover[$s]}" "$(awk -v a="${cover[$s]}" -v b="${cover[1]}" 'BEGIN{printf "%.2fx", a/b}')"
done
echo
echo "peak RSS at batch 32, 2 threads: vidclass-batch $((rss_b / 1024)) MiB, bench/forward $((rss_f / 1024)) MiB"
