#!/usr/bin/env bash
# test_pack.sh MODE BIN_DIR MPIEXEC [SPORTS_DIR]
#   MODE fixture: a small tree made here with ffmpeg (PNG, JPEG, GIF, plus an empty file,
#                 an HTML page named .jpg, a truncated JPEG, a directory named .jpg):
#                 exact counts/labels/split/pixels; 1 rank and 3 ranks give the same pack;
#                 clear errors (missing dir, unknown class, unwritable output, nothing
#                 decodable) leave no pack behind.
#   MODE sports:  ../shared/datasets/sports with 2 ranks: every image of the folder packed
#                 under its class, every other file reported (counted with file(1)).
#                 Skips (77; a failure when CI=true) when the data set is absent.
mode=$1 BIN=$2 MPIEXEC=$3 SPORTS=${4:-}
. "$(dirname "$0")/lib.sh"
MPIRUN=("$MPIEXEC" --oversubscribe)

if [ "$mode" = sports ]; then
    [ -d "$SPORTS" ] || skip "sports data set not found at $SPORTS"
    out=$("${MPIRUN[@]}" -n 2 "$BIN/vidclass-pack" --input "$SPORTS" --output "$T/sports.h5" \
          --classes football,tennis,weight_lifting 2>&1); rc=$?
    echo "$out" | tail -8
    [ $rc -eq 3 ] && ok "sports pack exit 3 (written; some files skipped)" || bad "sports pack exit $rc"
    # what the pack must hold, counted from the folder: every file whose content file(1)
    # calls an image is a row of its class; every other file is skipped and reported
    want=() nonimg=()
    for c in football tennis weight_lifting; do
        n=0
        while IFS=$'\t' read -r f t; do
            case $t in " image/"*) n=$((n + 1)) ;; *) nonimg+=("${f#"$SPORTS"/}") ;; esac
        done < <(find "$SPORTS/$c" -type f ! -name '.*' -print0 | xargs -0 file -N --mime-type -F $'\t')
        want+=("$n")
    done
    echo "counted in the folder: ${want[*]} images per class, ${#nonimg[@]} other files: ${nonimg[*]}"
    for f in "${nonimg[@]}"; do
        grep -q "skipped .*$f" <<<"$out" && ok "not an image, reported: $f" || bad "$f not reported"
    done
    "$BIN/test_pack_check" sports "$T/sports.h5" "${want[@]}" "${#nonimg[@]}" && ok "sports content" || bad "sports content"
    finish
fi

ff() { ffmpeg -v error -y -f lavfi -i "$1" -frames:v 1 "${@:3}" "$2"; }
mkdir -p "$T/in/alpha" "$T/in/beta/sub" "$T/in/gamma/dir.jpg"
for i in 1 2 3; do ff color=c=0x3080C0:s=120x90 "$T/in/alpha/a$i.png"; done
ff color=c=0x3080C0:s=50x70 "$T/in/alpha/a4.jpg" -q:v 2
ff "color=c=0x0AC83C:s=64x64:d=0.1" "$T/in/beta/sub/b1.gif" -vf 'split[a][b];[a]palettegen[p];[b][p]paletteuse'
cp "$T/in/beta/sub/b1.gif" "$T/in/beta/b2.jpg"          # a GIF named .jpg
: > "$T/in/beta/empty.jpg"
printf '<html>404</html>\n' > "$T/in/beta/page.jpg"
for i in 1 2 3; do ff color=c=0xC8280A:s=300x200 "$T/in/gamma/g$i.png"; done
ff testsrc=s=640x480 "$T/full.jpg" -q:v 2
head -c 4000 "$T/full.jpg" > "$T/in/gamma/trunc.jpg"

out=$("$BIN/vidclass-pack" --input "$T/in" --output "$T/p1.h5" --size 64 2>&1); rc=$?
echo "$out"
[ $rc -eq 3 ] && ok "pack 1 rank exit 3 (bad files skipped)" || bad "pack 1 rank exit $rc"
for f in empty.jpg page.jpg trunc.jpg dir.jpg; do
    grep -q "skipped .*$f" <<<"$out" && ok "reports $f" || bad "does not report $f"
done
"$BIN/test_pack_check" fixture "$T/p1.h5" && ok "fixture content" || bad "fixture content"
"${MPIRUN[@]}" -n 3 "$BIN/vidclass-pack" --input "$T/in" --output "$T/p3.h5" --size 64 --quiet >/dev/null 2>&1
rc=$?; [ $rc -eq 3 ] && ok "pack 3 ranks exit 3, as 1 rank" || bad "pack 3 ranks exit $rc"
"$BIN/test_pack_check" same "$T/p1.h5" "$T/p3.h5" && ok "1 rank == 3 ranks" || bad "1 rank != 3 ranks"

expect_fail "missing input dir"  "nope.*No such file"        "$BIN/vidclass-pack" --input "$T/nope" --output "$T/x.h5"
expect_fail "unknown class"      "class 'hockey' is not a sub-folder.*found: alpha, beta, gamma" \
                                "$BIN/vidclass-pack" --input "$T/in" --output "$T/x.h5" --classes alpha,hockey
expect_fail "unwritable output"  "cannot create"             "$BIN/vidclass-pack" --input "$T/in" --output "$T/no/such/dir/x.h5"
mkdir -p "$T/bad/c1"; : > "$T/bad/c1/e.jpg"
expect_fail "nothing decodable"  "none of the 1 files"       "$BIN/vidclass-pack" --input "$T/bad" --output "$T/bad.h5"
expect_fail "bad test fraction"  "test-fraction"             "$BIN/vidclass-pack" --input "$T/in" --output "$T/x.h5" --test-fraction 1.5
expect_fail "mpi unknown class"  "hockey"                    "${MPIRUN[@]}" -n 2 "$BIN/vidclass-pack" --input "$T/in" --output "$T/x.h5" --classes hockey
if ls "$T"/x.h5* "$T"/bad.h5* >/dev/null 2>&1; then bad "failed runs left files: $(ls "$T")"; else ok "failed runs leave no pack"; fi
"$BIN/vidclass-pack" --help | grep -q "Usage: vidclass-pack" && ok "--help" || bad "--help"
# config file: the pack: section sets options, flags override, mistakes are located
printf 'pack:\n  input: %s\n  output: %s\n  size: 64\n  colour: red\n' "$T/in" "$T/cfg.h5" > "$T/c.yaml"
out=$("$BIN/vidclass-pack" --config "$T/c.yaml" --quiet 2>&1)
grep -q "c.yaml:5: unknown key 'pack.colour'" <<<"$out" && ok "config unknown key warned with line" || bad "no unknown-key warning: $out"
"$BIN/test_pack_check" same "$T/p1.h5" "$T/cfg.h5" >/dev/null && ok "config-driven pack == flag-driven pack" || bad "config pack differs"
"$BIN/vidclass-pack" --config "$T/c.yaml" --size 40 --output "$T/cfg40.h5" --quiet >/dev/null 2>&1
h5dump -a image_size "$T/cfg40.h5" 2>/dev/null | grep -q "(0): 40" && ok "flag overrides config" || bad "flag did not override config"
printf 'pack:\n  size: -3\n' > "$T/bad.yaml"
expect_fail "config bad value"   "bad.yaml:2:9: 'pack.size' must be an integer" "$BIN/vidclass-pack" --config "$T/bad.yaml"
printf 'pack:\n  size: [64\n' > "$T/syn.yaml"
expect_fail "config syntax"      "syn.yaml:3:1: YAML syntax error" "$BIN/vidclass-pack" --config "$T/syn.yaml"
finish
