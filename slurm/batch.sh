#!/usr/bin/env bash
# sbatch slurm/batch.sh [CONFIG]   - classify videos with vidclass-batch under Slurm.
#
# CONFIG (or $VIDCLASS_CONFIG) defaults to configs/run.yaml, relative to the directory you
# submit from. Rank 0 hands out videos and also computes; every task is one rank with
# --cpus-per-task BLAS threads. A resubmitted job resumes: videos already in the results
# file are skipped. On a real cluster, adjust the #SBATCH lines: --partition, --account,
# --nodes=N --ntasks-per-node=K (e.g. 64 ranks = 8 nodes x 8), --time, and load your
# site's modules (Open MPI, HDF5, FFmpeg) before the launch below.
#SBATCH --job-name=vidclass-batch
#SBATCH --ntasks=2
#SBATCH --cpus-per-task=1
#SBATCH --time=12:00:00
#SBATCH --output=vidclass-batch-%j.out
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
config=${1:-${VIDCLASS_CONFIG:-configs/run.yaml}}
# the tools: $VIDCLASS_BIN, else a build tree's build/bin, else an installed vidclass on PATH
bin=${VIDCLASS_BIN:-build/bin}
if [ -z "${VIDCLASS_BIN:-}" ] && [ ! -x build/bin/vidclass-batch ] && command -v vidclass-batch >/dev/null; then
    bin=$(dirname "$(command -v vidclass-batch)")
fi
threads=${SLURM_CPUS_PER_TASK:-1}
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
if srun --mpi=list 2>&1 | grep -q pmix; then
    launch=(srun --mpi=pmix)
else
    [ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    launch=(mpirun)
fi
echo "vidclass-batch: job ${SLURM_JOB_ID:-?}, ${SLURM_NTASKS:-1} ranks x $threads threads, config $config, launch ${launch[*]}"
# exit status 3 = finished, some inputs failed (recorded in the results file)
exec "${launch[@]}" "$bin/vidclass-batch" --config "$config" --threads "$threads"
