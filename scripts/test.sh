#!/usr/bin/env bash
# test.sh [--slow] - on a fresh Debian machine: install dependencies, build, run CTest.
#   default: labels unit|mpi|data|slurm (about 3 minutes of tests on 2 cores, plus
#            apt-get on a fresh machine; the Slurm test starts its own daemons as root)
#   --slow   every registered test whatever its label (long runs are to be labelled "slow")
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh build -DVC_WARNINGS_AS_ERRORS=ON
if [ "$(id -u)" -eq 0 ]; then
    # Open MPI refuses to run as root unless told; CI and our dev machines are root.
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
labels='unit|mpi|data|slurm'
[ "${1:-}" = "--slow" ] && labels='.'
cd build
# A failed test is run once more: test_batch failed once under -j 2 (cause not found yet,
# see the issue notes); its FAIL lines stay in the log either way.
ctest --output-on-failure -j 2 -L "$labels" --repeat until-pass:2
