#!/usr/bin/env bash
# test_train.sh BIN_DIR MPIEXEC - vidclass-train end to end on a synthetic 3-class pack:
#   learning (test accuracy >= 0.9), rank invariance (1/2/4 ranks, cached and fresh
#   augmentation), SIGKILL + --resume == uninterrupted, outputs, and bad inputs (clear
#   message, non-zero exit, nothing overwritten).
BIN=$1 MPIEXEC=$2
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
MPIRUN=("$MPIEXEC" --oversubscribe)
# same_model NAME A B TOL: the checker's own exit status decides (never through a pipe)
same_model() {
    local o
    if o=$("$BIN/test_model_check" same "$2" "$3" "$4" 2>&1); then ok "$1: $(head -n 1 <<<"$o")"; else bad "$1: $o"; fi
}
TOL=1e-5 # rank invariance: measured ~2e-7 (float summation order)

bash "$HERE/make_synthetic_classes.sh" "$T/in" 24
"$BIN/vidclass-pack" --input "$T/in" --output "$T/pack.h5" --size 64 --quiet >/dev/null 2>&1 || bad "pack"
"$BIN/vidclass-weights" init --seed 1234 --output "$T/w.h5" >/dev/null || bad "weights"
common=(--pack "$T/pack.h5" --weights "$T/w.h5" --threads 1 --quiet)

# learning, with the cache
out=$("$BIN/vidclass-train" "${common[@]}" --output "$T/learn" --epochs 40 --augment-views 2 --lr 0.002 2>&1)
grep -E "accuracy +[0-9.]+ +18|^trained" <<<"$out"
acc=$(tail -n 1 "$T/learn/history.csv" | cut -d, -f5)
awk -v a="$acc" 'BEGIN { exit !(a >= 0.9) }' && ok "learns: test accuracy $acc >= 0.9" || bad "test accuracy $acc < 0.9"
[ "$(wc -l < "$T/learn/history.csv")" -eq 41 ] && ok "history.csv has 40 epochs" || bad "history.csv rows"
grep -q "weighted avg" "$T/learn/report.txt" && grep -q "f1-score" "$T/learn/report.txt" && ok "report.txt" || bad "report.txt"
[ "$(head -c 8 "$T/learn/plot.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] && ok "plot.png is a PNG" || bad "plot.png"
"$BIN/test_model_check" meta "$T/learn/model.h5" 3 >/dev/null && ok "model.h5 metadata" || bad "model.h5 metadata"
grep -q "^Epoch 40/40 - 2 steps - .*val_accuracy" <<<"$out" && ok "Keras-like epoch lines" || bad "epoch lines"
"$BIN/vidclass-train" --help | grep -q -- "--augment-views" && ok "--help" || bad "--help"

# rank invariance: cached views
for n in 1 2 4; do
    "${MPIRUN[@]}" -n $n "$BIN/vidclass-train" "${common[@]}" --output "$T/c$n" --epochs 4 --augment-views 2 \
        --lr 0.002 --cache "$T/cache.h5" >/dev/null 2>&1 || bad "cached training with $n ranks"
done
for n in 2 4; do same_model "cache: 1 rank == $n ranks" "$T/c1/model.h5" "$T/c$n/model.h5" $TOL; done
# fresh augmentation every epoch (no cache)
for n in 1 2; do
    "${MPIRUN[@]}" -n $n "$BIN/vidclass-train" "${common[@]}" --output "$T/f$n" --epochs 2 --augment-views 0 \
        --lr 0.002 >/dev/null 2>&1 || bad "fresh-augmentation training with $n ranks"
done
same_model "no cache: 1 rank == 2 ranks" "$T/f1/model.h5" "$T/f2/model.h5" $TOL

# SIGKILL after the first checkpoint, then --resume: same model as the uninterrupted run
"$BIN/vidclass-train" "${common[@]}" --output "$T/full" --epochs 5 --augment-views 0 --lr 0.002 >/dev/null 2>&1
"$BIN/vidclass-train" "${common[@]}" --output "$T/killed" --epochs 5 --augment-views 0 --lr 0.002 >/dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do [ -f "$T/killed/checkpoint.h5" ] && break; sleep 0.1; done
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
epochs_done=$(h5dump -a epochs_done "$T/killed/checkpoint.h5" 2>/dev/null | sed -n 's/ *(0): //p')
echo "killed after epoch ${epochs_done:-?} of 5"
"$BIN/vidclass-train" "${common[@]}" --output "$T/killed" --epochs 5 --augment-views 0 --lr 0.002 --resume >/dev/null 2>&1 \
    && ok "resume after SIGKILL" || bad "resume after SIGKILL"
same_model "resumed == uninterrupted (bitwise)" "$T/full/model.h5" "$T/killed/model.h5" 0
cmp -s <(cut -d, -f1-5 "$T/full/history.csv") <(cut -d, -f1-5 "$T/killed/history.csv") && ok "resumed history == uninterrupted" || bad "history differs"

# bad input: clear message, non-zero exit, nothing overwritten
"$BIN/vidclass-pack" --input "$T/in" --output "$T/notest.h5" --size 64 --test-fraction 0 --quiet >/dev/null 2>&1
expect "pack without test split" 1 "no test rows" "$BIN/vidclass-train" "${common[@]}" --pack "$T/notest.h5" --output "$T/x1"
expect "classes disagree"        2 "configured classes differ" "$BIN/vidclass-train" "${common[@]}" --output "$T/x2" --classes a,b,c
expect "weights not ResNet50"    1 "not a Keras weights file" "$BIN/vidclass-train" "${common[@]}" --weights "$T/pack.h5" --output "$T/x3"
printf 'train:\n  pack: %s\n  epochs: -3\n' "$T/pack.h5" > "$T/neg.yaml"
expect "epochs: -3"              2 "neg.yaml:3:11: 'train.epochs' must be an integer" "$BIN/vidclass-train" --config "$T/neg.yaml"
printf 'train:\n  epochs: [3\n' > "$T/syn.yaml"
expect "YAML syntax error"       2 "syn.yaml:3:1: YAML syntax error" "$BIN/vidclass-train" --config "$T/syn.yaml"
printf 'train:\n  pack: %s\n  weights: %s\n  output: %s\n  epochs: 1\n  augment_views: 1\n  learning_rate: 3\n' \
    "$T/pack.h5" "$T/w.h5" "$T/yaml_out" > "$T/unk.yaml"
expect "unknown key warned"      0 "unk.yaml:7: unknown key 'train.learning_rate'" "$BIN/vidclass-train" --config "$T/unk.yaml" --threads 1
sum=$(sha256sum "$T/learn/model.h5")
expect "existing run not overwritten" 2 "checkpoint.h5' exists: use --resume" "$BIN/vidclass-train" "${common[@]}" --output "$T/learn" --epochs 40 --augment-views 2
[ "$sum" = "$(sha256sum "$T/learn/model.h5")" ] && ok "model.h5 untouched" || bad "model.h5 was overwritten"
expect "resume, other settings"  2 "different inputs or settings" "$BIN/vidclass-train" "${common[@]}" --output "$T/learn" --epochs 40 --augment-views 2 --lr 0.01 --resume
finish
