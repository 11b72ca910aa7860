#!/usr/bin/env bash
# test_cli.sh BIN_DIR - the shipped executables as a user runs them: --help, exit codes,
# messages, outputs. Prints "N passed, M failed" and exits non-zero on any failure.
BIN=${1:?usage: test_cli.sh BIN_DIR}
. "$(dirname "$0")/lib.sh"

# one convention: --help and --version on every tool, --version before anything is read
ver=$(sed -n 's/^#define VIDCLASS_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' "$(dirname "$0")/../include/vidclass/version.h" | paste -sd.)
for t in batch embed pack predict results train weights; do
    expect "$t --version" 0 "^vidclass-$t \(vidclass\) $ver$" "$BIN/vidclass-$t" --version
    expect "$t --version: details" 0 "git revision: .*OpenBLAS.*FFmpeg: .*HDF5: .*MPI: .*libyaml" \
        bash -c "'$BIN/vidclass-$t' --version --no-such-flag | tr '\n' ' '"
    expect "$t --help lists --version" 0 "--version" "$BIN/vidclass-$t" --help
done

# logging: -v/--verbose, VIDCLASS_LOG, --log-time / VIDCLASS_LOG_TIME, -q
stamp='^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3} \[vidclass\] debug: '
expect "-v --log-time: timed debug lines" 1 "$stamp" "$BIN/vidclass-batch" -v --log-time --model "$T/none.h5" --output "$T/r.h5" --input "$T"
expect "VIDCLASS_LOG=debug VIDCLASS_LOG_TIME=1" 1 "$stamp" env VIDCLASS_LOG=debug VIDCLASS_LOG_TIME=1 \
    "$BIN/vidclass-train" --pack "$T/none.h5" --weights "$T/none.h5" --output "$T/m"
o=$("$BIN/vidclass-pack" -q --input "$T/none" --output "$T/p.h5" 2>&1)
grep -q "debug:" <<<"$o" && bad "-q: debug lines: $o" || ok "-q: no debug or info lines"
# rank 1 binds to one core under mpirun: --threads 2 is told and uses 1
o=$(mpirun -n 1 "$BIN/vidclass-embed" --threads 2 --weights "$T/none.h5" --output "$T/o9.h5" "$T/none.png" 2>&1)
grep -q "warning: --threads 2, but this process may run on 1 CPU.*--map-by slot:PE=2" <<<"$o" \
    && ok "--threads beyond the rank's affinity mask: warned with the launch options" || bad "no affinity warning: $o"
o=$(taskset -c 0 "$BIN/vidclass-embed" --threads 1 --weights "$T/none.h5" --output "$T/o9.h5" "$T/none.png" 2>&1)
grep -q "affinity" <<<"$o" && bad "warned within the mask: $o" || ok "--threads within the mask: no warning"
expect "weights --help"        0 "Usage: vidclass-weights" "$BIN/vidclass-weights" --help
expect "embed --help"          0 "Usage: vidclass-embed"   "$BIN/vidclass-embed" --help
expect "results --help"        0 "Usage: vidclass-results" "$BIN/vidclass-results" --help
expect "results export --help" 0 "--table"                 "$BIN/vidclass-results" export --help
expect "results no args"       2 "Usage"                   "$BIN/vidclass-results"
expect "results bad command"   2 "unknown command"         "$BIN/vidclass-results" frobnicate
expect "results bad table"     2 "--table videos"          "$BIN/vidclass-results" export x.h5 --table people
expect "results missing file"  2 "No such file"            "$BIN/vidclass-results" summary "$T/nothere.h5"
expect "weights no args"       2 "Usage"                   "$BIN/vidclass-weights"
expect "weights bad command"   2 "unknown command"         "$BIN/vidclass-weights" frobnicate
expect "weights bad seed"      2 "--seed must be"          "$BIN/vidclass-weights" init --seed x1 --output "$T/w.h5"
expect "weights init"          0 "wrote"                   "$BIN/vidclass-weights" init --seed 7 --output "$T/w.h5"
expect "weights check ok"      0 "OK"                      "$BIN/vidclass-weights" check "$T/w.h5"
: > "$T/empty.h5"
expect "weights check empty"   1 "empty"                   "$BIN/vidclass-weights" check "$T/empty.h5"
expect "embed missing args"    2 "required"                "$BIN/vidclass-embed" --weights "$T/w.h5"
expect "embed bad preprocess"  2 "caffe.*rgb_mean"         "$BIN/vidclass-embed" --preprocess torch --weights "$T/w.h5" --output "$T/o.h5" x.png
expect "embed bad batch"       2 "--batch must be an integer"        "$BIN/vidclass-embed" --batch 0 --weights "$T/w.h5" --output "$T/o.h5" x.png

ffmpeg -v error -y -f lavfi -i testsrc=s=320x200 -frames:v 1 "$T/a.png"
ffmpeg -v error -y -f lavfi -i mandelbrot=s=300x300 -frames:v 1 "$T/b.jpg"
printf 'not an image' > "$T/c.jpg"
expect "embed all good"        0 "wrote 2 feature rows"    "$BIN/vidclass-embed" --quiet --threads 2 --weights "$T/w.h5" --output "$T/o.h5" "$T/a.png" "$T/b.jpg"
expect "embed --summary-json"   0 "wrote 2 feature rows"    "$BIN/vidclass-embed" --quiet --weights "$T/w.h5" --output "$T/o2.h5" \
    --summary-json "$T/e.json" "$T/a.png" "$T/b.jpg"
grep -q '"tool": "vidclass-embed"' "$T/e.json" && grep -q '"rows": 2' "$T/e.json" && ok "embed summary: 2 rows" || bad "embed summary: $(cat "$T/e.json")"
expect "embed one bad -> 3"    3 "skipped .*c.jpg"         "$BIN/vidclass-embed" --threads 2 --weights "$T/w.h5" --output "$T/o3.h5" "$T/a.png" "$T/c.jpg"
expect "embed bad weights"     1 "error: .*not an HDF5"    "$BIN/vidclass-embed" --weights "$T/c.jpg" --output "$T/o4.h5" "$T/a.png"
if [ -e "$T/o4.h5" ]; then bad "failed embed left an output file"; else ok "failed embed leaves no output"; fi
if command -v h5dump >/dev/null; then
    if h5dump -H "$T/o.h5" | grep -q "DATASPACE  SIMPLE { ( 2, 2048 )"; then ok "features shape [2,2048]"; else bad "features shape"; fi
fi
finish
