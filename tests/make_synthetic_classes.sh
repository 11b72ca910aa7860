#!/usr/bin/env bash
# make_synthetic_classes.sh DIR N - three visually distinct classes of N images each, made
# with ffmpeg's generators: flat (solid colours, varied), pattern (testsrc frames),
# fractal (mandelbrot zooms). Used by the training tests and the batch tests' model.
set -euo pipefail
dir=$1 n=$2
mkdir -p "$dir/flat" "$dir/pattern" "$dir/fractal"
for i in $(seq 1 "$n"); do
    c=$(printf "0x%02X%02X%02X" $(( (90 + i * 7) % 256 )) $(( (40 + i * 5) % 200 )) $(( (30 + i * 11) % 220 )))
    ffmpeg -v error -y -f lavfi -i "color=c=$c:s=80x80" -frames:v 1 "$dir/flat/$i.png"
    ffmpeg -v error -y -f lavfi -i "testsrc=s=80x80:rate=10" -ss "$((i / 10)).$((i % 10))" -frames:v 1 "$dir/pattern/$i.png"
    ffmpeg -v error -y -f lavfi -i "mandelbrot=s=80x80:start_scale=$((1 + i % 5)).$((i % 10))" -frames:v 1 "$dir/fractal/$i.png"
done
