#!/usr/bin/env bash
# test_kill.sh BIN_DIR MPIEXEC [SEED] - SIGKILL at seeded random moments, then resume:
#   vidclass-batch, 3 ranks, 32 generated clips: 5 trials, each killed at a random moment,
#   resumed and killed again at another, then resumed to the end; after every kill the
#   results file is absent or opens, and the end result holds every video exactly once
#   with the same labels and probabilities as an uninterrupted run. A journal whose last
#   record is torn (cut mid-record, garbage appended) is repaired on resume.
#   vidclass-train, 2 ranks, fresh augmentation: killed at 3 random moments (mid-epoch
#   as often as not) and resumed: the same model as the uninterrupted run.
# The seed (default 20261127, or VC_KILL_SEED) is printed so a failure can be replayed.
BIN=$1 MPIEXEC=$2 SEED=${3:-${VC_KILL_SEED:-20261127}}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
MPIRUN=("$MPIEXEC" --oversubscribe)
echo "seed $SEED"
# moments N SEED LO HI: N seeded uniform numbers in [LO, HI)
moments() { awk -v n="$1" -v s="$2" -v lo="$3" -v hi="$4" 'BEGIN { srand(s); for (i = 0; i < n; i++) printf "%.2f\n", lo + rand() * (hi - lo) }'; }
# in_session CMD...: start CMD in the background in a new session (SESSION_PID: its pid).
# kill_session: SIGKILL every process of that session (mpirun and the ranks, which Open
# MPI puts in process groups of their own), as a node failure or `scancel -s KILL` does,
# and wait until they are gone.
in_session() {
    rm -f "$T/sid"
    setsid bash -c 'echo $$ > "$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$T/sid" "$@" >/dev/null 2>&1 &
    SESSION_PID=$!
}
session_id() { cat "$T/sid" 2>/dev/null; }
kill_session() {
    local sid="" i
    for i in $(seq 100); do sid=$(session_id); [ -n "$sid" ] && break; sleep 0.05; done
    pkill -9 -s "$sid"
    for i in $(seq 100); do pgrep -s "$sid" >/dev/null || break; sleep 0.05; done
    wait $SESSION_PID 2>/dev/null
}
# killrun SECONDS CMD...: CMD in a new session, killed after SECONDS; true if it was
# killed before it finished.
killrun() {
    local t=$1; shift
    in_session "$@"
    local sid="" i
    for i in $(seq "$(awk -v t="$t" 'BEGIN { print int(t * 20) }')"); do
        [ -n "$sid" ] || sid=$(session_id)
        [ -n "$sid" ] && ! pgrep -s "$sid" >/dev/null && { wait $SESSION_PID; return 1; }
        sleep 0.05
    done
    kill_session
    return 0
}
chk() { local name=$1 o; shift; if o=$("$BIN/test_results_check" "$@" 2>&1); then ok "$name: $o"; else bad "$name: $o"; fi; }
nvideos() { h5ls "$1/videos/path" 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p'; }
opens() { [ ! -e "$1" ] || h5ls -r "$1" >/dev/null 2>&1; }

# a model (its quality does not matter here, only that runs are deterministic)
bash "$HERE/make_synthetic_classes.sh" "$T/in" 8
"$BIN/vidclass-pack" --input "$T/in" --output "$T/pack.h5" --size 32 --quiet >/dev/null 2>&1 || bad "pack"
"$BIN/vidclass-weights" init --seed 7 --output "$T/w.h5" >/dev/null || bad "weights"
"$BIN/vidclass-train" --pack "$T/pack.h5" --weights "$T/w.h5" --output "$T/model" --epochs 3 --augment-views 0 \
    --threads 1 --quiet >/dev/null 2>&1 || bad "training the model"

# 32 clips of different lengths and content
V=$T/videos
mkdir -p "$V"
src=(testsrc smptebars "mandelbrot=s=96x72" rgbtestsrc)
for i in $(seq 1 32); do
    g=${src[$((i % 4))]}
    [[ $g == *=* ]] || g="$g=s=96x72"
    ffmpeg -v error -y -f lavfi -i "$g:r=10" -t "$((1 + i % 4)).$((i % 10))" -pix_fmt yuv420p "$V/clip$i.mp4"
done
base=(--model "$T/model/model.h5" --weights "$T/w.h5" --threads 1 --batch-size 4 --window 8 --input "$V")
common=("${base[@]}" --quiet)
run3() { "${MPIRUN[@]}" -n 3 "$BIN/vidclass-batch" "${common[@]}" --output "$1"; }

t0=$(date +%s.%N)
run3 "$T/full.h5" >/dev/null 2>&1 || bad "uninterrupted run"
t1=$(date +%s.%N)
T_FULL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
echo "uninterrupted: $T_FULL s"
[ "$(nvideos "$T/full.h5")" = 32 ] && ok "uninterrupted: 32 videos" || bad "uninterrupted run count"

# a second run on the same output while one is running is refused (journal lock)
"${MPIRUN[@]}" -n 2 "$BIN/vidclass-batch" "${common[@]}" --output "$T/lock.h5" >/dev/null 2>&1 &
lpid=$!
for _ in $(seq 400); do [ -s "$T/lock.h5.journal" ] && break; sleep 0.05; done
expect_fail "a second run on the same output is refused" "being written by another vidclass-batch run" \
    "$BIN/vidclass-batch" "${base[@]}" --output "$T/lock.h5"
wait $lpid && ok "the first run finished undisturbed" || bad "the first run failed"

# 5 trials: kill at a (0.15..0.85 of the run), resume and kill at b (0.1..0.6), resume to the end
mapfile -t A < <(moments 5 "$SEED" "$(awk -v t="$T_FULL" 'BEGIN { print 0.15 * t }')" "$(awk -v t="$T_FULL" 'BEGIN { print 0.85 * t }')")
mapfile -t Bm < <(moments 5 "$((SEED + 1))" "$(awk -v t="$T_FULL" 'BEGIN { print 0.1 * t }')" "$(awk -v t="$T_FULL" 'BEGIN { print 0.6 * t }')")
killed=0
for k in 0 1 2 3 4; do
    out=$T/k$k.h5
    note="trial $((k + 1)): kill at ${A[$k]} s"
    killrun "${A[$k]}" "${MPIRUN[@]}" -n 3 "$BIN/vidclass-batch" "${common[@]}" --output "$out" && killed=$((killed + 1)) || note="$note (had finished)"
    opens "$out" || bad "$note: results file unreadable after the kill"
    jn=$(stat -c %s "$out.journal" 2>/dev/null || echo 0)
    note="$note, journal $jn bytes; resume killed at ${Bm[$k]} s"
    killrun "${Bm[$k]}" "${MPIRUN[@]}" -n 3 "$BIN/vidclass-batch" "${common[@]}" --output "$out" && killed=$((killed + 1)) || note="$note (had finished)"
    opens "$out" || bad "$note: results file unreadable after the second kill"
    run3 "$out" >/dev/null 2>&1; rc=$?
    [ $rc -eq 0 ] || bad "$note: final resume exit $rc"
    [ ! -e "$out.journal" ] && [ ! -e "$out.partial" ] || bad "$note: journal or partial file left after the end"
    chk "$note; resumed == uninterrupted, each video once" same "$T/full.h5" "$out"
done
echo "$killed of 10 runs killed before they finished"
[ $killed -ge 5 ] && ok "at least half the kills landed mid-run ($killed of 10)" || bad "only $killed of 10 kills landed mid-run"

# a torn last journal record (kill during its write) is dropped and that video done again
in_session "${MPIRUN[@]}" -n 3 "$BIN/vidclass-batch" "${common[@]}" --output "$T/torn.h5"
for _ in $(seq 600); do [ "$(stat -c %s "$T/torn.h5.journal" 2>/dev/null || echo 0)" -gt 20000 ] && break; sleep 0.05; done
kill_session
if [ -e "$T/torn.h5.journal" ]; then
    size=$(stat -c %s "$T/torn.h5.journal")
    truncate -s $((size - 37)) "$T/torn.h5.journal"
    printf 'garbage after a torn record' >> "$T/torn.h5.journal"
    o=$("${MPIRUN[@]}" -n 3 "$BIN/vidclass-batch" "${base[@]}" --output "$T/torn.h5" 2>&1)
    grep -q "dropped a damaged last record" <<<"$o" && ok "torn journal record reported" || bad "torn record not reported: $(tail -n 5 <<<"$o")"
    chk "torn journal: resumed == uninterrupted" same "$T/full.h5" "$T/torn.h5"
else
    bad "torn-record test: the run finished before it could be killed"
fi

# a journal from another model's run is refused, not mixed in
"$BIN/vidclass-train" --pack "$T/pack.h5" --weights "$T/w.h5" --output "$T/model2" --epochs 1 --augment-views 0 \
    --threads 1 --seed 5 --quiet >/dev/null 2>&1
cp "$T/full.h5" "$T/other.h5"
expect_fail "results of another model refused" "made with another model" \
    "$BIN/vidclass-batch" --model "$T/model2/model.h5" --weights "$T/w.h5" --input "$V" --output "$T/other.h5" --threads 1

# training: killed at random moments (3 seeded), resumed; same model as uninterrupted
"$BIN/vidclass-pack" --input "$T/in" --output "$T/pack64.h5" --size 64 --quiet >/dev/null 2>&1 || bad "pack 64"
tcommon=(--pack "$T/pack64.h5" --weights "$T/w.h5" --threads 1 --quiet --epochs 6 --augment-views 0)
t0=$(date +%s.%N)
"${MPIRUN[@]}" -n 2 "$BIN/vidclass-train" "${tcommon[@]}" --output "$T/tfull" >/dev/null 2>&1 || bad "uninterrupted training"
T_TRAIN=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "uninterrupted training: $T_TRAIN s"
mapfile -t C < <(moments 3 "$((SEED + 2))" "$(awk -v t="$T_TRAIN" 'BEGIN { print 0.2 * t }')" "$(awk -v t="$T_TRAIN" 'BEGIN { print 0.9 * t }')")
for k in 0 1 2; do
    d=$T/tk$k
    note="training kill at ${C[$k]} s"
    killrun "${C[$k]}" "${MPIRUN[@]}" -n 2 "$BIN/vidclass-train" "${tcommon[@]}" --output "$d" || note="$note (had finished)"
    for f in "$d"/*.h5; do [ -e "$f" ] && { h5ls "$f" >/dev/null 2>&1 || bad "$note: $f unreadable"; }; done
    ep=$(h5dump -a epochs_done "$d/checkpoint.h5" 2>/dev/null | sed -n 's/ *(0): //p')
    note="$note (after epoch ${ep:-0} of 6)"
    res=(--resume); [ -e "$d/checkpoint.h5" ] || res=()
    [ -e "$d/model.h5" ] || "${MPIRUN[@]}" -n 2 "$BIN/vidclass-train" "${tcommon[@]}" --output "$d" "${res[@]}" >/dev/null 2>&1 \
        || bad "$note: resume failed"
    if o=$("$BIN/test_model_check" same "$T/tfull/model.h5" "$d/model.h5" 0 2>&1); then ok "$note: resumed == uninterrupted"; else bad "$note: $o"; fi
done
finish
