#!/usr/bin/env bash
# test_dispatch.sh BIN_DIR MPIEXEC - vidclass-batch's MPI dispatch beyond the happy path,
# with the "null" backbone (no network: fast): rank 0 unable to hold a worker's result
# (VIDCLASS_RESULT_LIMIT forces it) stops the run cleanly - no over-read, no hang, the
# videos already recorded kept, a clear message, exit 1 - and a rerun finishes every
# video exactly once; results are the same with 1, 2 and 4 ranks.
BIN=$1 MPIEXEC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
MPIRUN=("$MPIEXEC" --oversubscribe)
"$BIN/vidclass-weights" init --seed 1234 --output "$T/w.h5" >/dev/null
/usr/bin/python3 "$HERE/reference/make_tutorial_model.py" "$T/w.h5" "$T/m.model" tf.keras || bad "model"
mkdir -p "$T/v"
for i in 1 2 3 4 5 6 7 8; do
    ffmpeg -v error -y -f lavfi -i "testsrc2=s=96x64:d=0.$((i + 1)):r=25" -pix_fmt yuv420p "$T/v/c$i.mp4"
done
common=(--model "$T/m.model" --classes a,b,c --backbone null --input "$T/v" --threads 1 --quiet)
count() { "$BIN/test_results_check" count "$1" 2>/dev/null; }

o=$(VIDCLASS_RESULT_LIMIT=64 "${MPIRUN[@]}" -n 2 "$BIN/vidclass-batch" "${common[@]}" --output "$T/r.h5" 2>&1); rc=$?
[ $rc -eq 1 ] && ok "a result rank 0 cannot hold: exit 1" || bad "exit $rc: $o"
grep -q "rank 0 cannot hold the [0-9]*-byte result of video [0-9]* from rank 1 (out of memory): it is not recorded" <<<"$o" \
    && ok "the message says which video and why" || bad "message: $o"
n=$(count "$T/r.h5")
[ -n "$n" ] && [ "$n" -lt 8 ] && ok "the results file holds the $n videos recorded before it ($(ls "$T" | grep -c journal) journal left)" \
    || bad "results after the failure: '${n:-no file}'"
o=$("${MPIRUN[@]}" -n 2 "$BIN/vidclass-batch" "${common[@]}" --output "$T/r.h5" 2>&1); rc=$?
[ $rc -eq 0 ] && [ "$(count "$T/r.h5")" = 8 ] && ok "the rerun finishes: 8 videos, each once" || bad "rerun exit $rc, $(count "$T/r.h5") videos: $o"
"$BIN/vidclass-batch" "${common[@]}" --output "$T/one.h5" >/dev/null 2>&1
"${MPIRUN[@]}" -n 4 "$BIN/vidclass-batch" "${common[@]}" --output "$T/four.h5" >/dev/null 2>&1
"$BIN/test_results_check" same "$T/one.h5" "$T/four.h5" >/dev/null 2>&1 && ok "1 rank == 4 ranks" || bad "1 vs 4 ranks differ"
"$BIN/test_results_check" same "$T/one.h5" "$T/r.h5" >/dev/null 2>&1 && ok "1 rank == the resumed 2-rank run" || bad "resumed run differs"

# rank 0's dispenser in --summary-json: every request answered once (held back ones too),
# every worker's last prefetch held back (nothing was left), messages and bytes add up
"${MPIRUN[@]}" -n 3 "$BIN/vidclass-batch" "${common[@]}" --output "$T/three.h5" --summary-json "$T/three.json" >/dev/null 2>&1
"$BIN/test_results_check" same "$T/one.h5" "$T/three.h5" >/dev/null 2>&1 && ok "1 rank == 3 ranks" || bad "1 vs 3 ranks differ"
o=$(/usr/bin/python3 - "$T/three.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
x, workers = d["dispatch"], 2
checks = {
    "requests = results + one final request per worker": x["requests"] == x["results"] + workers,
    "messages = requests + their answers + results": x["messages"] == 2 * x["requests"] + x["results"],
    "each worker's last prefetch held back": x["requests_deferred"] >= workers,
    "bytes out = 8 per answer": x["bytes_out"] == 8 * x["requests"],
    "results <= videos": 0 < x["results"] <= d["videos_classified"] == 8,
    "cpu and wall time counted": x["cpu_s"] > 0 and x["wall_s"] > 0 and x["serving_s"] > 0,
}
for k, v in checks.items():
    print(("ok " if v else "BAD ") + k)
print("dispatch:", json.dumps(x))
PY
)
while read -r line; do
    case "$line" in ok\ *) ok "summary: ${line#ok }" ;; BAD\ *) bad "summary: ${line#BAD } ($(tail -n 1 <<<"$o"))" ;; esac
done <<<"$o"
grep -q '"dispatch"' "$T/three.json" || bad "no dispatch object"
"$BIN/vidclass-batch" "${common[@]}" --output "$T/one2.h5" --summary-json "$T/one.json" >/dev/null 2>&1
grep -q '"dispatch"' "$T/one.json" && bad "a single rank writes a dispatch object" || ok "a single rank: no dispatch object"
finish
