#!/usr/bin/env bash
# bench.sh [--runs R] [-b 1,8,32] [-t 1,2] - build Release, run the forward-pass benchmark
# and its peers R times each (default 3), print one table of medians with ratios.
# Peers that are not installed are reported as missing. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=3 batches=1,8,32 threads=1,2
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        -b) batches=$2; shift 2 ;;
        -t) threads=$2; shift 2 ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
bash scripts/build.sh build -DVC_BUILD_BENCHMARKS=ON
out=$(mktemp -d "${TMPDIR:-/tmp}/vc-bench-XXXXXX")
trap 'rm -rf "$out"' EXIT
build/bin/vidclass-weights init --seed 1234 --output "$out/w.h5" >/dev/null
have_torch=0
/usr/bin/python3 -c "import torch, h5py" 2>/dev/null && have_torch=1
# Interleaved: for every configuration, ours then the peer back to back, R times. The host
# is shared and its speed drifts over minutes; pairs measured seconds apart are comparable.
IFS=, read -ra tl <<< "$threads"
IFS=, read -ra bl <<< "$batches"
for r in $(seq "$runs"); do
    for t in "${tl[@]}"; do
        for b in "${bl[@]}"; do
            echo "run $r/$runs: threads $t batch $b" >&2
            build/bench/forward --weights "$out/w.h5" -b "$b" -t "$t" -n 3 -w 1 | sed "s/\$/ pair=$r/" >> "$out/lines"
            if [ "$have_torch" -eq 1 ]; then
                /usr/bin/python3 bench/peer_torch.py "$out/w.h5" -b "$b" -t "$t" -n 3 -w 1 | sed "s/\$/ pair=$r/" >> "$out/lines"
            fi
        done
    done
done
[ "$have_torch" -eq 1 ] || echo "peer torch: MISSING (install python3-torch python3-h5py: scripts/setup.sh --bench)"
echo "peer onnxruntime: MISSING (not wired up yet)"
echo
echo "ResNet50-notop forward, 224x224 fp32, median of $runs runs ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores)"
printf "%-8s %-6s %14s %10s %12s %10s %12s\n" threads batch "vidclass img/s" "GFLOP/s" "torch img/s" "ratio" "pair ratios"
awk '
function med(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
  key = v["threads"] " " v["batch"]; keys[key] = 1
  ips[v["impl"] " " key] = ips[v["impl"] " " key] " " v["img_s"]
  val[v["impl"] " " key " " v["pair"]] = v["img_s"]; pairs[v["pair"]] = 1 }
END {
  for (k in keys) { split(k, tb, " ")
    a = med(ips["vidclass " k]); t = (("torch " k) in ips) ? med(ips["torch " k]) : 0
    rs = ""; rl = ""
    for (p in pairs) if ((("torch " k " " p) in val) && val["torch " k " " p] > 0) {
        r = val["vidclass " k " " p] / val["torch " k " " p]; rs = rs " " r; rl = rl sprintf("%s%.2f", rl == "" ? "" : ",", r) }
    printf "%-8s %-6s %14.2f %10.1f %12s %10s %12s\n", tb[1], tb[2], a, a * 7.7296, t ? sprintf("%.2f", t) : "missing",
           rs != "" ? sprintf("%.2fx", med(rs)) : "-", rl }
}' "$out/lines" | sort -k1,1n -k2,2n
echo "ratio = median over runs of (ours / PyTorch) measured back to back"
mkdir -p build/bench-results
cp "$out/lines" "build/bench-results/forward-$(date +%Y%m%dT%H%M%S).txt"
