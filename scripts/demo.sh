#!/usr/bin/env bash
# demo.sh [--weights KERAS_NOTOP.h5] - on a fresh Debian machine: install, build, and run
# vidclass on the bundled demo data. Outputs go to demo-out/.
#
# Today the demo computes ResNet50 features of sample sports images (vidclass-embed); the
# full pack -> train -> batch-classify demo arrives with those tools.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
weights=""
while [ $# -gt 0 ]; do
    case "$1" in
        --weights) weights=$2; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "demo.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
bash scripts/setup.sh
bash scripts/build.sh build
out=$root/demo-out
mkdir -p "$out"

if [ -z "$weights" ] && [ -f "$HOME/.keras/models/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5" ]; then
    weights="$HOME/.keras/models/resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"
fi
if [ -z "$weights" ]; then
    weights=$out/resnet50_generated_seed1234.h5
    echo "demo: WARNING: no ImageNet weights found; using generated random weights ($weights)."
    echo "demo: WARNING: features from random weights are far less useful than ImageNet ones."
    [ -f "$weights" ] || build/bin/vidclass-weights init --seed 1234 --output "$weights"
fi
build/bin/vidclass-weights check "$weights"

data=$root/../shared/datasets/sports
if [ -d "$data" ]; then
    mapfile -t imgs < <(for c in football tennis weight_lifting; do ls "$data/$c" | head -n 4 | sed "s|^|$data/$c/|"; done)
else
    echo "demo: $data not found; generating sample images with ffmpeg"
    imgs=()
    for s in testsrc mandelbrot rgbtestsrc; do
        ffmpeg -v error -y -f lavfi -i "$s=s=320x240" -frames:v 1 "$out/$s.png"
        imgs+=("$out/$s.png")
    done
fi
build/bin/vidclass-embed --weights "$weights" --output "$out/features.h5" --batch 4 "${imgs[@]}" || [ $? -eq 3 ]
echo "demo: features of ${#imgs[@]} images in $out/features.h5 (/features [N,2048], /paths)"
