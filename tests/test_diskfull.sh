#!/usr/bin/env bash
# test_diskfull.sh BIN_DIR MPIEXEC - vidclass-batch on a small tmpfs made here (needs root:
# skipped outside CI without it, a failure in CI), with the file system full at each
# place a run writes:
#   1. the final write: the journal fits but the new results file does not;
#   2. the journal itself, part way through a 2-rank run;
#   3. the start: not even the journal's header fits;
#   4. the other writers (weights init, pack with and without gzip, 1 and 2 ranks): refused
#      at their reservation or failing part way, with exit 1 and no crash.
# Each time: exit 1, a message naming the file system's error, the previous results file
# unchanged (md5), the journal kept, no temporary file left, no crash; then, with space
# again, the same command finishes from the journal with every video exactly once and the
# same numbers as a run that never met a full disk. Uses the "null" backbone.
BIN=$1 MPIEXEC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
[ "$(id -u)" -eq 0 ] || skip "mounting a tmpfs needs root"
FS=$T/fs
mkdir -p "$FS"
mount -t tmpfs -o size=8m tmpfs "$FS" || skip "cannot mount a tmpfs here"
trap 'umount "$FS" 2>/dev/null; rm -rf "$T"' EXIT
"$BIN/vidclass-weights" init --seed 7 --output "$T/w.h5" >/dev/null
/usr/bin/python3 "$HERE/reference/make_tutorial_model.py" "$T/w.h5" "$T/m.model" tf.keras >/dev/null || bad "model"
V=$T/v; mkdir -p "$V"
for i in 1 2 3 4 5 6 7 8; do
    ffmpeg -v error -f lavfi -i "testsrc2=s=64x48:d=4:r=25,hue=h=$((i * 40))" -pix_fmt yuv420p "$V/c$i.mp4"
done
B=("$BIN/vidclass-batch" --model "$T/m.model" --classes a,b,c --backbone null --threads 1)
count() { "$BIN/test_results_check" count "$1" 2>/dev/null; }
avail_kb() { df -k --output=avail "$FS" | tail -n 1 | tr -d ' '; }
# fill FS so that KB kilobytes stay free
fill_to() { rm -f "$FS/filler"; dd if=/dev/zero of="$FS/filler" bs=1k count=$(( $(avail_kb) - $1 )) status=none 2>/dev/null; }
no_tmp() { [ -z "$(ls -A "$FS" | grep -E '\.tmp$|partial')" ] && ok "$1: no temporary file left" || bad "$1: left $(ls -A "$FS")"; }
"${B[@]}" --input "$V" --output "$T/ref.h5" >/dev/null 2>&1 || bad "reference run"

echo "== 1. full at the final write"
"${B[@]}" --input "$V/c1.mp4" --input "$V/c2.mp4" --output "$FS/r.h5" >/dev/null 2>&1
s=$(md5sum < "$FS/r.h5")
fill_to 64
o=$("${B[@]}" --input "$V" --output "$FS/r.h5" 2>&1); rc=$?
echo "$o" | grep -v '^\[vidclass\]   '
[ $rc -eq 1 ] && grep -q "No space left on device" <<<"$o" && ok "exit 1, the file system's error named" || bad "exit $rc: $o"
grep -q "journal is kept" <<<"$o" && ok "the message says the journal is kept" || bad "no word of the journal"
[ "$(md5sum < "$FS/r.h5")" = "$s" ] && ok "the previous results file unchanged (md5)" || bad "previous results changed"
[ -s "$FS/r.h5.journal" ] && ok "the journal kept ($(stat -c %s "$FS/r.h5.journal") bytes)" || bad "journal gone"
no_tmp "final write"
rm -f "$FS/filler"
o=$("${B[@]}" --input "$V" --output "$FS/r.h5" 2>&1); rc=$?
[ $rc -eq 0 ] && grep -q "classified 0 videos (0 failed, 8 already done)" <<<"$o" && ok "with space: finished from the journal, nothing classified again" \
    || bad "rerun: exit $rc: $o"
[ ! -e "$FS/r.h5.journal" ] && [ "$(count "$FS/r.h5")" = 8 ] && "$BIN/test_results_check" same "$T/ref.h5" "$FS/r.h5" >/dev/null \
    && ok "8 videos once, the same numbers as a run with space" || bad "after the rerun: $(count "$FS/r.h5") videos"

echo "== 2. full part way, in the journal (2 ranks)"
rm -f "$FS"/*
"${B[@]}" --input "$V/c1.mp4" --output "$FS/r2.h5" >/dev/null 2>&1
s=$(md5sum < "$FS/r2.h5")
fill_to 8
o=$("$MPIEXEC" --oversubscribe -n 2 "${B[@]}" --input "$V" --output "$FS/r2.h5" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "No space left on device" <<<"$o" && ok "exit 1, the file system's error named" || bad "exit $rc: $o"
[ "$(md5sum < "$FS/r2.h5")" = "$s" ] && ok "the previous results file unchanged (md5)" || bad "previous results changed"
n=$(grep -ao VCJ2 "$FS/r2.h5.journal" 2>/dev/null | wc -l)
[ "$n" -ge 2 ] && ok "the journal kept, $((n - 1)) videos in it" || bad "journal: $n records"
no_tmp "journal full"
rm -f "$FS/filler"
o=$("$MPIEXEC" --oversubscribe -n 2 "${B[@]}" --input "$V" --output "$FS/r2.h5" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(count "$FS/r2.h5")" = 8 ] && "$BIN/test_results_check" same "$T/ref.h5" "$FS/r2.h5" >/dev/null \
    && ok "with space: 8 videos once, the same numbers" || bad "rerun: exit $rc, $(count "$FS/r2.h5") videos: $o"

echo "== 3. full from the start"
rm -f "$FS"/*
fill_to 0
o=$("${B[@]}" --input "$V" --output "$FS/r3.h5" 2>&1); rc=$?
[ $rc -eq 1 ] && grep -q "No space left on device" <<<"$o" && ok "exit 1, the file system's error named" || bad "exit $rc: $o"
[ ! -e "$FS/r3.h5" ] && ok "no results file" || bad "a results file appeared"
no_tmp "full at the start"
rm -f "$FS/filler"
o=$("${B[@]}" --input "$V" --output "$FS/r3.h5" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(count "$FS/r3.h5")" = 8 ] && ok "with space: 8 videos" || bad "rerun: exit $rc: $o"

# The other writers. libhdf5 1.10 cannot close a file after a failed metadata write and then
# crashes at exit or MPI_Finalize (a segfault after our message): each writer reserves its
# size first and, on failure, empties its temporary file before closing it.
echo "== 4. the other writers: refused at their reservation, or failing part way"
rm -f "$FS"/*
# exit 1 and the pattern, never a crash, no temporary file, no output
refused() {
    local name=$1 out=$2 pat=$3; shift 3
    o=$("$@" 2>&1); rc=$?
    [ $rc -eq 1 ] && grep -qE "$pat" <<<"$o" && ok "$name: exit 1, '$pat'" || bad "$name: exit $rc: $(tail -n 3 <<<"$o")"
    [ ! -e "$out" ] && ok "$name: no output" || bad "$name: $out appeared"
    no_tmp "$name"
}
refused "weights init (98.5 MB on 8 MB)" "$FS/w.h5" "cannot reserve 98.5 MB for the weights file .* No space left on device \([0-9.]+ MB free\)" \
    "$BIN/vidclass-weights" init --seed 7 --output "$FS/w.h5"
P=$T/noise; mkdir -p "$P/a" "$P/b"
# 40 images of noise per class: 12 MB at 224x224, which gzip cannot shrink
/usr/bin/python3 -c 'import cv2, numpy as np, sys
g = np.random.default_rng(1)
for c in "ab":
    for i in range(40): cv2.imwrite(f"{sys.argv[1]}/{c}/{i:02d}.png", g.integers(0, 256, (224, 224, 3), np.uint8))' "$P"
refused "pack, uncompressed (12 MB on 8 MB)" "$FS/p.h5" "cannot reserve [0-9.]+ MB for the pack .*No space left on device" \
    "$MPIEXEC" --oversubscribe -n 2 "$BIN/vidclass-pack" --quiet --input "$P" --output "$FS/p.h5"
refused "pack, gzip, full part way (2 ranks)" "$FS/p.h5" "of /images in .* failed \(disk full" \
    "$MPIEXEC" --oversubscribe -n 2 "$BIN/vidclass-pack" --quiet --compress 1 --input "$P" --output "$FS/p.h5"
refused "pack, gzip, full part way (1 process)" "$FS/p.h5" "of /images in .* failed \(disk full" \
    "$BIN/vidclass-pack" --quiet --compress 1 --input "$P" --output "$FS/p.h5"
o=$("$BIN/vidclass-pack" --quiet --size 64 --input "$P" --output "$FS/p.h5" 2>&1); rc=$?
shape=$(/usr/bin/python3 -c 'import h5py, sys; print(h5py.File(sys.argv[1], "r")["images"].shape)' "$FS/p.h5" 2>&1)
[ $rc -eq 0 ] && [ "$shape" = "(80, 64, 64, 3)" ] && ok "a pack that fits (64x64): written, $shape" || bad "small pack: exit $rc $shape: $o"
finish
