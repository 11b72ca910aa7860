#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer harnesses (clang, ASan + UBSan, tests/fuzz/) and
# run each for SECONDS (default 60) from a seed corpus made here from real files: the
# configs, generated images and short clips of several codecs, and small HDF5 files (a
# model, a pack, a Keras-layout weights file). Prints executions per harness.
# Crashes are saved under build-fuzz/crashes/. A crash in our code fails the script: copy
# the input into tests/fuzz/regressions/<harness>/ so CTest replays it from then on. A
# crash inside a third-party library (the first frame past the sanitizer's interceptors is
# in libhdf5, libav*, libyaml, ...) is reported as THIRD-PARTY and does not fail the
# script unless --strict: fuzz_h5 mutates raw bytes, so it also fuzzes libhdf5's own file
# parser, which has known memory errors on corrupt files (docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
strict=0
[ "${1:-}" = "--strict" ] && { strict=1; shift; }
secs=${1:-60}
ROOT=$PWD B=build-fuzz
command -v clang >/dev/null || bash scripts/setup.sh
[ -x build/bin/vidclass-train ] || bash scripts/build.sh build
CC=clang cmake -S . -B $B -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVC_BUILD_FUZZERS=ON \
    -DVIDCLASS_SANITIZE=address,undefined -DVC_BUILD_TESTS=OFF -DVC_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build $B -j "$(nproc)" --target fuzz_config fuzz_image fuzz_video fuzz_h5 make_seed_weights >/dev/null

# seed corpora (remade each time; libFuzzer adds what it finds to the same folders)
S=$B/seeds C=$B/corpus
rm -rf "$S"; mkdir -p "$S"/{fuzz_config,fuzz_image,fuzz_video,fuzz_h5} "$C" $B/crashes
cp configs/*.yaml "$S/fuzz_config/"
printf 'run:\n  window: [1\n' > "$S/fuzz_config/syntax.yaml"
printf 'train:\n  epochs: -3\n  lr: abc\n  classes: {a: 1}\n' > "$S/fuzz_config/types.yaml"
ff() { ffmpeg -v error -y "$@"; }
ff -f lavfi -i "testsrc=s=24x16" -frames:v 1 "$S/fuzz_image/a.png"
ff -f lavfi -i "testsrc=s=24x16" -frames:v 1 "$S/fuzz_image/a.jpg"
ff -f lavfi -i "testsrc=s=24x16" -frames:v 1 "$S/fuzz_image/a.bmp"
ff -f lavfi -i "testsrc=s=24x16" -frames:v 1 "$S/fuzz_image/a.gif"
ff -f lavfi -i "testsrc=s=24x16" -frames:v 1 -pix_fmt gray "$S/fuzz_image/g.png"
for f in $(ls ../shared/datasets/sports/tennis/* 2>/dev/null | head -n 2); do cp "$f" "$S/fuzz_image/"; done
ff -f lavfi -i "testsrc=s=32x24:r=10" -t 0.5 -c:v libx264 -pix_fmt yuv420p "$S/fuzz_video/a.mp4"
ff -f lavfi -i "testsrc=s=32x24:r=10" -t 0.5 -c:v mpeg4 "$S/fuzz_video/b.mkv"
ff -f lavfi -i "testsrc=s=32x24:r=10" -t 0.5 -c:v mjpeg "$S/fuzz_video/c.avi"
ff -f lavfi -i "testsrc=s=32x24:r=10" -t 0.5 -c:v mpeg2video "$S/fuzz_video/d.ts"
ff -f lavfi -i "testsrc=s=32x24:r=10" -f lavfi -i "sine=d=0.5" -t 0.5 -c:v libx264 -pix_fmt yuv420p -shortest "$S/fuzz_video/e.mp4"
$B/bin/make_seed_weights "$S/fuzz_h5/weights.h5"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bash tests/make_synthetic_classes.sh "$tmp/in" 3 >/dev/null
build/bin/vidclass-pack --input "$tmp/in" --output "$S/fuzz_h5/pack.h5" --size 32 --test-fraction 0.34 --quiet >/dev/null 2>&1
build/bin/vidclass-weights init --seed 3 --output "$tmp/w.h5" >/dev/null
build/bin/vidclass-train --pack "$S/fuzz_h5/pack.h5" --weights "$tmp/w.h5" --output "$tmp/m" --epochs 1 \
    --augment-views 0 --threads 1 --quiet >/dev/null 2>&1
cp "$tmp/m/model.h5" "$S/fuzz_h5/model.h5"

status=0
printf '%-12s %10s %8s %8s  %s\n' harness executions exec/s seconds result
for h in fuzz_config fuzz_image fuzz_video fuzz_h5; do
    mkdir -p "$C/$h"
    log=$B/$h.log
    # -max_len: the largest seed (the model, ~4 MB) for the HDF5 harness, 64 KiB otherwise
    ml=65536; [ $h = fuzz_h5 ] && ml=$((5 * 1024 * 1024))
    set +e
    ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers.supp" \
        $B/bin/$h "$C/$h" "$S/$h" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len=$ml \
        -artifact_prefix="$B/crashes/$h-" -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    res=ok
    if [ $rc -ne 0 ]; then
        # the first stack frame past the sanitizer's interceptors (frames of the harness
        # binary without a source path) says whose code crashed
        where=$(sed -n '/ERROR: AddressSanitizer\|runtime error\|ERROR: LeakSanitizer\|ERROR: libFuzzer/,$p' "$log" |
                grep -E '^ *#[0-9]+ ' | grep -vE "in (__interceptor_|__asan_|__ubsan_)|bin/$h\+0x" | head -n 1)
        if grep -qE '\((/usr)?/lib/x86_64-linux-gnu/lib(hdf5|av|sw|yaml|mpi|open-)' <<<"$where" && [ $strict -eq 0 ]; then
            res="THIRD-PARTY crash in $(sed -E 's/.*\((.*)\+0x.*/\1/; s/.*in ([^ ]+) .*/\1/' <<<"$where" | xargs basename 2>/dev/null): input in $B/crashes/"
        else
            res="CRASH (exit $rc) in our code: see $log and $B/crashes/"; status=1
        fi
    fi
    printf '%-12s %10s %8s %8s  %s\n' $h "${runs:-?}" "${rate:-?}" "$secs" "$res"
done
exit $status
