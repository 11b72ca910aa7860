#!/usr/bin/env bash
# test_archive.sh BIN_DIR MPIEXEC - what an archive labeller hands on (issue 15): frame
# times of a variable-frame-rate clip against ffprobe, segments against an independent
# run-length encoding (tests/archive_check.py), centred vs trailing smoothing at a cut,
# the confidence threshold, vidclass-results summary/export/merge (CSV and JSON read back
# with Python's csv and json modules), and the traps: 10,000-entry input list and manifest,
# labelled copies of x.mp4, x.mkv, a__x.mp4 and sub/x.mp4, an empty folder, a missing
# input, a failed video retried once fixed.
BIN=$1 MPIEXEC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
PY=/usr/bin/python3
CHK=("$PY" "$HERE/archive_check.py")
ff() { ffmpeg -v error -y "$@"; }
check() { # NAME archive_check args...
    local name=$1 o; shift
    if o=$("${CHK[@]}" "$@" 2>&1); then ok "$name: $o"; else bad "$name: $o"; fi
}
bash "$HERE/make_test_model.sh" "$T" "$BIN" && ok "model trained" || bad "training the test model"
B=("$BIN/vidclass-batch" --model "$T/model/model.h5" --weights "$T/w.h5" --threads 1 --quiet)
R=$BIN/vidclass-results

echo "== times: a variable-frame-rate clip"
mkdir -p "$T/vfr"
ff -f lavfi -i "testsrc=s=160x120:r=10:d=1" -f lavfi -i "testsrc=s=160x120:r=25:d=1" -f lavfi -i "testsrc=s=160x120:r=5:d=1" \
   -filter_complex "[0:v][1:v][2:v]concat=n=3:v=1[v]" -map "[v]" -fps_mode passthrough -pix_fmt yuv420p "$T/vfr/vfr.mkv"
"${B[@]}" --input "$T/vfr" --output "$T/vfr.h5" --window 4 >/dev/null 2>&1
check "VFR: /frames/time = ffprobe pts_time" vfr "$T/vfr.h5" vfr.mkv "$T/vfr/vfr.mkv"

echo "== segments and smoothing at a cut (flat until frame 50, pattern from 51)"
V=$T/v; mkdir -p "$V"
ff -f lavfi -i "color=c=0xA03C50:s=320x240:d=4:r=25" -f lavfi -i "testsrc=s=320x240:d=4:r=25" \
   -filter_complex "[0:v][1:v]overlay=enable='gt(n\,50)'" -pix_fmt yuv420p "$V/cut.mp4"
ff -f lavfi -i "color=c=0xA03C50:s=320x240:d=4:r=25" -f lavfi -i "testsrc=s=320x240:d=4:r=25" \
   -filter_complex "[0:v][1:v]overlay=enable='eq(mod(n\,4)\,3)'" -pix_fmt yuv420p "$V/flicker.mp4"
for sm in trailing centered; do
    for s in 1 3; do
        "${B[@]}" --input "$V/cut.mp4" --output "$T/$sm$s.h5" --window 16 --frame-stride $s --smoothing $sm >/dev/null 2>&1
        b=$("${CHK[@]}" boundary "$T/$sm$s.h5" cut.mp4)
        echo "  $sm smoothing, window 16, frame stride $s: the label changes at frame $b (the cut: frame 51)"
        eval "b_$sm$s=$b"
    done
done
for s in 1 3; do
    b=$(eval echo "\$b_centered$s")
    [ "$b" -ge $((51 - s)) ] && [ "$b" -le $((51 + s)) ] && ok "centered, stride $s: change at frame $b, within one stride of 51" \
        || bad "centered, stride $s: change at frame $b"
done
[ "$b_trailing1" -gt 55 ] && ok "trailing, stride 1: change late, at frame $b_trailing1 (documented)" || bad "trailing at $b_trailing1"
"${B[@]}" --input "$V" --output "$T/w1.h5" --window 1 >/dev/null 2>&1
"${B[@]}" --input "$V" --output "$T/w1m.h5" --window 1 --min-segment 0.3 >/dev/null 2>&1
check "segments, window 16 + centred" segments "$T/centered3.h5"
check "segments, window 1 (flicker)" segments "$T/w1.h5"
check "segments, window 1, --min-segment 0.3" segments "$T/w1m.h5"
n1=$("$R" export "$T/w1.h5" --table segments | grep -c flicker) n2=$("$R" export "$T/w1m.h5" --table segments | grep -c flicker)
[ "$n2" -lt "$n1" ] && ok "--min-segment 0.3: $n1 -> $n2 segments on the flickering clip" || bad "min-segment: $n1 -> $n2"

echo "== confidence threshold"
"${B[@]}" --input "$V" --output "$T/mc.h5" --window 1 --min-confidence 0.999 >/dev/null 2>&1
"$R" export "$T/mc.h5" --table frames --output "$T/mc.csv"
grep -q ',-1,unknown,' "$T/mc.csv" && ok "frames below 0.999: label -1, \"unknown\" in the export" || bad "no unknown frames"
check "segments with unknown runs" segments "$T/mc.h5"

echo "== exports and summary"
for t in videos frames segments; do
    "$R" export "$T/w1m.h5" --table $t --output "$T/e_$t.csv" && check "CSV $t" csv "$T/w1m.h5" $t "$T/e_$t.csv"
    "$R" export "$T/w1m.h5" --table $t --format json > "$T/e_$t.jsonl" && check "JSON $t" json "$T/w1m.h5" $t "$T/e_$t.jsonl"
done
expect "export over an existing file" 2 "exists and is not a file this tool wrote" "$R" export "$T/w1m.h5" --table videos --output "$T/e_videos.csv"
expect "export over its input" 2 "is the input" "$R" export "$T/w1m.h5" --table videos --output "$T/w1m.h5" --force
expect "summary" 0 "cut.mp4" "$R" summary "$T/w1.h5"

echo "== merge"
mkdir -p "$T/a" "$T/b"; cp "$V/cut.mp4" "$T/a/"; cp "$V/flicker.mp4" "$T/b/"
"${B[@]}" --input "$T/a" --output "$T/ma.h5" --window 1 >/dev/null 2>&1
"${B[@]}" --input "$T/b" --output "$T/mb.h5" --window 1 >/dev/null 2>&1
expect "merge two runs" 0 "2 videos" "$R" merge "$T/ma.h5" "$T/mb.h5" --output "$T/mab.h5"
"${B[@]}" --input "$T/a" --input "$T/b" --output "$T/mab_ref.h5" --window 1 >/dev/null 2>&1
"$BIN/test_results_check" same "$T/mab_ref.h5" "$T/mab.h5" >/dev/null && ok "merged == one run over both" || bad "merged differs"
check "merged segments" segments "$T/mab.h5"
expect "the same video twice" 2 "in more than one input.*--dedupe" "$R" merge "$T/ma.h5" "$T/mab.h5" --output "$T/dup.h5"
[ ! -e "$T/dup.h5" ] && ok "... and nothing written" || bad "dup.h5 written"
expect "--dedupe keeps the first" 0 "2 videos" "$R" merge "$T/ma.h5" "$T/mab.h5" --output "$T/dd.h5" --dedupe
expect "another window" 2 "cannot be merged" "$R" merge "$T/ma.h5" "$T/w1m.h5" --output "$T/x.h5"

echo "== the tutorial's overlay"
P=("$BIN/vidclass-predict" --model "$T/model/model.h5" --weights "$T/w.h5" --threads 1)
ff -f lavfi -i "color=c=0x303030:s=320x240:d=1:r=25" -pix_fmt yuv420p "$T/grey.mp4"
"${P[@]}" -i "$T/grey.mp4" -o "$T/ov1.mp4" >/dev/null 2>&1
check "default: \"activity: <label>\" in green, top left" overlay "$T/ov1.mp4" green
"${P[@]}" -i "$T/grey.mp4" -o "$T/ov2.mp4" --annotate-color white --annotate-text "{label} {confidence}" --annotate-size 20 >/dev/null 2>&1
check "--annotate-color white --annotate-text" overlay "$T/ov2.mp4" white
expect "a colour that is none" 2 "is not a colour" "${P[@]}" -i "$T/grey.mp4" -o "$T/ov3.mp4" --annotate-color nocolour

echo "== traps"
mkdir -p "$T/many"
for i in $(seq 1 10000); do : > "$T/many/e$i.mp4"; done
{ echo "run:"; echo "  input:"; for i in $(seq 1 10000); do echo "    - $T/many/e$i.mp4"; done; } > "$T/many.yaml"
"${B[@]}" --config "$T/many.yaml" --backbone null --output "$T/many1.h5" >/dev/null 2>&1
[ "$("$BIN/test_results_check" count "$T/many1.h5")" = 10000 ] && ok "a config input list of 10,000 entries: 10,000 videos" \
    || bad "config list: $("$BIN/test_results_check" count "$T/many1.h5") videos"
ls -d "$T"/many/*.mp4 > "$T/many.txt"
"${B[@]}" --manifest "$T/many.txt" --backbone null --output "$T/many2.h5" >/dev/null 2>&1
[ "$("$BIN/test_results_check" count "$T/many2.h5")" = 10000 ] && ok "a manifest of 10,000 lines: 10,000 videos" || bad "manifest"
rm -rf "$T/many"
N=$T/names; mkdir -p "$N/sub"
cp "$V/cut.mp4" "$N/x.mp4"; ff -i "$V/flicker.mp4" -c:v libx264 "$N/x.mkv"; cp "$V/flicker.mp4" "$N/a__x.mp4"; cp "$V/cut.mp4" "$N/sub/x.mp4"
"${B[@]}" --input "$N" --output "$T/names.h5" --annotate-dir "$T/lab" --window 4 >/dev/null 2>&1
for f in x.mp4 x.mkv a__x.mp4 sub/x.mp4; do
    n=$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames -of csv=p=0 "$T/lab/$f.labelled.mp4" 2>/dev/null)
    [ "${n:-0}" = 100 ] && ok "labelled copy $f.labelled.mp4: its own 100 frames" || bad "$f: ${n:-no} frames"
done
mkdir -p "$T/empty"
expect "an empty input folder" 2 "no input videos found" "${B[@]}" --input "$T/empty" --output "$T/e.h5"
expect "a missing input" 2 "input '.*nothere': No such file" "${B[@]}" --input "$T/nothere" --output "$T/e.h5"
[ ! -e "$T/e.h5" ] && [ ! -e "$T/e.h5.journal" ] && ok "... nothing written" || bad "files left"
F=$T/fix; mkdir -p "$F"; cp "$V/cut.mp4" "$F/good.mp4"; echo "not yet" > "$F/late.mp4"
expect "a broken video: exit 3" 3 "" "${B[@]}" --input "$F" --output "$T/fix.h5"
expect "rerun, still broken: exit 3 (the failure is still in the file)" 3 "" "${B[@]}" --input "$F" --output "$T/fix.h5"
cp "$V/flicker.mp4" "$F/late.mp4"
expect "--no-retry-failed keeps it failed: exit 3" 3 "failed in an earlier run" "${B[@]}" --input "$F" --output "$T/fix.h5" --no-retry-failed
expect "fixed, rerun: retried, exit 0" 0 "classified 1 videos \(0 failed, 1 already done\)" "${B[@]}" --input "$F" --output "$T/fix.h5"
"$BIN/test_results_check" status "$T/fix.h5" late.mp4 0 >/dev/null && [ "$("$BIN/test_results_check" count "$T/fix.h5")" = 2 ] \
    && ok "late.mp4 now status 0, each video once" || bad "after the retry: $("$BIN/test_results_check" count "$T/fix.h5") videos"
finish
