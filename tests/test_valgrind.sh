#!/usr/bin/env bash
# test_valgrind.sh BIN_DIR - valgrind memcheck on a short single-rank vidclass-batch run
# (a 1 s clip, a 32x32 model): no invalid reads or writes, no use of uninitialised
# values, no definite or indirect leaks. The only suppressions are Open MPI's own
# (tests/valgrind.supp). Skipped (77; a failure when CI=true) without valgrind or in a sanitizer build.
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
command -v valgrind >/dev/null || skip "valgrind not installed"
nm "$BIN/vidclass-batch" 2>/dev/null | grep -q __asan_init && skip "sanitizer build (valgrind cannot run ASan binaries)"
bash "$HERE/make_synthetic_classes.sh" "$T/in" 4 >/dev/null
"$BIN/vidclass-pack" --input "$T/in" --output "$T/pack.h5" --size 32 --quiet >/dev/null 2>&1
"$BIN/vidclass-weights" init --seed 5 --output "$T/w.h5" >/dev/null
"$BIN/vidclass-train" --pack "$T/pack.h5" --weights "$T/w.h5" --output "$T/m" --epochs 1 --augment-views 0 \
    --threads 1 --quiet >/dev/null 2>&1 || bad "training the model"
ffmpeg -v error -f lavfi -i "testsrc=s=64x48:r=10" -t 1 -pix_fmt yuv420p "$T/v.mp4"
echo "not a video" > "$T/bad.mp4"
vg=(valgrind --error-exitcode=9 --leak-check=full --show-leak-kinds=definite,indirect
    --errors-for-leak-kinds=definite,indirect --track-origins=yes --num-callers=40
    --suppressions="$HERE/valgrind.supp")
"${vg[@]}" "$BIN/vidclass-batch" --model "$T/m/model.h5" --weights "$T/w.h5" --input "$T/v.mp4" --input "$T/bad.mp4" \
    --output "$T/r.h5" --threads 2 --window 4 --quiet > "$T/vg.log" 2>&1
rc=$?
grep -E "ERROR SUMMARY|definitely lost:|indirectly lost:|suppressed:" "$T/vg.log" | sed 's/^==[0-9]*== *//'
[ $rc -eq 3 ] && ok "memcheck clean (exit 3: the bad input recorded)" || { bad "valgrind exit $rc"; grep -B2 -A24 -E "Invalid|uninitialised|Conditional jump|definitely lost in|indirectly lost in" "$T/vg.log" | head -80; }
finish
