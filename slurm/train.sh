#!/usr/bin/env bash
# sbatch slurm/train.sh [CONFIG]   - train the vidclass head with MPI ranks under Slurm.
#
# CONFIG (or $VIDCLASS_CONFIG) defaults to configs/train.yaml, relative to the directory
# you submit from. Each task is one MPI rank; OpenBLAS gets --cpus-per-task threads.
# On a real cluster, adjust the #SBATCH lines: add --partition=<queue> and --account=...,
# use --nodes=N --ntasks-per-node=K (e.g. one rank per socket, --cpus-per-task = cores per
# socket), raise --time, and load your site's modules (Open MPI, HDF5, FFmpeg) before the
# launch below, e.g. `module load openmpi hdf5`.
#SBATCH --job-name=vidclass-train
#SBATCH --ntasks=2
#SBATCH --cpus-per-task=1
#SBATCH --time=04:00:00
#SBATCH --output=vidclass-train-%j.out
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
config=${1:-${VIDCLASS_CONFIG:-configs/train.yaml}}
# the tools: $VIDCLASS_BIN, else a build tree's build/bin, else an installed vidclass on PATH
bin=${VIDCLASS_BIN:-build/bin}
if [ -z "${VIDCLASS_BIN:-}" ] && [ ! -x build/bin/vidclass-batch ] && command -v vidclass-batch >/dev/null; then
    bin=$(dirname "$(command -v vidclass-batch)")
fi
threads=${SLURM_CPUS_PER_TASK:-1}
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
# srun with PMIx starts the ranks directly; without it, mpirun reads the allocation.
if srun --mpi=list 2>&1 | grep -q pmix; then
    launch=(srun --mpi=pmix)
else
    [ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    launch=(mpirun)
fi
echo "vidclass-train: job ${SLURM_JOB_ID:-?}, ${SLURM_NTASKS:-1} ranks x $threads threads, config $config, launch ${launch[*]}"
exec "${launch[@]}" "$bin/vidclass-train" --config "$config" --threads "$threads"
