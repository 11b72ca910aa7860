#!/usr/bin/env bash
# make_test_model.sh DIR BIN_DIR - a model that knows the synthetic classes (flat, fractal,
# pattern; tests/make_synthetic_classes.sh): DIR/w.h5 (generated base weights) and
# DIR/model/model.h5, trained for 40 epochs on 24 images a class at 64x64. Exit status of
# the training.
D=$1 BIN=$2
HERE=$(cd "$(dirname "$0")" && pwd)
bash "$HERE/make_synthetic_classes.sh" "$D/in" 24 >/dev/null 2>&1
"$BIN/vidclass-pack" --input "$D/in" --output "$D/pack.h5" --size 64 --quiet >/dev/null 2>&1
"$BIN/vidclass-weights" init --seed 1234 --output "$D/w.h5" >/dev/null
"$BIN/vidclass-train" --pack "$D/pack.h5" --weights "$D/w.h5" --output "$D/model" --epochs 40 --augment-views 2 \
    --lr 0.002 --threads 2 --quiet >/dev/null 2>&1
