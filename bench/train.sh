#!/usr/bin/env bash
# bench/train.sh PACK WEIGHTS - seconds per training epoch on PACK: fresh augmentation
# (augment_views 0) with 1 rank x 2 threads and 2 ranks x 1 thread (one epoch each), and
# the feature cache (V = 1): cache build time and seconds per epoch over 25 epochs, with
# the test accuracy reached. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
pack=${1:?usage: bench/train.sh PACK WEIGHTS} weights=${2:?usage: bench/train.sh PACK WEIGHTS}
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$(mktemp -d "${TMPDIR:-/tmp}/vc-btrain-XXXXXX")
trap 'rm -rf "$T"' EXIT
epoch_s() { sed -n 's/^Epoch [0-9]*\/[0-9]* - [0-9]* steps - \([0-9.]*\)s.*/\1/p' "$1" | awk '{s+=$1; n++} END {printf "%.2f", s/n}'; }
echo "== fresh augmentation every epoch (augment_views 0), 1 epoch"
/usr/bin/time -f "%e s wall" build/bin/vidclass-train --pack "$pack" --weights "$weights" --output "$T/a" --epochs 1 --threads 2 > "$T/a.log" 2>&1
echo "1 rank x 2 threads: $(epoch_s "$T/a.log") s/epoch"
mpirun --oversubscribe -n 2 build/bin/vidclass-train --pack "$pack" --weights "$weights" --output "$T/b" --epochs 1 --threads 1 > "$T/b.log" 2>&1
echo "2 ranks x 1 thread: $(epoch_s "$T/b.log") s/epoch"
echo "== feature cache, augment_views 1, 25 epochs, 2 ranks x 1 thread"
start=$(date +%s.%N)
mpirun --oversubscribe -n 2 build/bin/vidclass-train --pack "$pack" --weights "$weights" --output "$T/c" --epochs 25 --augment-views 1 --threads 1 > "$T/c.log" 2>&1
end=$(date +%s.%N)
echo "total $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.0f", b-a}') s including the cache build; $(epoch_s "$T/c.log") s/epoch once cached"
tail -n 1 "$T/c/history.csv" | awk -F, '{printf "after 25 epochs: loss %.4f accuracy %.4f val_loss %.4f val_accuracy %.4f\n", $2, $3, $4, $5}'
cat "$T/c/report.txt"
