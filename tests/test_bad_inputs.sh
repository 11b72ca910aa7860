#!/usr/bin/env bash
# test_bad_inputs.sh BIN_DIR - the bad-input catalogue (tests/bad_inputs/): generate every
# input (make.sh), then check each expected outcome (cases.sh): exit status and message
# for the tools, status / frames kept / error recorded for videos, the skip reason for
# images; paths with spaces and non-ASCII must work; the image bomb must be refused
# before allocation (peak memory of the pack run stays small). Prints a table per category.
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
D=$T/in
bash "$HERE/bad_inputs/make.sh" "$D" "$BIN" || { bad "make.sh failed"; finish; }
declare -A n_ok n_all

count() { n_all[$1]=$(( ${n_all[$1]:-0} + 1 )); [ "$2" = 1 ] && n_ok[$1]=$(( ${n_ok[$1]:-0} + 1 )); }
# tool CATEGORY NAME EXIT REGEX CMD...: lib.sh's expect, counted per category
tool() {
    local cat=$1 name=$2 f0=$fail; shift 2
    expect "$cat: $name" "$@"
    count "$cat" $(( fail == f0 ))
}
# video NAME STATUS FRAMES ERROR_REGEX: one row of the batch run's results
video() {
    local got; got=$("$BIN/test_results_check" show "$T/videos.h5" "$1" 2>&1 | head -n 1)
    local st fr er; IFS=$'\t' read -r st fr er <<<"$got"
    if [ "$st" = "$2" ] && [ "$fr" = "$3" ] && grep -qE -- "$4" <<<"$er"; then
        ok "video: $1 -> status $st, $fr frames kept, '${er}'"; count video 1
    else
        bad "video: $1: want status $2, $3 frames, /$4/; got '$got'"; count video 0
    fi
}
# image NAME REASON_REGEX: the file is in the pack's /skipped with a matching reason
image() {
    local line; line=$(grep -F -- "$1"$'\t' <<<"$SKIPPED" | head -n 1)
    if [ -n "$line" ] && grep -qE -- "$2" <<<"${line#*$'\t'}"; then
        ok "image: $1 skipped: ${line#*$'\t'}"; count image 1
    else
        bad "image: $1: want skipped with /$2/; skipped list: $SKIPPED"; count image 0
    fi
}

# one batch run over every video (bad ones are recorded, the run goes on: exit 3); the null
# backbone: what is decoded, kept and recorded is the same, at a fraction of the time (ASan)
o=$("$BIN/vidclass-batch" --model "$D/h5/model.h5" --weights "$D/h5/w.h5" --input "$D/vid" --extensions mp4,y4m,avi \
    --output "$T/videos.h5" --threads 1 --window 4 --backbone null 2>&1); rc=$?
[ $rc -eq 3 ] && ok "batch over the bad videos finished with exit 3" || bad "batch exit $rc: $(tail -n 5 <<<"$o")"
# one pack run over the images, with its peak memory (the bomb declares 40 GB)
o=$(/usr/bin/time -f "maxrss_kb %M" "$BIN/vidclass-pack" --input "$D/img" --output "$T/img.h5" --size 32 2>&1); rc=$?
rss=$(sed -n 's/^maxrss_kb //p' <<<"$o")
[ $rc -eq 3 ] && ok "pack over the bad images finished, exit 3 (peak RSS ${rss:-?} KB)" || bad "pack exit $rc: $(tail -n 5 <<<"$o")"
[ -n "$rss" ] && [ "$rss" -lt 400000 ] && ok "image bomb refused before allocation (peak RSS $rss KB < 400 MB)" \
    || bad "pack peak RSS ${rss:-?} KB"
SKIPPED=$("$BIN/test_pack_check" skipped "$T/img.h5")
"$BIN/test_pack_check" paths "$T/img.h5" | grep -qxF "a/sub dir ü/ñandú 1.png" && ok "non-ASCII path with spaces packed and recorded" \
    || bad "non-ASCII path not in /paths"

. "$HERE/bad_inputs/cases.sh"

echo
printf '%-8s %s\n' category "inputs with the expected outcome"
for c in config files video image; do printf '%-8s %s / %s\n' "$c" "${n_ok[$c]:-0}" "${n_all[$c]:-0}"; done
finish
