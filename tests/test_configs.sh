#!/usr/bin/env bash
# test_configs.sh BIN_DIR - the shipped configs/*.yaml run unchanged against the files
# scripts/demo.sh leaves in demo-out/ (names and places as the demo makes them, contents
# small: a 64x64 test model, three clips, a few images a class), from a working directory
# elsewhere: paths in a config are relative to the config file's folder.
BIN=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
REPO=$T/work/main D=$T/work/main/demo-out
mkdir -p "$REPO" "$D/videos"
cp -r "$HERE/../configs" "$REPO/"
bash "$HERE/make_test_model.sh" "$T/m" "$BIN" && ok "test model trained" || bad "training the test model"
mkdir -p "$D/model"; cp "$T/m/model/model.h5" "$D/model/"; cp "$T/m/pack.h5" "$D/pack.h5"
cp "$T/m/w.h5" "$D/resnet50_generated_seed1234.h5"
ln -s "$D/resnet50_generated_seed1234.h5" "$D/resnet50_weights.h5" # as demo.sh links it
for c in red green blue; do ffmpeg -v error -f lavfi -i "color=c=$c:s=160x120:d=1:r=10" -pix_fmt yuv420p "$D/videos/$c.mp4"; done
# ../../shared/datasets/sports from configs/: class folders beside the "repository"
S=$T/work/shared/datasets/sports
for c in football tennis weight_lifting; do
    mkdir -p "$S/$c"
    for i in 1 2 3 4; do ffmpeg -v error -f lavfi -i "testsrc=s=96x64:r=1:d=$i" -vf "hue=h=$((i * 40))" -update 1 "$S/$c/$i.png"; done
done
cd /  # not the repository: only the config's folder can make the paths right
expect "vidclass-batch --config configs/run.yaml" 0 "classified 3 videos \(0 failed" \
    "$BIN/vidclass-batch" --config "$REPO/configs/run.yaml" --threads 1 --quiet
[ "$("$BIN/test_results_check" count "$D/results-config.h5")" = 3 ] && ok "... results in demo-out/results-config.h5, 3 videos" \
    || bad "no demo-out/results-config.h5 with 3 videos"
expect "vidclass-pack --config configs/pack.yaml" 0 "" "$BIN/vidclass-pack" --config "$REPO/configs/pack.yaml" --size 64 --quiet
[ -f "$D/pack-config.h5" ] && ok "... pack in demo-out/pack-config.h5" || bad "no demo-out/pack-config.h5"
expect "vidclass-train --config configs/train.yaml" 0 "" "$BIN/vidclass-train" --config "$REPO/configs/train.yaml" --epochs 1 \
    --augment-views 1 --threads 1 --quiet
[ -f "$D/model-config/model.h5" ] && ok "... model in demo-out/model-config/" || bad "no demo-out/model-config/model.h5"
# a flag on the command line stays relative to the working directory
cd "$T"
expect "a --output flag: relative to the working directory" 0 "" \
    "$BIN/vidclass-batch" --config "$REPO/configs/run.yaml" --output here.h5 --threads 1 --quiet
[ -f "$T/here.h5" ] && ok "... here.h5 in the working directory" || bad "here.h5 not in the working directory"
finish
