#!/usr/bin/env bash
# test_guard.sh BIN_DIR MPIEXEC - the general fixes of the adversarial pass (issue 14), one
# check per class, each of which failed before them: outputs never land on inputs or on
# files a tool did not write; crafted inputs reach no other file and hang nothing;
# temporary files follow no planted link; loops and endless inputs end; non-finite weights
# are refused by name; annotation holds a bounded number of frames; and the smaller ones
# (damaged results file checked first, a flipped journal byte, a resolution change, file
# names that are not UTF-8, predict -i DIR, a typo'd section, YAML null, --quiet).
# vidclass-batch runs with the "null" backbone: the pipeline without the CNN's cost.
BIN=$1 MPIEXEC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
PY=/usr/bin/python3
sum() { md5sum "$1" | cut -c1-32; }
ff() { ffmpeg -v error -y "$@"; }
"$BIN/vidclass-weights" init --seed 1234 --output "$T/w.h5" >/dev/null
$PY "$HERE/reference/make_tutorial_model.py" "$T/w.h5" "$T/m.model" tf.keras || bad "model"
V=$T/v; mkdir -p "$V"
for i in 1 2 3; do ff -f lavfi -i "testsrc2=s=96x64:d=0.4:r=25" -pix_fmt yuv420p "$V/c$i.mp4"; done
B=("$BIN/vidclass-batch" --model "$T/m.model" --classes a,b,c --backbone null --threads 1 --quiet)
P=("$BIN/vidclass-predict" --model "$T/m.model" --classes a,b,c --threads 1)
count() { "$BIN/test_results_check" count "$1" 2>/dev/null; }

echo "== 2. outputs never land on inputs, nor on files a tool did not write"
s=$(sum "$V/c1.mp4"); m=$(sum "$T/m.model")
expect "batch --output = an input (another spelling)" 2 "is the input" "${B[@]}" --input "$V" --output "$V/../v/c1.mp4"
expect "batch --output = the model" 2 "is the input .*m.model" "${B[@]}" --input "$V" --output "$T/m.model"
expect "predict -o = its input" 2 "is the input" "${P[@]}" -i "$V/c1.mp4" -o "$V/c1.mp4"
expect "predict -o = the model" 2 "is the input" "${P[@]}" -i "$V/c1.mp4" -o "$T/m.model"
[ "$(sum "$V/c1.mp4")" = "$s" ] && [ "$(sum "$T/m.model")" = "$m" ] && ok "input and model unchanged (md5)" || bad "an input changed"
echo "precious" > "$T/notes.mp4"
expect "predict -o over a file it did not write" 2 "not a file this tool wrote.*--force" "${P[@]}" -i "$V/c1.mp4" -o "$T/notes.mp4"
[ "$(cat "$T/notes.mp4")" = precious ] && ok "that file unchanged" || bad "notes.mp4 overwritten"
expect "predict -o the same labelled copy again" 0 "c1.mp4: " "${P[@]}" -i "$V/c1.mp4" -o "$T/out.mp4"
expect "... and again (its own file)" 0 "c1.mp4: " "${P[@]}" -i "$V/c1.mp4" -o "$T/out.mp4"
expect "--force replaces a foreign file" 0 "c1.mp4: " "${P[@]}" -i "$V/c1.mp4" -o "$T/notes.mp4" --force
expect "predict -i a folder" 2 "one input video file \(not a folder" "${P[@]}" -i "$V" -o "$T/o2.mp4"
# --annotate-dir . inside the input folder: originals untouched, copies not classified again
mkdir -p "$T/in2" && cp "$V"/c*.mp4 "$T/in2/"
before=$(cd "$T/in2" && md5sum c?.mp4)
(cd "$T/in2" && "${B[@]}" --input . --output "$T/ann.h5" --annotate-dir . >/dev/null 2>&1)
after=$(cd "$T/in2" && md5sum c?.mp4)
[ "$before" = "$after" ] && [ "$(ls "$T/in2" | grep -c .)" -gt 3 ] && ok "--annotate-dir . in the input folder: originals unchanged, copies beside them" \
    || bad "originals changed or no copies: $(ls "$T/in2")"
(cd "$T/in2" && "${B[@]}" --input . --output "$T/ann2.h5" --annotate-dir lab >/dev/null 2>&1)
(cd "$T/in2" && "${B[@]}" --input . --output "$T/ann3.h5" --annotate-dir lab >/dev/null 2>&1)
[ "$(count "$T/ann3.h5")" = "$(count "$T/ann2.h5")" ] && ok "a rerun does not classify the labelled copies in the input tree" \
    || bad "labelled copies classified: $(count "$T/ann2.h5") then $(count "$T/ann3.h5")"
bash "$HERE/make_synthetic_classes.sh" "$T/img" 3 >/dev/null 2>&1
echo "not a pack" > "$T/notapack.h5"
expect "pack --output over a file it did not write" 2 "not a file this tool wrote" "$BIN/vidclass-pack" --input "$T/img" --output "$T/notapack.h5" --quiet
one=$(ls "$T/img/flat" | head -n 1); s=$(sum "$T/img/flat/$one")
expect "pack --output = one of its images" 2 "is the input" "$BIN/vidclass-pack" --input "$T/img" --output "$T/img/flat/$one" --quiet --force
[ "$(sum "$T/img/flat/$one")" = "$s" ] && ok "that image unchanged" || bad "image overwritten"
expect "pack twice to its own pack" 0 "" "$BIN/vidclass-pack" --input "$T/img" --output "$T/p.h5" --quiet
expect "... the second time" 0 "" "$BIN/vidclass-pack" --input "$T/img" --output "$T/p.h5" --quiet
expect "weights init over a file it did not write" 2 "not a file this tool wrote" "$BIN/vidclass-weights" init --output "$T/notapack.h5"
expect "weights init over its own file" 0 "wrote" "$BIN/vidclass-weights" init --output "$T/w.h5"
expect "embed --output = the weights" 2 "is the input" "$BIN/vidclass-embed" --weights "$T/w.h5" --output "$T/w.h5" "$T/img/flat/$one"
expect "embed --output = an input" 2 "is the input" "$BIN/vidclass-embed" --weights "$T/w.h5" --output "$T/img/flat/$one" "$T/img/flat/$one"

echo "== 3. crafted inputs reach no other file and hang nothing"
X=$T/x; mkdir -p "$X/2024-05-01T10:00"
cp "$V/c1.mp4" "$X/08:30.mp4"; cp "$V/c2.mp4" "$X/2024-05-01T10:00/a.mp4"
printf '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n%s\n#EXT-X-ENDLIST\n' "$V/c3.mp4" > "$X/hls.mp4"
printf '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile:%s\n' "$V/c3.mp4" > "$X/live.mp4"
printf 'ffconcat version 1.0\nfile %s\n' "$V/c3.mp4" > "$X/concat.mp4"
mkfifo "$X/fifo.mp4"
o=$(timeout 120 "${B[@]}" --input "$X" --output "$T/x.h5" 2>&1); rc=$?
[ $rc -eq 3 ] && ok "a folder of crafted inputs finishes (exit 3, no hang)" || bad "crafted inputs: exit $rc: $o"
for f in hls.mp4 live.mp4 concat.mp4; do
    "$BIN/test_results_check" show "$T/x.h5" "$f" | grep -Eq "refers to other files|[Uu]nsafe file name" && ok "$f: refused, refers to other files" \
        || bad "$f: $("$BIN/test_results_check" show "$T/x.h5" "$f")"
done
"$BIN/test_results_check" show "$T/x.h5" fifo.mp4 | grep -q "not a regular file" && ok "a FIFO: refused, no hang" || bad "fifo"
"$BIN/test_results_check" status "$T/x.h5" "08:30.mp4" 0 >/dev/null && ok "'08:30.mp4' classified (a colon is no URL scheme)" || bad "08:30.mp4"
"$BIN/test_results_check" status "$T/x.h5" "10:00/a.mp4" 0 >/dev/null && ok "'2024-05-01T10:00/a.mp4' classified" || bad "folder with a colon"
mkdir -p "$T/img2/a" "$T/img2/b"; cp "$T/img/flat/$one" "$T/img2/a/"; cp "$T/img/flat/$one" "$T/img2/b/"
printf '#EXTM3U\n#EXTINF:1.0,\n%s\n#EXT-X-ENDLIST\n' "$T/img/flat/$one" > "$T/img2/a/playlist.jpg"
o=$("$BIN/vidclass-pack" --input "$T/img2" --output "$T/p2.h5" 2>&1)
grep -q "playlist.jpg" <<<"$o" && grep -q "packed 2 of 3 files" <<<"$o" && ok "pack: a playlist named .jpg is skipped, not followed" || bad "pack playlist: $o"

echo "== 4. temporary files follow no planted link"
echo "victim" > "$T/victim"
ln -s "$T/victim" "$T/r4.h5.partial"; mkdir -p "$T/lab4"; ln -s "$T/victim" "$T/lab4/c1.partial.mp4"
ln -s "$T/victim" "$T/p4.h5.partial"
"${B[@]}" --input "$V" --output "$T/r4.h5" --annotate-dir "$T/lab4" >/dev/null 2>&1
"$BIN/vidclass-pack" --input "$T/img" --output "$T/p4.h5" --quiet >/dev/null 2>&1
[ "$(cat "$T/victim")" = victim ] && [ -s "$T/r4.h5" ] && [ -s "$T/p4.h5" ] && ok "links at the old temporary names: their target untouched" \
    || bad "victim: $(head -c 40 "$T/victim")"
[ -z "$(ls -A "$T" "$T/lab4" | grep -E '\.tmp$|partial\.mp4$' | grep -v '^c1.partial.mp4$')" ] && ok "no temporary file left" \
    || bad "left: $(ls -A "$T" "$T/lab4" | grep -E '\.tmp$')"

echo "== 5. loops and endless inputs end"
L=$T/loop; mkdir -p "$L/sub"; cp "$V/c1.mp4" "$V/c2.mp4" "$L/"; ln -s . "$L/again"; ln -s .. "$L/sub/up"; ln -s "$L" "$L/sub/abs"
timeout 60 "${B[@]}" --input "$L" --output "$T/loop.h5" >/dev/null 2>&1
[ "$(count "$T/loop.h5")" = 2 ] && ok "symlink loops: each clip once" || bad "loops: $(count "$T/loop.h5") videos"
printf '%s\n%s\n' "$L/c1.mp4" "$L/again/c1.mp4" > "$T/man.txt"
"${B[@]}" --input "$L" --manifest "$T/man.txt" --output "$T/man.h5" >/dev/null 2>&1
[ "$(count "$T/man.h5")" = 2 ] && ok "a file named by folder, by link and by manifest: once" || bad "manifest duplicates: $(count "$T/man.h5")"
mkdir -p "$T/img3/a"; cp "$T/img/flat/$one" "$T/img3/a/"; ln -s .. "$T/img3/a/up"; ln -s . "$T/img3/a/self"
rows=$("$BIN/vidclass-pack" --input "$T/img3" --output "$T/p3.h5" 2>&1 | sed -n 's/.*[^0-9]\([0-9][0-9]*\) packed.*/\1/p' | tail -n 1)
[ "$rows" = 1 ] && ok "pack through symlink loops: 1 image, 1 row" || bad "pack loop rows: '$rows'"
expect "--manifest /dev/zero" 2 "not a regular file" timeout 20 "${B[@]}" --manifest /dev/zero --output "$T/z.h5"
$PY -c "
import sys
with open('$T/keys.yaml', 'w') as f:
    f.write('run:\n')
    for i in range(200000): f.write(f'  k{i}: {i}\n')"
expect "a config with 200,000 keys (refused, quickly)" 2 "more than 4096 keys" timeout 20 "${B[@]}" --config "$T/keys.yaml" --input "$V" --output "$T/k.h5"

echo "== 6. non-finite numbers are refused by name"
cp "$T/m.model" "$T/nan.model"
$PY -c "
import h5py, numpy as np
with h5py.File('$T/nan.model', 'r+') as f:
    d = f['model_weights/dense/dense/kernel:0']; a = d[:]; a[3, 4] = np.nan; d[...] = a"
expect "a NaN in the head" 1 "dense/dense/kernel:0' holds a non-finite value" \
    "$BIN/vidclass-batch" --model "$T/nan.model" --classes a,b,c --input "$V" --output "$T/nan.h5"
cp "$T/w.h5" "$T/inf.h5"
$PY -c "
import h5py, numpy as np
with h5py.File('$T/inf.h5', 'r+') as f:
    d = f['conv2_block1_1_bn/conv2_block1_1_bn/gamma:0']; a = d[:]; a[0] = np.inf; d[...] = a"
expect "vidclass-weights check: an Inf in the base" 1 "conv2_block1_1_bn/gamma:0' holds a non-finite value" "$BIN/vidclass-weights" check "$T/inf.h5"

echo "== 7. annotation holds a bounded number of frames; a copy that cannot be written fails the video"
ff -f lavfi -i "testsrc2=s=1280x720:d=16:r=25" -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$T/long720.mp4"
mkdir -p "$T/one" && mv "$T/long720.mp4" "$T/one/"
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }
r0=$(rss "${B[@]}" --input "$T/one" --output "$T/s0.h5" --frame-stride 100)
r1=$(rss "${B[@]}" --input "$T/one" --output "$T/s1.h5" --frame-stride 100 --annotate-dir "$T/lab7")
echo "720p, stride 100: peak RSS $((r0 / 1024)) MB without labelled copies, $((r1 / 1024)) MB with"
[ "$r1" -lt $((r0 + 400 * 1024)) ] && ok "labelled copies at stride 100 cost under 400 MB more (was 3.3 GB)" || bad "RSS $r1 kB vs $r0 kB"
[ -s "$T/lab7/long720.mp4.labelled.mp4" ] && ok "the labelled copy written" || bad "no labelled copy: $(ls -A "$T/lab7")"
mkdir -p "$T/lab8/c1.mp4.labelled.mp4"   # a folder where the labelled copy goes
o=$("${B[@]}" --input "$V" --output "$T/r8.h5" --annotate-dir "$T/lab8" 2>&1); rc=$?
[ $rc -eq 3 ] && "$BIN/test_results_check" status "$T/r8.h5" c1.mp4 1 >/dev/null && ok "a labelled copy that cannot be written: the video fails, exit 3" \
    || bad "exit $rc: $o"

echo "== 8. the smaller ones"
cp "$T/r4.h5" "$T/dam.h5"; truncate -s $(( $(stat -c %s "$T/dam.h5") / 2 )) "$T/dam.h5"
expect "a damaged results file: refused at the start" 1 "dam.h5.*(cannot be opened|damaged)" "${B[@]}" --input "$V" --output "$T/dam.h5"
[ ! -e "$T/dam.h5.journal" ] && ok "... before any work (no journal started)" || bad "journal started on a damaged file"
# a journal with one flipped byte in a middle record: the records after it are kept
mkdir -p "$T/j"; for i in 1 2 3 4 5 6; do cp "$V/c1.mp4" "$T/j/k$i.mp4"; done
"$BIN/journal_tool" "$T/j.h5" "$T/m.model" a,b,c "$T"/j/k1.mp4 "$T"/j/k2.mp4 "$T"/j/k3.mp4 "$T"/j/k4.mp4 "$T"/j/k5.mp4 || bad "journal_tool"
$PY - "$T/j.h5.journal" <<'PYEOF'
import sys
p = sys.argv[1]; b = bytearray(open(p, "rb").read())
starts = [i for i in range(len(b) - 3) if b[i:i + 4] == b"VCJ2"]
mid = starts[3]                      # header, k1, k2, [k3], k4, k5
b[mid + 30] ^= 0x40                  # one bit inside k3's record
open(p, "wb").write(bytes(b))
PYEOF
BV=("$BIN/vidclass-batch" --model "$T/m.model" --classes a,b,c --backbone null --threads 1)
o=$("${BV[@]}" --input "$T/j" --output "$T/j.h5" 2>&1); rc=$?
grep -q "skipped [0-9]* damaged bytes in the middle" <<<"$o" && grep -q "4 finished videos to resume from" <<<"$o" \
    && ok "a flipped byte in a middle journal record: that record skipped, the 4 others kept" || bad "journal resync: $o"
[ $rc -eq 0 ] && [ "$(count "$T/j.h5")" = 6 ] && ok "... and the run ends with every video once" || bad "exit $rc, $(count "$T/j.h5") videos"
# a stream that changes resolution part way: the labelled copy goes on
ff -f lavfi -i "testsrc2=s=320x240:d=0.4:r=25" -c:v libx264 -f mpegts "$T/r1.ts"
ff -f lavfi -i "testsrc2=s=160x120:d=0.4:r=25" -c:v libx264 -f mpegts "$T/r2.ts"
mkdir -p "$T/res"; cat "$T/r1.ts" "$T/r2.ts" > "$T/res/change.ts"
o=$("${B[@]}" --input "$T/res" --output "$T/res.h5" --annotate-dir "$T/lab9" 2>&1); rc=$?
n=$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames -of csv=p=0 "$T/lab9/change.ts.labelled.mp4" 2>/dev/null)
[ $rc -eq 0 ] && [ "${n:-0}" -ge 19 ] && ok "a resolution change: the labelled copy has all ${n} frames" || bad "resolution change: exit $rc, ${n:-no} frames: $o"
# file names that are not UTF-8: the documented h5py recipe works, and the bytes are kept
mkdir -p "$T/nu"; cp "$V/c1.mp4" "$T/nu/$(printf 'caf\xe9.mp4')"
"${B[@]}" --input "$T/nu" --output "$T/nu.h5" >/dev/null 2>&1
$PY -c "
import h5py, sys
with h5py.File('$T/nu.h5') as f:
    s = list(f['videos/path'].asstr()[:]); b = list(f['videos/path_bytes'][:])
sys.exit(0 if s[0].endswith('caf\\\\xE9.mp4') and b[0].endswith(b'caf\\xe9.mp4') else 1)" \
    && ok "a non-UTF-8 file name: /videos/path is UTF-8 (\\xE9), /videos/path_bytes the exact bytes" || bad "non-UTF-8 name"
printf 'rn:\n  window: 4\n' > "$T/typo.yaml"
expect "a typo'd config section" 2 "no 'run:' section.*sections found: rn:" "${B[@]}" --config "$T/typo.yaml" --input "$V" --output "$T/t.h5"
printf 'run:\n  output: ~\n  window: 4\n' > "$T/null.yaml"
expect "YAML ~ for a path: unset, not a folder named ~" 2 "output.*required" "${B[@]}" --config "$T/null.yaml" --input "$V"
[ ! -e "~" ] && [ ! -e "$T/~" ] && ok "no file named ~" || bad "a file named ~ appeared"
o=$("$BIN/vidclass-pack" --input "$T/img" --output "$T/q.h5" --quiet 2>&1 >/dev/null)
[ -z "$o" ] && ok "vidclass-pack --quiet: nothing on stderr (the summary on stdout)" || bad "pack --quiet printed: $o"
finish
