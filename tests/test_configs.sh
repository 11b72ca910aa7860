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
expect "vidclass-pack --config configs/pack.yaml" 0 "" "$BIN/vidclass-pack" --config "$REPO/configs/pack.yaml" --size 64 --quiet \
    --summary-json "$T/pack.json"
[ -f "$D/pack-config.h5" ] && ok "... pack in demo-out/pack-config.h5" || bad "no demo-out/pack-config.h5"
expect "vidclass-train --config configs/train.yaml" 0 "" "$BIN/vidclass-train" --config "$REPO/configs/train.yaml" --epochs 1 \
    --augment-views 1 --threads 1 --quiet --summary-json "$T/train.json"
[ -f "$D/model-config/model.h5" ] && ok "... model in demo-out/model-config/" || bad "no demo-out/model-config/model.h5"
o=$(/usr/bin/python3 - "$T/pack.json" "$T/train.json" <<'PY'
import json, sys
p, t = (json.load(open(f)) for f in sys.argv[1:])
assert p["tool"] == "vidclass-pack" and p["packed"] == 12 and p["skipped"] == 0 and p["train"] + p["test"] == 12, p
assert t["tool"] == "vidclass-train" and t["epochs_run"] == 1 and 0 <= t["accuracy"] <= 1 and t["seconds"] > 0, t
print("pack: 12 packed; train: 1 epoch, accuracy %.2f" % t["accuracy"])
PY
) && ok "pack and train --summary-json: $o" || bad "pack/train summaries: $o"
# a flag on the command line stays relative to the working directory
cd "$T"
expect "a --output flag: relative to the working directory" 0 "" \
    "$BIN/vidclass-batch" --config "$REPO/configs/run.yaml" --output here.h5 --threads 1 --quiet
[ -f "$T/here.h5" ] && ok "... here.h5 in the working directory" || bad "here.h5 not in the working directory"
echo "== --summary-json"
S=$T/sum.json
expect "--summary-json, 2 ranks" 0 "" mpirun --oversubscribe -n 2 "$BIN/vidclass-batch" --config "$REPO/configs/run.yaml" \
    --output "$T/s.h5" --threads 1 --quiet --summary-json "$S"
o=$(/usr/bin/python3 - "$S" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["videos_classified"] == 3 and s["videos_failed"] == 0 and s["videos_listed"] == 3, s
assert sum(s["videos_per_class"].values()) == 3 and len(s["ranks"]) == 2, s
assert sum(r["frames"] for r in s["ranks"]) == s["frames"] == 30, s
assert all(abs(r["busy_s"] + r["idle_s"] - s["seconds"]) < 0.5 for r in s["ranks"]), s
assert s["precision"] == "fp32" and s["product"] in ("avx512", "avx2", "blas"), s
print("3 videos, 30 frames, 2 ranks, frames/s %.1f, %s products on %s" % (s["frames_per_second"], s["precision"], s["product"]))
PY
) && ok "summary JSON: $o" || bad "summary JSON: $o"
expect "a rerun replaces its summary" 0 "" "$BIN/vidclass-batch" --config "$REPO/configs/run.yaml" --output "$T/s.h5" \
    --threads 1 --quiet --summary-json "$S"
grep -q '"videos_already_done": 3' "$S" && ok "... with the rerun's figures" || bad "summary not replaced"
echo "mine" > "$T/notes.json"
expect "never over a file it did not write" 2 "exists" "$BIN/vidclass-batch" --config "$REPO/configs/run.yaml" \
    --output "$T/s.h5" --summary-json "$T/notes.json"
expect "never over an input" 2 "is the input" "$BIN/vidclass-batch" --config "$REPO/configs/run.yaml" \
    --output "$T/s.h5" --input "$D/videos/red.mp4" --summary-json "$D/videos/red.mp4"
[ "$(cat "$T/notes.json")" = mine ] && ok "... both untouched" || bad "notes.json changed"
finish
