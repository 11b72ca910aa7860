#!/usr/bin/env bash
# setup.sh [--bench] - install every Debian package vidclass needs to build, test and run
# the demo. Idempotent: does nothing when everything is already installed.
#   --bench   also install the benchmark peers (python3-torch, python3-h5py; ~1 GB)
set -euo pipefail
pkgs=(build-essential cmake pkg-config
      openmpi-bin libopenmpi-dev libopenblas-dev
      libhdf5-openmpi-dev hdf5-tools
      libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libavfilter-dev ffmpeg
      libyaml-dev libjansson-dev libplplot-dev plplot-driver-cairo fonts-dejavu-core
      python3-opencv python3-h5py python3-numpy   # test references: the tutorial's cv2 pixels, HDF5 files
      file time   # tests: file(1) counts the images of a folder, /usr/bin/time the peak memory
      help2man    # man pages made from each tool's --help and --version
      slurm-wlm munge
      clang libclang-rt-dev valgrind)  # sanitizer/fuzzer builds (scripts/fuzz.sh) and memcheck
if [ "${1:-}" = "--bench" ]; then
    pkgs+=(python3-torch)
fi
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: all ${#pkgs[@]} packages already installed"
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
