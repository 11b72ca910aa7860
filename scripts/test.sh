#!/usr/bin/env bash
# test.sh [--quick | --slow] - on a fresh Debian machine: install dependencies, build, test.
#   1. Release build with -Werror; CTest labels unit|mpi|data|slurm|valgrind (the Slurm test starts
#      its own daemons as root).
#   2. ASan + UBSan build (build-asan, -DVIDCLASS_SANITIZE=address,undefined); the labels
#      unit|mpi|data without the eight tests labelled heavy (about 3-8 min each under
#      ASan; they run in stage 1, and here too with --slow), with LeakSanitizer on
#      (tests/sanitizers.supp lists the third-party leaks suppressed) and any report failing
#      the test.
#   3. libFuzzer smoke run: every harness for 30 s (scripts/fuzz.sh 30).
#   Scratch files go to one fresh directory under $TMPDIR (default /tmp), removed at the end;
#   it needs about 3 GB free.
#   --quick  stage 1 only (development loop)
#   --slow   every registered test whatever its label in stage 1, the heavy ones in stage 2 too
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
bash scripts/setup.sh
if [ "$(id -u)" -eq 0 ]; then
    # Open MPI refuses to run as root unless told; CI and our dev machines are root.
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
# Every test's scratch files (and Open MPI's session files) go under one directory removed at
# the end, whatever a test leaves behind (a test killed at its timeout cannot clean up). The
# tests need a few GB there at once (weights files are 100 MB each, two tests run at a time).
export TMPDIR
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/vc-ci-XXXXXX")
cleanup() { # keeps the script's exit status; set +e: an empty grep must not become it
    set +e
    findmnt -rn -o TARGET | grep -F "$TMPDIR/" | xargs -r -n 1 umount 2>/dev/null # a killed test's tmpfs
    rm -rf "$TMPDIR"
}
trap cleanup EXIT
free_mb=$(( $(df -Pk "$TMPDIR" | awk 'NR == 2 { print $4 }') / 1024 ))
echo "scratch: $TMPDIR, $free_mb MB free"
if [ "$free_mb" -lt 3000 ]; then
    echo "error: the tests need about 3 GB free under $TMPDIR; $free_mb MB left (df -h $TMPDIR)" >&2
    exit 1
fi
labels='unit|mpi|data|slurm|valgrind'
[ "$mode" = "--slow" ] && labels='.'

echo "== 1/3 Release build and tests"
bash scripts/build.sh build -DVC_WARNINGS_AS_ERRORS=ON
(cd build && ctest --output-on-failure -j 2 -L "$labels")
[ "$mode" = "--quick" ] && exit 0

echo "== 2/3 ASan + UBSan build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIDCLASS_SANITIZE=address,undefined \
    -DVC_WARNINGS_AS_ERRORS=ON -DVC_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build-asan -j "$(nproc)"
asan_skip=(-LE heavy) # the tests labelled heavy run here with --slow only
[ "$mode" = "--slow" ] && asan_skip=()
(cd build-asan && ctest --output-on-failure -j 2 -L 'unit|mpi|data' "${asan_skip[@]}")

echo "== 3/3 fuzzing, 30 s per harness"
bash scripts/fuzz.sh 30
