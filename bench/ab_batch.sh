#!/usr/bin/env bash
# bench/ab_batch.sh REV_A REV_B [PAIRS] [RANKS] - end-to-end vidclass-batch frames/s of two
# git revisions, measured in interleaved pairs (A, B, A, B, ...: the hosts drift), on the
# same generated clips (two 1920x1080 and two 640x360 H.264 clips of 4 s), alternating which
# runs first (ABBA: a pair's first run measured faster or slower here), with the same
# model (trained by REV_A's tools). Prints each pair, the median B/A ratio and the
# decode-thread time per frame (decode + colour conversion + resize). Each revision is
# built in its own git worktree under $TMPDIR. B_ARGS adds flags to REV_B's runs (e.g.
# B_ARGS="--resize linear": REV_A's model carries no resize and would run as "area").
# Not part of the test suite.
#   bench/ab_batch.sh 3ac06c4 HEAD 3        # e.g. the cost of a change, 3 pairs
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1 B=$2 PAIRS=${3:-3} RANKS=${4:-1}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$(mktemp -d "${TMPDIR:-/tmp}/vc-ab-XXXXXX")
cleanup() { git worktree remove --force "$T/a" 2>/dev/null; git worktree remove --force "$T/b" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
for side in a b; do
    rev=$A; [ $side = b ] && rev=$B
    git worktree add -q --detach "$T/$side" "$rev"
    cmake -S "$T/$side" -B "$T/$side/build" -DCMAKE_BUILD_TYPE=Release -DVC_BUILD_TESTS=OFF -DVC_BUILD_BENCHMARKS=OFF >/dev/null
    cmake --build "$T/$side/build" -j "$(nproc)" >/dev/null
done
echo "preparing: a model (trained by $A's tools) and clips" >&2
bash tests/make_synthetic_classes.sh "$T/in" 12 2>/dev/null
BA=$T/a/build/bin
"$BA/vidclass-pack" --input "$T/in" --output "$T/pack.h5" --quiet >/dev/null 2>&1
"$BA/vidclass-weights" init --seed 1234 --output "$T/w.h5" >/dev/null
"$BA/vidclass-train" --pack "$T/pack.h5" --weights "$T/w.h5" --output "$T/m" --epochs 3 --augment-views 1 --quiet >/dev/null 2>&1
mkdir -p "$T/v"
for s in 1920x1080 640x360; do
    for src in testsrc2 mandelbrot; do
        ffmpeg -v error -y -f lavfi -i "$src=s=$s:r=25" -t 4 -pix_fmt yuv420p "$T/v/${src}_$s.mp4"
    done
done
run() { # BIN_DIR [FLAGS...] -> "frames/s decode_ms_per_frame"
    local launch=() bin=$1
    shift
    [ "$RANKS" -gt 1 ] && launch=(mpirun --oversubscribe -n "$RANKS")
    rm -f "$T/r.h5" "$T/r.h5.journal"
    "${launch[@]}" "$bin/vidclass-batch" --model "$T/m/model.h5" --weights "$T/w.h5" --input "$T/v" --output "$T/r.h5" \
        --threads $((2 / RANKS > 0 ? 2 / RANKS : 1)) "$@" 2>&1 |
        awk '/summary:/ { for (i = 1; i <= NF; i++) if ($i == "frames/s") fs = $(i - 1); n = $0; sub(/.*classified \(/, "", n) }
             /summary:/ { split($0, a, " frames in "); m = split(a[1], b, " "); frames = b[m] }
             /decode thread/ { for (i = 1; i <= NF; i++) if ($i == "thread") d += $(i + 1) }
             END { printf "%s %.2f\n", fs, 1000 * d / frames }'
}
echo "vidclass-batch end to end, $RANKS rank(s), 2 x 1080p + 2 x 360p H.264 clips of 4 s ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores)"
printf "%-6s %16s %16s %8s %20s %20s\n" pair "A frames/s" "B frames/s" "B/A" "A decode ms/frame" "B decode ms/frame"
ratios=()
for i in $(seq 1 "$PAIRS"); do
    if [ $((i % 2)) -eq 1 ]; then
        read -r fa da < <(run "$T/a/build/bin")
        read -r fb db < <(run "$T/b/build/bin" ${B_ARGS:-})
    else
        read -r fb db < <(run "$T/b/build/bin" ${B_ARGS:-})
        read -r fa da < <(run "$T/a/build/bin")
    fi
    r=$(awk -v a="$fa" -v b="$fb" 'BEGIN { printf "%.3f", b / a }')
    ratios+=("$r")
    printf "%-6s %16s %16s %8s %20s %20s\n" "$i" "$fa" "$fb" "$r" "$da" "$db"
done
med=$(printf "%s\n" "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "A = $A, B = $B ${B_ARGS:-}: median B/A over $PAIRS pairs: $med"
