#!/usr/bin/env bash
# bench/pack.sh [DIR] [RUNS] - images packed per second by vidclass-pack with 1 and 2 ranks
# on DIR (default ../shared/datasets/sports), beside Pillow doing the same decode+resize
# with 1 and 2 processes, in the same run; median of RUNS (default 3). Also the pack size
# and time with --compress 1 (the compression trade-off).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-../shared/datasets/sports} runs=${2:-3}
[ -d "$dir" ] || { echo "bench/pack.sh: $dir not found" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
T=$(mktemp -d "${TMPDIR:-/tmp}/vc-bpack-XXXXXX")
trap 'rm -rf "$T"' EXIT
have_pil=0
/usr/bin/python3 -c "import PIL" 2>/dev/null && have_pil=1
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for np in 1 2; do
    for r in $(seq "$runs"); do
        mpirun --oversubscribe -n $np build/bin/vidclass-pack --input "$dir" --output "$T/p.h5" --quiet 2>/dev/null |
            sed -n 's/^packed \([0-9]*\) of .* in \([0-9.]*\) s.*/\1 \2/p' | awk '{printf "%.1f\n", $1/$2}' >> "$T/vc$np"
        [ $have_pil -eq 1 ] && /usr/bin/python3 bench/peer_pack_pil.py "$dir" $np | sed 's/.*img_s=//' >> "$T/pil$np"
    done
done
size0=$(stat -c %s "$T/p.h5")
t1=$(build/bin/vidclass-pack --input "$dir" --output "$T/pz.h5" --quiet --compress 1 2>/dev/null | sed -n 's/.* in \([0-9.]*\) s .*/\1/p')
t0=$(build/bin/vidclass-pack --input "$dir" --output "$T/p0.h5" --quiet 2>/dev/null | sed -n 's/.* in \([0-9.]*\) s .*/\1/p')
size1=$(stat -c %s "$T/pz.h5")
echo "pack: $(ls -R "$dir" | wc -l) entries in $dir, median of $runs runs ($(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores)"
printf "%-6s %16s %16s %8s\n" ranks "vidclass img/s" "Pillow img/s" ratio
for np in 1 2; do
    a=$(median < "$T/vc$np"); p=missing; ratio=-
    if [ -s "$T/pil$np" ]; then p=$(median < "$T/pil$np"); ratio=$(awk -v a="$a" -v p="$p" 'BEGIN{printf "%.2fx", a/p}'); fi
    printf "%-6s %16s %16s %8s\n" $np "$a" "$p" "$ratio"
done
echo "pack size, 1 rank: uncompressed $((size0 / 1000000)) MB in ${t0} s; --compress 1: $((size1 / 1000000)) MB in ${t1} s"
