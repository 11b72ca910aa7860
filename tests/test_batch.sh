#!/usr/bin/env bash
# test_batch.sh BIN_DIR MPIEXEC - vidclass-batch end to end: a model trained here on the
# synthetic classes, clips made with ffmpeg (one per class, one that flickers between two
# classes, bad inputs), 1/2/3 ranks, smoothing, frame stride, SIGKILL + resume, config errors.
BIN=$1 MPIEXEC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
MPIRUN=("$MPIEXEC" --oversubscribe)
chk() { # NAME checker-args...: the checker's exit status decides
    local name=$1 o; shift
    if o=$("$BIN/test_results_check" "$@" 2>&1); then ok "$name"; else bad "$name: $o"; return 1; fi
}

# a model that knows the synthetic classes (flat, fractal, pattern)
bash "$HERE/make_test_model.sh" "$T" "$BIN" && ok "model trained" || bad "training the test model"

V=$T/videos
mkdir -p "$V/sub"
ff() { ffmpeg -v error -y "$@"; }
ff -f lavfi -i "color=c=0xA03C50:s=320x240:d=3:r=25" -pix_fmt yuv420p "$V/flat.mp4"
ff -f lavfi -i "testsrc=s=320x240:d=2:r=25" -pix_fmt yuv420p "$V/sub/pattern.mp4"
ff -f lavfi -i "mandelbrot=s=320x240:r=25" -t 2 -pix_fmt yuv420p "$V/fractal.mkv"
# flat, with a testsrc frame every 4th frame: flickers without smoothing
ff -f lavfi -i "color=c=0xA03C50:s=320x240:d=4:r=25" -f lavfi -i "testsrc=s=320x240:d=4:r=25" \
   -filter_complex "[0:v][1:v]overlay=enable='eq(mod(n\,4)\,3)'" -pix_fmt yuv420p "$V/flicker.mp4"
: > "$V/empty.mp4"
echo "not a video" > "$V/text.avi"
ff -f lavfi -i "sine=d=1" "$V/audio.mp4"
ff -f lavfi -i "testsrc=s=320x240:d=6:r=25" -pix_fmt yuv420p "$T/long.mp4"
head -c $(( $(stat -c %s "$T/long.mp4") / 2 )) "$T/long.mp4" > "$V/truncated.mp4"   # moov atom (at the end) missing
common=(--model "$T/model/model.h5" --weights "$T/w.h5" --threads 1 --quiet)

out=$("$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/r1.h5" --window 16 2>&1); rc=$?
echo "$out" | tail -n 4
[ $rc -eq 3 ] && ok "exit 3 when some inputs fail" || bad "exit $rc, want 3"
chk "flat clip -> flat" label "$T/r1.h5" flat.mp4 flat
chk "pattern clip -> pattern" label "$T/r1.h5" sub/pattern.mp4 pattern
chk "fractal clip -> fractal" label "$T/r1.h5" fractal.mkv fractal
for f in empty.mp4 text.avi audio.mp4 truncated.mp4; do chk "$f recorded as failed" status "$T/r1.h5" "$f" 1; done
h5dump -d /videos/error "$T/r1.h5" | grep -q "no video stream" && ok "error text recorded" || bad "error text"

# smoothing: window 1 flickers, window 16 does not
"$BIN/vidclass-batch" "${common[@]}" --input "$V/flicker.mp4" --output "$T/w1.h5" --window 1 >/dev/null 2>&1
c1=$("$BIN/test_results_check" changes "$T/w1.h5" flicker.mp4)
c16=$("$BIN/test_results_check" changes "$T/r1.h5" flicker.mp4)
echo "label changes on the flickering clip: window 1: $c1, window 16: $c16"
[ "${c1:-0}" -ge 20 ] && [ "${c16:-99}" -le 1 ] && ok "smoothing removes flicker ($c1 -> $c16 changes)" || bad "flicker: $c1 -> $c16"

# same results with 2 and 3 ranks (row order may differ)
for n in 2 3; do
    "${MPIRUN[@]}" -n $n "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/r$n.h5" --window 16 >"$T/r$n.log" 2>&1
    rc=$?
    chk "1 rank == $n ranks" same "$T/r1.h5" "$T/r$n.h5" || { echo "exit $rc; the run's output:"; tail -n 40 "$T/r$n.log"; }
done

# inputs by glob (as YAML or a quoted flag gives them) and by manifest
"$BIN/vidclass-batch" "${common[@]}" --input "$V/f*.m??" --output "$T/glob.h5" >/dev/null 2>&1
n=$(h5ls "$T/glob.h5/videos/path" 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p')
[ "$n" = 3 ] && ok "glob input: flat.mp4, fractal.mkv, flicker.mp4" || bad "glob input gave ${n:-no} videos"
printf '# manifest\n%s\n\n%s\n' "$V/flat.mp4" "$V/sub/pattern.mp4" > "$T/list.txt"
"$BIN/vidclass-batch" "${common[@]}" --manifest "$T/list.txt" --output "$T/man.h5" >/dev/null 2>&1
chk "manifest input" label "$T/man.h5" sub/pattern.mp4 pattern

# frame stride 3: 75 frames -> 25 classified, indices 0, 3, 6, ...
"$BIN/vidclass-batch" "${common[@]}" --input "$V/flat.mp4" --output "$T/s3.h5" --frame-stride 3 >/dev/null 2>&1
chk "frame stride 3" stride "$T/s3.h5" flat.mp4 3 25

# SIGKILL mid-run, then the same command again: every video exactly once, same results
for i in 1 2 3 4 5 6; do cp "$V/flat.mp4" "$V/sub/copy$i.mp4"; done
"$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/full.h5" --window 16 >/dev/null 2>&1
"$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/killed.h5" --window 16 >/dev/null 2>&1 &
pid=$!
# kill once the journal holds a finished video (its header + at least one record), and
# only if the run is still going: a run that ended first is no test of a resume
for k in $(seq 1 1200); do
    [ "$(grep -ao VCJ2 "$T/killed.h5.journal" 2>/dev/null | wc -l)" -ge 2 ] && break
    sleep 0.05
done
kill -0 $pid 2>/dev/null && kill -9 $pid 2>/dev/null && ok "killed while running, journal of $(stat -c %s "$T/killed.h5.journal") bytes" \
    || bad "the run ended (or never journalled a video) before the kill"
wait $pid 2>/dev/null
"$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/killed.h5" --window 16 >/dev/null 2>&1
[ $? -eq 3 ] && ok "resume run finished" || bad "resume run"
chk "resumed == uninterrupted, each video once" same "$T/full.h5" "$T/killed.h5"

# annotated copies: same size, frame rate and frame count, H.264, label drawn (frames differ)
mkdir -p "$T/cut"
ff -f lavfi -i "color=c=0xA03C50:s=320x240:d=4:r=25" -f lavfi -i "testsrc=s=320x240:d=4:r=25" \
   -filter_complex "[0:v][1:v]overlay=enable='gt(n\,50)'" -pix_fmt yuv420p "$T/cut/cut.mp4"
"$BIN/vidclass-batch" "${common[@]}" --input "$T/cut" --output "$T/ann.h5" --window 8 --annotate-dir "$T/ann" >/dev/null 2>&1
a=$T/ann/cut.mp4.labelled.mp4
props=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=codec_name,width,height,r_frame_rate,nb_read_frames -of csv=p=0 "${a:-/nonexistent}" 2>&1)
[ "$props" = "h264,320,240,25/1,100" ] && ok "annotated copy: $props" || bad "annotated copy: '$props'"
d0=$(ffmpeg -v error -i "$T/cut/cut.mp4" -frames:v 1 -vf crop=80:30:0:0 -f framemd5 - | tail -n 1 | awk '{print $NF}')
d1=$(ffmpeg -v error -i "${a:-/nonexistent}" -frames:v 1 -vf crop=80:30:0:0 -f framemd5 - 2>/dev/null | tail -n 1 | awk '{print $NF}')
[ -n "$d1" ] && [ "$d0" != "$d1" ] && ok "label drawn in the top-left corner" || bad "no label drawn"
chk "cut clip labels: flat first, pattern after the cut" label "$T/ann.h5" cut.mp4 pattern
ls -A "$T/ann" | grep -Eq 'partial|\.tmp$' && bad "temporary annotated file left" || ok "no temporary annotated files"
out=$("$BIN/vidclass-predict" --model "$T/model/model.h5" --weights "$T/w.h5" -i "$V/sub/pattern.mp4" -o "$T/pred.mp4" --size 16 --threads 1 2>&1)
grep -q "pattern.mp4: pattern (confidence" <<<"$out" && [ -s "$T/pred.mp4" ] && ok "vidclass-predict: $out" || bad "vidclass-predict: $out"

# --precision bf16: where /proc/cpuinfo shows a CPU that multiplies bf16 (AMX-BF16 or
# AVX512_BF16), each product vidclass offers for it gives the clips the labels fp32 gives
# (per frame, >= 99% of frames), the results file says bf16, and adding fp32 results to it
# is refused; elsewhere bf16 is refused with exit 2 and what is missing
agree() { # A.h5 B.h5: share of frames (matched by video path and frame index) with the same label
    /usr/bin/python3 - "$@" <<'PY'
import sys, h5py
def labels(p):
    with h5py.File(p) as f:
        v, fr = f["videos"], f["frames"]
        out = {}
        for path, s, n in zip(v["path"].asstr()[:], v["frame_start"][:], v["n_frames"][:]):
            for i, l in zip(fr["index"][s:s + n], fr["label"][s:s + n]):
                out[(path, int(i))] = int(l)
        return out
a, b = labels(sys.argv[1]), labels(sys.argv[2])
same = sum(a[k] == b.get(k) for k in a)
print(f"{same / max(len(a), 1):.4f} {same} {len(a)} {len(b)}")
PY
}
if grep -qw -e avx512_bf16 -e amx_bf16 /proc/cpuinfo; then
    kernels=avx512bf16
    grep -qw amx_bf16 /proc/cpuinfo && kernels="amx avx512bf16"
    for k in $kernels; do
        VIDCLASS_GEMM=$k "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/bf16-$k.h5" --window 16 \
            --precision bf16 --summary-json "$T/bf16-$k.json" >"$T/bf16-$k.log" 2>&1
        grep -q '"precision": "bf16"' "$T/bf16-$k.json" && grep -q "\"product\": \"$k\"" "$T/bf16-$k.json" &&
            ok "summary JSON: precision bf16, product $k" || bad "summary JSON of the bf16 ($k) run: $(cat "$T/bf16-$k.json")"
        # vdpbf16ps is slower than fp32 on Intel cores: the run says so (and only then), and
        # names AMX where the CPU has it
        slow=0 amx=0
        [ "$k" = avx512bf16 ] && grep -q "^vendor_id.*GenuineIntel" /proc/cpuinfo && slow=1
        grep -qw amx_bf16 /proc/cpuinfo && amx=1
        warned=0
        grep -q "fp32 is faster here" "$T/bf16-$k.log" && warned=1
        if [ "$warned" = 1 ]; then
            [ "$amx" = 1 ] && ! grep -q "this CPU has AMX" "$T/bf16-$k.log" && warned="1 (AMX not named)"
            [ "$amx" = 0 ] && ! grep -q "this CPU has no AMX" "$T/bf16-$k.log" && warned="1 (says AMX is there)"
        fi
        [ "$warned" = "$slow" ] && ok "bf16 ($k): slower-than-fp32 warning $([ $slow = 1 ] && echo given || echo not given)" ||
            bad "bf16 ($k): warning $warned, expected $slow: $(grep -i warning "$T/bf16-$k.log")"
        read -r share same n nb <<<"$(agree "$T/full.h5" "$T/bf16-$k.h5")"
        echo "bf16 ($k) vs fp32: $same of $n frames with the same label ($nb in the bf16 file)"
        [ "$n" -gt 100 ] && [ "$nb" = "$n" ] && awk -v s="$share" 'BEGIN { exit !(s >= 0.99) }' &&
            ok "bf16 ($k) labels agree with fp32 on $share of $n frames" || { bad "bf16 ($k) agreement: $share of $n"; tail -n 5 "$T/bf16-$k.log"; }
        h5dump -a precision "$T/bf16-$k.h5" 2>/dev/null | grep -q '"bf16"' && ok "results file records precision bf16" ||
            bad "no precision attribute bf16 in $T/bf16-$k.h5"
    done
    expect "fp32 results added to a bf16 file: refused" 2 "precision=bf16" \
        "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/bf16-avx512bf16.h5" --window 16
    out=$("$BIN/vidclass-results" summary "$T/bf16-avx512bf16.h5" 2>&1)
    grep -q "bf16 products" <<<"$out" && ok "summary names the precision" || bad "summary: $out"
    h5dump -a precision "$T/r1.h5" 2>/dev/null | grep -q '"fp32"' && ok "fp32 results file records precision fp32" ||
        bad "no precision attribute fp32 in $T/r1.h5"
else
    expect "bf16 refused on a CPU without it" 2 "needs a CPU that multiplies bf16" \
        "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/bf16.h5" --precision bf16
    [ ! -e "$T/bf16.h5" ] && ok "refused bf16 run wrote nothing" || bad "refused bf16 run left $T/bf16.h5"
fi
# --precision int8 where /proc/cpuinfo shows AVX512_VNNI (product avx512vnni) or AMX-INT8
# (amx-int8, the faster): the same checks; elsewhere refused
int8_product=
grep -qw avx512f /proc/cpuinfo && grep -qw avx512_vnni /proc/cpuinfo && int8_product=avx512vnni
grep -qw avx512f /proc/cpuinfo && grep -qw amx_int8 /proc/cpuinfo && int8_product=amx-int8
if [ -n "$int8_product" ]; then
    "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/int8.h5" --window 16 --precision int8 \
        --summary-json "$T/int8.json" >"$T/int8.log" 2>&1
    read -r share same n nb <<<"$(agree "$T/full.h5" "$T/int8.h5")"
    echo "int8 vs fp32: $same of $n frames with the same label ($nb in the int8 file)"
    [ "$n" -gt 100 ] && [ "$nb" = "$n" ] && awk -v s="$share" 'BEGIN { exit !(s >= 0.99) }' &&
        ok "int8 labels agree with fp32 on $share of $n frames" || { bad "int8 agreement: $share of $n"; tail -n 5 "$T/int8.log"; }
    h5dump -a precision "$T/int8.h5" 2>/dev/null | grep -q '"int8"' && ok "results file records precision int8" ||
        bad "no precision attribute int8 in $T/int8.h5"
    grep -q '"precision": "int8"' "$T/int8.json" && grep -q "\"product\": \"$int8_product\"" "$T/int8.json" &&
        ok "summary JSON: precision int8, product $int8_product" || bad "summary JSON of the int8 run: $(cat "$T/int8.json")"
    expect "fp32 results added to an int8 file: refused" 2 "precision=int8" \
        "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/int8.h5" --window 16
else
    expect "int8 refused on a CPU without AVX512_VNNI" 2 "precision int8 needs AVX512_VNNI" \
        "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/int8.h5" --precision int8
fi
expect "--precision fp16 refused" 2 "precision 'fp16': use fp32 .*bf16 or int8" \
    "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/fp16.h5" --precision fp16
VIDCLASS_GEMM=amx expect "a bf16 kernel forced on an fp32 run: refused" 2 "bf16 product" \
    "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/fp16.h5"

# configuration errors stop before any work
"$BIN/vidclass-weights" init --seed 99 --output "$T/other.h5" >/dev/null
expect "weights the model was not trained on" 2 "not the ones model .* was trained on" \
    "$BIN/vidclass-batch" --model "$T/model/model.h5" --weights "$T/other.h5" --output "$T/x.h5" --input "$V"
expect "missing model"       2 "model, weights, output" "$BIN/vidclass-batch" --weights "$T/w.h5" --output "$T/x.h5" --input "$V"
expect "pack given as the model" 1 "not a vidclass model file .*it is a vidclass-pack" "$BIN/vidclass-batch" --model "$T/pack.h5" --weights "$T/w.h5" --output "$T/x.h5" --input "$V"
printf 'run:\n  window: [1\n' > "$T/syn.yaml"
expect "YAML syntax error"   2 "syn.yaml:3:1: YAML syntax error" "$BIN/vidclass-batch" --config "$T/syn.yaml"
printf 'run:\n  window: 0\n' > "$T/w0.yaml"
expect "window 0"            2 "w0.yaml:2:11: 'run.window' must be an integer in \[1" "$BIN/vidclass-batch" --config "$T/w0.yaml"
expect "existing results with --no-resume" 2 "exists; resume is off" \
    "$BIN/vidclass-batch" "${common[@]}" --input "$V" --output "$T/r1.h5" --no-resume
[ ! -e "$T/x.h5" ] && ok "config errors write nothing" || bad "a failed run left $T/x.h5"
"$BIN/vidclass-batch" --help | grep -q -- "--frame-stride" && ok "--help" || bad "--help"
finish
