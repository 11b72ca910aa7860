#!/usr/bin/env bash
# demo.sh [--weights KERAS_NOTOP.h5] [--out DIR] - the whole pipeline on the sports images,
# on a fresh Debian machine: install, build, pack, train with 2 ranks, make demo clips from
# held-out test images, classify them with 2 ranks, write labelled videos, print a table.
# About 4 minutes on 2 cores (AMD EPYC Zen 3, packages installed). Outputs in demo-out/ (or --out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
weights="" out=$root/demo-out
while [ $# -gt 0 ]; do
    case "$1" in
        --weights) weights=$(realpath "$2"); shift 2 ;;
        --out) out=$2; shift 2 ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) echo "demo.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
step() { echo; echo "=== demo: $*"; }
step "1/6 dependencies and build"
bash scripts/setup.sh
bash scripts/build.sh build
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
B=$root/build/bin
MPIRUN=(mpirun --oversubscribe -n 2)
mkdir -p "$out"

step "2/6 sports images"
data=$root/../shared/datasets/sports
if [ ! -d "$data" ]; then
    data=$out/sports
    [ -d "$data" ] || bash datasets/fetch_sports.sh "$data"
fi
echo "using $data"

step "3/6 base weights"
keras=$HOME/.keras/models/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5
[ -z "$weights" ] && [ -f "$keras" ] && weights=$keras
lr=1e-4
if [ -z "$weights" ]; then
    weights=$out/resnet50_generated_seed1234.h5
    echo "WARNING: no ImageNet weights found ($keras, or --weights FILE)."
    echo "WARNING: using generated random weights: accuracy will be far below what ImageNet-pretrained"
    echo "WARNING: weights give (the tutorial reaches ~0.9); the pipeline is the same."
    [ -f "$weights" ] || "$B/vidclass-weights" init --seed 1234 --output "$weights"
    lr=1e-3 # random features are less separable: a larger step helps within 25 epochs
fi
"$B/vidclass-weights" check "$weights"
ln -sfn "$weights" "$out/resnet50_weights.h5" # the name configs/*.yaml use

step "4/6 pack and train (2 ranks, feature cache)"
[ -f "$out/pack.h5" ] || "${MPIRUN[@]}" "$B/vidclass-pack" --input "$data" --output "$out/pack.h5" \
    --classes football,tennis,weight_lifting --quiet || [ $? -eq 3 ] # 3: some files are not images (skipped)
rm -rf "$out/model"
"${MPIRUN[@]}" "$B/vidclass-train" --pack "$out/pack.h5" --weights "$weights" --output "$out/model" \
    --epochs 25 --augment-views 1 --lr "$lr" --threads 1 --cache "$out/features_cache.h5"

step "5/6 demo clips from held-out test images"
mkdir -p "$out/videos"
h5list() { h5dump -y -w 0 -d "$2" "$1" | sed -n '/DATA {/,/}/p' | sed '1d;$d' | tr ',' '\n' | sed 's/^ *//;s/"//g' | grep -v '^$'; }
mapfile -t paths < <(h5list "$out/pack.h5" /paths)
mapfile -t split < <(h5list "$out/pack.h5" /split)
clip() { # SRC OUT SECONDS: a slow zoom/pan over one still image
    ffmpeg -v error -y -loop 1 -i "$1" -vf "scale=640:360,setsar=1,zoompan=z='min(zoom+0.002,1.3)':d=$((25 * $3)):s=640x360:fps=25,setsar=1" \
        -t "$3" -pix_fmt yuv420p "$2"
}
declare -A made
for i in "${!paths[@]}"; do
    [ "${split[$i]}" = 1 ] || continue
    cls=${paths[$i]%%/*}
    n=${made[$cls]:-0}
    [ "$n" -lt 2 ] || continue
    clip "$data/${paths[$i]}" "$out/videos/${cls}_$n.mp4" 4 && made[$cls]=$((n + 1))
done
ls "$out"/videos/football_0.mp4 "$out"/videos/tennis_0.mp4 >/dev/null
ffmpeg -v error -y -i "$out/videos/football_0.mp4" -i "$out/videos/tennis_0.mp4" \
    -filter_complex "[0:v]setsar=1[a];[1:v]setsar=1[b];[a][b]concat=n=2:v=1[v]" -map "[v]" -pix_fmt yuv420p \
    "$out/videos/cut_football_tennis.mp4"
ls -1 "$out/videos"

step "6/6 classify every frame (2 ranks), labelled videos"
rm -f "$out/results.h5" "$out/results.h5.journal"
"${MPIRUN[@]}" "$B/vidclass-batch" --model "$out/model/model.h5" --weights "$weights" --input "$out/videos" \
    --output "$out/results.h5" --window 32 --threads 1 --annotate-dir "$out/annotated" || [ $? -eq 3 ]
echo
"$B/vidclass-results" summary "$out/results.h5" || [ $? -eq 3 ]
echo
echo "segments of the cut clip (football, then tennis from 4.0 s; the trailing window moves the change late):"
"$B/vidclass-results" export "$out/results.h5" --table segments | grep -E '^video|cut_'
echo
echo "outputs:"
echo "  pack            $out/pack.h5"
echo "  model           $out/model/model.h5 (report.txt, plot.png, history.csv)"
echo "  results         $out/results.h5"
echo "  labelled videos $out/annotated/"
