#!/usr/bin/env bash
# bench/precision.sh [DATA_DIR] [--clips N] - --precision bf16 and int8 against fp32 on real images:
# speed and agreement. Packs DATA_DIR (default ../shared/datasets/sports, 3 class folders),
# trains the head in fp32 on generated ResNet50 weights (seed 1234), then per precision:
#   images: vidclass-embed over the whole pack (images/s), the head applied to its features
#           (numpy): top-1 agreement with fp32 and the largest probability difference;
#   clips:  N clips (default 6, 4 s) made from held-out test images, vidclass-batch in one
#           process: frames/s, per-frame smoothed-label agreement, largest raw probability
#           difference.
# For each reduced-precision product this CPU has (bf16: amx, avx512bf16; int8: amx-int8, avx512vnni;
# VIDCLASS_GEMM), one row. Prints the
# CPU model and ISA. Not part of the test suite (about 10 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/datasets/sports clips=6
while [ $# -gt 0 ]; do
    case "$1" in
        --clips) clips=$2; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0" | cut -c3-; exit 0 ;;
        *) data=$1; shift ;;
    esac
done
[ -d "$data" ] || { echo "precision.sh: no data folder $data" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
B=build/bin
T=$(mktemp -d "${TMPDIR:-/tmp}/vc-bprec-XXXXXX")
trap 'rm -rf "$T"' EXIT
kernels=() # precision:kernel
for pk in bf16:amx bf16:avx512bf16 int8:amx-int8 int8:avx512vnni; do
    VIDCLASS_GEMM=${pk#*:} $B/vidclass-batch --version | grep -q "^--precision ${pk%%:*}: available" && kernels+=("$pk")
done
if [ ${#kernels[@]} -eq 0 ]; then
    echo "precision.sh: this CPU has no reduced-precision product: $($B/vidclass-batch --version | grep -- '--precision')"
    exit 0
fi
echo "preparing: pack of $data, head trained in fp32 (generated weights), $clips clips" >&2
$B/vidclass-weights init --seed 1234 --output "$T/w.h5" >/dev/null
mpirun --oversubscribe -n 2 $B/vidclass-pack --input "$data" --output "$T/pack.h5" \
    --classes football,tennis,weight_lifting --quiet >/dev/null 2>&1 || [ $? -eq 3 ]
mpirun --oversubscribe -n 2 $B/vidclass-train --pack "$T/pack.h5" --weights "$T/w.h5" --output "$T/m" \
    --epochs 15 --augment-views 1 --lr 1e-3 --threads 1 --quiet >/dev/null 2>&1
mkdir -p "$T/v"
/usr/bin/python3 - "$T/pack.h5" "$data" "$T/v" "$clips" <<'PY'
import subprocess, sys, h5py
pack, data, out, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
with h5py.File(pack) as f:
    paths, split = f["paths"].asstr()[:], f["split"][:]
made = {}
for p, s in zip(paths, split):
    cls = p.split("/")[0]
    if s != 1 or made.get(cls, 0) >= (n + 2) // 3:
        continue
    i = made.get(cls, 0)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", f"{data}/{p}", "-vf",
                    "scale=640:360,setsar=1,zoompan=z='min(zoom+0.002,1.3)':d=100:s=640x360:fps=25,setsar=1",
                    "-t", "4", "-pix_fmt", "yuv420p", f"{out}/{cls}_{i}.mp4"], check=True)
    made[cls] = i + 1
PY
run_embed() { # OUT PRECISION [GEMM]: images/s
    local t0 t1
    t0=$(date +%s.%N)
    VIDCLASS_GEMM=${3:-} $B/vidclass-embed --weights "$T/w.h5" --output "$1" --precision "$2" --batch 16 --threads 2 \
        --quiet "$T/pack.h5" >/dev/null
    t1=$(date +%s.%N)
    /usr/bin/python3 -c "import h5py,sys; n=h5py.File(sys.argv[1])['features'].shape[0]; print(f'{n / ($t1 - $t0):.2f}')" "$1"
}
run_batch() { # OUT PRECISION [GEMM]: frames/s
    VIDCLASS_GEMM=${3:-} $B/vidclass-batch --model "$T/m/model.h5" --weights "$T/w.h5" --input "$T/v" --output "$1" \
        --precision "$2" --window 32 --threads 2 --quiet | sed -n 's/.* \([0-9]*\) frames in \([0-9.]*\) s.*/\1 \2/p' |
        awk '{printf "%.2f", $1/$2}'
}
e32=$(run_embed "$T/f32.h5" fp32)
b32=$(run_batch "$T/r32.h5" fp32)
compare() { # F32 F16 R32 R16: images agree, max dp, frames agree, max dp
    /usr/bin/python3 - "$T/m/model.h5" "$@" <<'PY'
import sys, h5py, numpy as np
m, f32, f16, r32, r16 = sys.argv[1:]
with h5py.File(m) as f:
    w1, b1 = f["dense/dense/kernel:0"][:], f["dense/dense/bias:0"][:]
    w2, b2 = f["dense_1/dense_1/kernel:0"][:], f["dense_1/dense_1/bias:0"][:]
def head(x):
    z = np.maximum(x @ w1 + b1, 0) @ w2 + b2
    z = np.exp(z - z.max(1, keepdims=True))
    return z / z.sum(1, keepdims=True)
a, b = (head(h5py.File(p)["features"][:].astype(np.float64)) for p in (f32, f16))
def frames(p):
    with h5py.File(p) as f:
        v, fr = f["videos"], f["frames"]
        d = {}
        for path, s, n in zip(v["path"].asstr()[:], v["frame_start"][:], v["n_frames"][:]):
            for i, l, pr in zip(fr["index"][s:s + n], fr["label"][s:s + n], fr["probs"][s:s + n]):
                d[(path, int(i))] = (int(l), pr)
        return d
x, y = frames(r32), frames(r16)
keys = sorted(x)
same = sum(x[k][0] == y[k][0] for k in keys)
dp = max(float(np.abs(x[k][1] - y[k][1]).max()) for k in keys)
print(f"{(a.argmax(1) == b.argmax(1)).mean() * 100:.2f}% {np.abs(a - b).max():.4f} {len(a)} "
      f"{same / len(keys) * 100:.2f}% {dp:.4f} {len(keys)}")
PY
}
isa=$(grep -o -w -E 'avx512f|avx512_bf16|amx_bf16|avx512_vnni|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')
echo "bf16 and int8 against fp32 ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, ${isa% }), head trained in fp32 on generated weights"
printf "%-17s %9s %8s %9s %9s %10s %8s %9s %9s\n" product "embed/s" "x fp32" "top-1 =" "max dp" "batch f/s" "x fp32" "frames =" "max dp"
printf "%-17s %9s %8s %9s %9s %10s %8s %9s %9s\n" "fp32 $( $B/vidclass-batch --version | sed -n 's/^products for weights: \([a-z0-9]*\).*/\1/p')" "$e32" 1.00 - - "$b32" 1.00 - -
for pk in "${kernels[@]}"; do
    p=${pk%%:*} k=${pk#*:}
    e16=$(run_embed "$T/f-$k.h5" "$p" "$k")
    b16=$(run_batch "$T/r-$k.h5" "$p" "$k")
    read -r ia idp ni fa fdp nf <<<"$(compare "$T/f32.h5" "$T/f-$k.h5" "$T/r32.h5" "$T/r-$k.h5")"
    printf "%-17s %9s %8s %9s %9s %10s %8s %9s %9s\n" "$p $k" "$e16" "$(awk -v a="$e16" -v b="$e32" 'BEGIN{printf "%.2f", a/b}')" \
        "$ia" "$idp" "$b16" "$(awk -v a="$b16" -v b="$b32" 'BEGIN{printf "%.2f", a/b}')" "$fa" "$fdp"
done
echo "embed/s: vidclass-embed over the pack's $ni images, 2 threads; top-1 =: images whose head argmax equals fp32's;"
echo "max dp: largest |p - p_fp32| of any class; batch f/s: vidclass-batch on $nf frames of $clips clips, 2 threads;"
echo "frames =: frames whose smoothed label (window 32) equals fp32's"
