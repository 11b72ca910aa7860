#!/usr/bin/env bash
# bench.sh [--runs R] [-b 1,8,32] [-t 1,2] [--products ROUNDS] [--e2e SECONDS] [--scale VIDEOS]
# - build Release, run the forward-pass benchmark and its peers R times each (default 3),
# print one table of medians with ratios (fp32; and --precision bf16 and int8 beside it where
# the CPU has them: img/s and the ratios to our fp32 and to ONNX Runtime's fp32); then
# our packed product against OpenBLAS (bench/products, ROUNDS rounds, default 9; 0 skips);
# then the end-to-end vidclass-batch job beside the forward pass, frame stride and peak
# memory (bench/batch.sh on generated clips of SECONDS each, default 8; 0 skips); then the
# dispenser's scaling to 16, 64 and 256 ranks (bench/scale.sh over VIDEOS tiny clips,
# default 10000; 0 skips). Every table names the CPU model and its vector ISA.
# Peers: PyTorch 1.13 (Debian python3-torch; scripts/setup.sh --bench) and ONNX Runtime
# (npm onnxruntime-node, its prebuilt CPU runtime, installed here into build/bench-peers,
# model exported from the same PyTorch graph by bench/export_onnx.py). A peer that cannot
# be found is reported as MISSING. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 batches=1,8,32 threads=1,2 products=9 e2e=8 scale=10000
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        -b) batches=$2; shift 2 ;;
        -t) threads=$2; shift 2 ;;
        --products) products=$2; shift 2 ;;
        --e2e) e2e=$2; shift 2 ;;
        --scale) scale=$2; shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | cut -c3-; exit 0 ;;
        *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
bash scripts/build.sh build -DVC_BUILD_BENCHMARKS=ON
out=$(mktemp -d "${TMPDIR:-/tmp}/vc-bench-XXXXXX")
trap 'rm -rf "$out"' EXIT
build/bin/vidclass-weights init --seed 1234 --output "$out/w.h5" >/dev/null

# ---- peers ------------------------------------------------------------------------------
have_torch=0 have_ort=0 have_bf16=0 have_int8=0
build/bin/vidclass-batch --version | grep -q "^--precision bf16: available" && have_bf16=1
build/bin/vidclass-batch --version | grep -q "^--precision int8: available" && have_int8=1
/usr/bin/python3 -c "import torch, h5py" 2>/dev/null && have_torch=1
P=$PWD/build/bench-peers
if command -v node >/dev/null && command -v npm >/dev/null; then
    if [ ! -d "$P/node_modules/onnxruntime-node" ]; then
        # --ignore-scripts: the package's install script only fetches CUDA libraries (from
        # nuget.org, unreachable here); the CPU runtime ships inside the npm package
        mkdir -p "$P" && npm install --prefix "$P" --no-audit --no-fund --ignore-scripts onnxruntime-node@1 >&2 || true
    fi
    if [ -d "$P/node_modules/onnxruntime-node" ] && [ "$have_torch" -eq 1 ] &&
       /usr/bin/python3 bench/export_onnx.py "$out/w.h5" "$out/r50.onnx" >/dev/null 2>"$out/export.log"; then
        have_ort=1
    fi
fi
ort_version=$( [ $have_ort -eq 1 ] && sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$P/node_modules/onnxruntime-node/package.json" | head -n 1 || true)
torch_version=$( [ $have_torch -eq 1 ] && /usr/bin/python3 -c "import torch; print(torch.__version__)" || true)

# Interleaved: for every configuration, ours then each peer back to back, R times. The host
# is shared and its speed drifts over minutes; runs seconds apart are comparable.
IFS=, read -ra tl <<< "$threads"
IFS=, read -ra bl <<< "$batches"
# The denominator of "% peak": fp32 FMA throughput measured on this CPU (bench/fma_peak.c),
# not a base-clock formula (which misses turbo and said 166 where 234 was measured). Probed
# before every run and once after, best per thread count: the host's vCPUs sometimes share
# a core's FMA units for a while (a 2-thread probe of 95-98 GFLOP/s beside 1-thread 92-94,
# while the forward pass beside it ran 1.8x faster on 2 threads), so one probe can be wrong.
probe() { build/bench/fma_peak "$(nproc)" >> "$out/peaks"; }
# Timed passes per measurement: at least 3, and at least 16 images, so a batch-1 figure is
# not 3 passes of 50 ms (0.15 s, where one pair on Emerald Rapids read 1.17 and the next
# 0.95, 2026-12-07). Ours and ONNX Runtime run back to back (the ratio the goals name);
# PyTorch and our reduced precisions after them.
iters() { local n=$(( (16 + $1 - 1) / $1 )); echo $(( n > 3 ? n : 3 )); }
for r in $(seq "$runs"); do
    probe
    for t in "${tl[@]}"; do
        for b in "${bl[@]}"; do
            echo "run $r/$runs: threads $t batch $b" >&2
            n=$(iters "$b")
            build/bench/forward --weights "$out/w.h5" -b "$b" -t "$t" -n "$n" -w 1 | sed "s/\$/ pair=$r/" >> "$out/lines"
            [ "$have_ort" -eq 1 ] && NODE_PATH="$P/node_modules" node bench/peer_ort.js "$out/r50.onnx" -b "$b" -t "$t" -n "$n" -w 1 | sed "s/\$/ pair=$r/" >> "$out/lines"
            [ "$have_torch" -eq 1 ] && /usr/bin/python3 bench/peer_torch.py "$out/w.h5" -b "$b" -t "$t" -n "$n" -w 1 | sed "s/\$/ pair=$r/" >> "$out/lines"
            [ "$have_bf16" -eq 1 ] && build/bench/forward --weights "$out/w.h5" -b "$b" -t "$t" -n "$n" -w 1 --precision bf16 |
                sed "s/impl=vidclass/impl=bf16/; s/\$/ pair=$r/" >> "$out/lines"
            [ "$have_int8" -eq 1 ] && build/bench/forward --weights "$out/w.h5" -b "$b" -t "$t" -n "$n" -w 1 --precision int8 |
                sed "s/impl=vidclass/impl=int8/; s/\$/ pair=$r/" >> "$out/lines"
        done
    done
done
[ "$have_torch" -eq 1 ] && echo "peer torch: PyTorch $torch_version" || echo "peer torch: MISSING (install python3-torch python3-h5py: scripts/setup.sh --bench)"
[ "$have_ort" -eq 1 ] && echo "peer ort:   onnxruntime-node $ort_version (CPU)" || echo "peer ort:   MISSING (needs node + npm + the PyTorch peer for the export; see $out/export.log)"
echo
probe
peaks=$(awk '{ split($3, t, "="); split($4, g, "="); if (g[2] + 0 > best[t[2]] + 0) { best[t[2]] = g[2]; line[t[2]] = $0 } }
             END { for (k in line) print line[k] }' "$out/peaks" | sort -t= -k3,3n)
echo "$peaks" | sed "s/\$/ (best of $(grep -c 'threads=1 ' "$out/peaks") probes: before each run and after the last)/"
# the reduced-precision dot products beside it: whether bf16 / int8 multiply faster here
dots=$(build/bench/fma_peak 1 --dot | sed -n 's/^dot_peak //p' | sed 's/ threads=1//' | paste -sd ';' - | sed 's/;/; /g')
[ -n "$dots" ] && echo "dot_peak 1 thread: $dots (vdpbf16ps / vpdpbusd chains, 2 ops per multiply-add)"
isa=$(grep -o -w -E 'avx512f|avx512_bf16|amx_bf16|avx512_vnni|avx2|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')
echo "ResNet50-notop forward, 224x224 fp32, medians of $runs runs ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, ${isa% })"
bf16_head=""
[ "$have_bf16" -eq 1 ] && bf16_head=$(printf " %9s %8s %8s" "bf16/s" "x fp32" "x ort")
[ "$have_int8" -eq 1 ] && bf16_head="$bf16_head$(printf " %9s %8s %8s" "int8/s" "x fp32" "x ort")"
printf "%-7s %-5s %9s %8s %6s %6s %9s %9s %8s %8s%s  %s\n" threads batch "ours/s" "GFLOP/s" "%peak" "exec%" "torch/s" "ort/s" \
    "x torch" "x ort" "$bf16_head" "pair ratios torch | ort$([ "$have_bf16" -eq 1 ] && echo ' | bf16 x fp32')$([ "$have_int8" -eq 1 ] && echo ' | int8 x fp32')"
awk -v peaks="$peaks" -v bf16="$have_bf16" -v int8="$have_int8" '
function med(s,   a, n, i, j, t) { n = split(s, a, " "); if (n == 0) return 0
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function ratios(num, peer, k,   p, r, rs, rl) { rs = ""; rl = ""
    for (p in pairs) if (((peer " " k " " p) in val) && ((num " " k " " p) in val) && val[peer " " k " " p] > 0) {
        r = val[num " " k " " p] / val[peer " " k " " p]; rs = rs " " r; rl = rl sprintf("%s%.2f", rl == "" ? "" : ",", r) }
    R[num peer] = rs == "" ? "-" : sprintf("%.2fx", med(rs)); L[num peer] = rl == "" ? "-" : rl }
{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  key = v["threads"] " " v["batch"]; keys[key] = 1
  if (v["impl"] == "vidclass") { gg = v["gemm_gflop_img"]; gd = v["gflops"] / v["img_s"] }
  ips[v["impl"] " " key] = ips[v["impl"] " " key] " " v["img_s"]
  val[v["impl"] " " key " " v["pair"]] = v["img_s"]; pairs[v["pair"]] = 1 }
END {
  for (k in keys) { split(k, tb, " ")
    a = med(ips["vidclass " k]); t = med(ips["torch " k]); o = med(ips["ort " k]); h = med(ips["bf16 " k]); q = med(ips["int8 " k])
    ratios("vidclass", "torch", k); ratios("vidclass", "ort", k); ratios("bf16", "vidclass", k); ratios("bf16", "ort", k)
    ratios("int8", "vidclass", k); ratios("int8", "ort", k)
    n = split(peaks, pl, "\n"); pk = 0
    for (i = 1; i <= n; i++) { split(pl[i], f, /[ =]/); if (f[5] == tb[1] || (pk == 0 && f[5] == 1)) pk = f[7] }
    printf "%-7s %-5s %9.2f %8.1f %5.0f%% %5.0f%% %9s %9s %8s %8s", tb[1], tb[2], a, a * gd, pk ? 100 * a * gd / pk : 0,
           pk ? 100 * a * gg / pk : 0,
           t ? sprintf("%.2f", t) : "missing", o ? sprintf("%.2f", o) : "missing", R["vidclasstorch"], R["vidclassort"]
    if (bf16) printf " %9s %8s %8s", h ? sprintf("%.2f", h) : "missing", R["bf16vidclass"], R["bf16ort"]
    if (int8) printf " %9s %8s %8s", q ? sprintf("%.2f", q) : "missing", R["int8vidclass"], R["int8ort"]
    printf "  %s | %s%s%s\n", L["vidclasstorch"], L["vidclassort"], bf16 ? " | " L["bf16vidclass"] : "", int8 ? " | " L["int8vidclass"] : "" }
}' "$out/lines" | sort -k1,1n -k2,2n
echo "ours: product for the weights $(grep 'precision=fp32' "$out/lines" | grep -o 'product=[a-z0-9?-]*' | sort -u | sed 's/product=//' | tr '\n' ' ')(VIDCLASS_GEMM=auto unless set)"
[ "$have_bf16" -eq 1 ] && echo "bf16: --precision bf16, product $(grep 'precision=bf16' "$out/lines" | grep -o 'product=[a-z0-9?-]*' | sort -u | sed 's/product=//' | tr '\n' ' ')(x fp32: against our fp32 in the same run; x ort: against ONNX Runtime's fp32; agreement: bench/precision.sh)"
[ "$have_bf16" -eq 0 ] && echo "bf16: not on this CPU ($(build/bin/vidclass-batch --version | sed -n 's/^--precision bf16: not available: //p'))"
[ "$have_int8" -eq 1 ] && echo "int8: --precision int8 (every convolution but conv1 in int8, the 3x3 ones in F(2x2)), product $(grep 'precision=int8' "$out/lines" | grep -o 'product=[a-z0-9?-]*' | sort -u | sed 's/product=//' | tr '\n' ' ')(agreement: bench/precision.sh)"
[ "$have_int8" -eq 0 ] && echo "int8: not on this CPU ($(build/bin/vidclass-batch --version | sed -n 's/^--precision int8: not available: //p'))"
echo "x torch / x ort = median over runs of (ours / peer), ours then ONNX Runtime back to back, then PyTorch, each the"
echo "mean of max(3, ceil(16 / batch)) timed passes after one warm-up; %peak = GFLOP/s (direct-convolution"
echo "flops, bench/forward's gflops / img_s) over the measured FMA peak (fma_peak lines above) for that many threads; exec% ="
echo "the flops our GEMMs really execute (Winograd layers at their tile size, gemm_gflop_img) over the same peak"
mkdir -p build/bench-results
cp "$out/lines" "build/bench-results/forward-$(date +%Y%m%dT%H%M%S).txt"
# our product for the weights against OpenBLAS's, whole network, alternating in one process
if [ "$products" != 0 ]; then
echo
echo "Products for constant weights, whole forward pass: our packed kernels (avx2, avx512 where the CPU has it) vs OpenBLAS sgemm ($(lscpu | sed -n 's/^Model name: *//p'), ${isa% })"
if build/bench/products --weights "$out/w.h5" -b "$batches" -t "$threads" -r "$products"; then
    echo "K_x_blas = median over $products rounds of (OpenBLAS ms / kernel K's ms), one pass of each product per round"
else
    echo "products: no packed kernel on this CPU (or it failed): see above"
fi
fi
if [ "$e2e" != 0 ]; then
    echo
    bash bench/batch.sh "$e2e"
fi
if [ "$scale" != 0 ]; then
    echo
    bash bench/scale.sh --videos "$scale"
fi
