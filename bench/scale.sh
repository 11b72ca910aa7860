#!/usr/bin/env bash
# bench/scale.sh [--videos N] [--ranks 16,64,256] [--fps R] - how far rank 0's dispenser
# scales, simulated on one machine: vidclass-batch with the "null" backbone (no network)
# over N tiny generated clips (default 10,000 copies of a 5-frame 64x48 clip) with each
# rank count, oversubscribed. Prints, per rank count: videos/s through the dispenser
# (videos / rank 0's first-to-last message), messages and bytes per video, rank 0's CPU
# time per message and wall time per result (--summary-json's "dispatch" object). Then one
# run over 1-minute 25 fps clips (1,500 frames, 64x48, 16 ranks) gives rank 0's wall time
# per 1-minute video (its result is 1,500 frames of records, journalled with fdatasync),
# and the rank count at which rank 0 would become the bottleneck:
#   ranks* = (1500 / R) / (rank 0's wall seconds per 1-minute video)
# with R the frames/s one rank classifies (default: bench/forward's batch-16 rate with one
# thread, measured here; --fps sets it). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
videos=10000 ranks=16,64,256 fps=
while [ $# -gt 0 ]; do
    case "$1" in
        --videos) videos=$2; shift 2 ;;
        --ranks) ranks=$2; shift 2 ;;
        --fps) fps=$2; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | cut -c3-; exit 0 ;;
        *) echo "scale.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$(mktemp -d "${TMPDIR:-/tmp}/vc-scale-XXXXXX")
trap 'rm -rf "$T"' EXIT
B=build/bin
echo "preparing: weights, a head-only 3-class model (about 72 MB per rank: 256 ranks fit in 24 GiB), $videos tiny clips" >&2
bash tests/make_test_model.sh "$T/tm" "$B" || { echo "scale.sh: could not train the test model" >&2; exit 1; }
ffmpeg -v error -y -f lavfi -i "testsrc2=s=64x48:r=25" -frames:v 5 -pix_fmt yuv420p "$T/tiny.mp4"
mkdir -p "$T/v"
for ((i = 0; i < videos; i++)); do printf '%s/v/c%05d.mp4\n' "$T" "$i"; done > "$T/list.txt"
while read -r f; do cp "$T/tiny.mp4" "$f"; done < "$T/list.txt"
common=(--model "$T/tm/model/model.h5" --weights "$T/tm/w.h5" --backbone null --threads 1 --quiet)
# one dispatch figure out of a summary: key
get() { /usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
isa=$(grep -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')
echo "CPU: $cpu ($(nproc) CPUs; ${isa:-no avx2}); Open MPI $(mpirun --version | head -n 1 | awk '{print $NF}'), oversubscribed"
echo
echo "| ranks | videos | videos/s through rank 0 | messages/video | bytes/video | rank 0 CPU us/message | rank 0 wall us/result | requests held back | run s |"
echo "|---|---|---|---|---|---|---|---|---|"
IFS=, read -ra rl <<< "$ranks"
for n in "${rl[@]}"; do
    rm -f "$T/r.h5" "$T/s.json"
    t0=$(date +%s.%N)
    mpirun --oversubscribe -n "$n" $B/vidclass-batch "${common[@]}" --manifest "$T/list.txt" --output "$T/r.h5" \
        --summary-json "$T/s.json" >/dev/null 2>"$T/err.txt" || { echo "scale.sh: $n ranks failed:" >&2; tail -5 "$T/err.txt" >&2; exit 1; }
    t1=$(date +%s.%N)
    get "$T/s.json" "'| $n | %d | %.0f | %.2f | %.0f | %.1f | %.0f | %d | %.0f |' % (d['videos_classified'], d['videos_classified']/max(d['dispatch']['serving_s'],1e-9), d['dispatch']['messages']/d['videos_classified'], (d['dispatch']['bytes_in']+d['dispatch']['bytes_out'])/d['videos_classified'], d['dispatch']['cpu_us_per_message'], d['dispatch']['wall_us_per_result'], d['dispatch']['requests_deferred'], $t1-$t0)"
done
echo
# one-minute videos: rank 0's cost per video at full length
ffmpeg -v error -y -f lavfi -i "testsrc2=s=64x48:r=25" -t 60 -pix_fmt yuv420p "$T/minute.mp4"
mkdir -p "$T/m"
for i in $(seq -w 1 64); do cp "$T/minute.mp4" "$T/m/m$i.mp4"; done
mpirun --oversubscribe -n 16 $B/vidclass-batch "${common[@]}" --input "$T/m" --output "$T/m.h5" \
    --summary-json "$T/m.json" >/dev/null 2>"$T/err.txt" || { echo "scale.sh: the 1-minute run failed" >&2; tail -5 "$T/err.txt" >&2; exit 1; }
if [ -z "$fps" ]; then
    fps=$(build/bench/forward --weights "$T/tm/w.h5" -b 16 -t 1 -n 2 -w 1 | sed -n 's/.*img_s=\([0-9.]*\).*/\1/p')
    src="bench/forward, 1 thread, batch 16, this run"
else
    src="--fps"
fi
get "$T/m.json" "'1-minute 25 fps videos (1,500 frames), 16 ranks: rank 0 spends %.0f us wall (%.0f us CPU per message) and receives %.0f bytes per video' % (d['dispatch']['wall_us_per_result'], d['dispatch']['cpu_us_per_message'], d['dispatch']['bytes_in']/d['videos_classified'])"
get "$T/m.json" "'one rank classifies a 1-minute video in %.0f s at $fps frames/s ($src): rank 0 becomes the bottleneck at about %.0f ranks' % (1500/$fps, (1500/$fps)/(d['dispatch']['wall_us_per_result']*1e-6))"
