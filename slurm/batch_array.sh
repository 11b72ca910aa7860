#!/usr/bin/env bash
# sbatch --array=0-N-1 slurm/batch_array.sh [CONFIG [OUTPUT]]
#   - classify a big archive as a Slurm job array: task I of N takes shard I/N of the
#     config's inputs (vidclass-batch --shard: disjoint, balanced by size) and writes
#     OUTPUT's part file (results.h5 -> results.part-I-of-N.h5); the task that finishes
#     last merges the parts into OUTPUT with vidclass-results merge.
#
# CONFIG (or $VIDCLASS_CONFIG) defaults to configs/run.yaml, OUTPUT (or $VIDCLASS_OUTPUT)
# to results.h5, both relative to the directory you submit from. Each task is an MPI job
# of its own (--ntasks ranks x --cpus-per-task threads). A resubmitted array resumes:
# each part resumes from its own journal, and the merge runs again. Tasks that end with
# exit status 3 (some videos failed; recorded in their part) count as finished.
#SBATCH --job-name=vidclass-array
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --time=12:00:00
#SBATCH --output=vidclass-array-%A_%a.out
set -uo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
config=${1:-${VIDCLASS_CONFIG:-configs/run.yaml}}
output=${2:-${VIDCLASS_OUTPUT:-results.h5}}
# the tools: $VIDCLASS_BIN, else a build tree's build/bin, else an installed vidclass on PATH
bin=${VIDCLASS_BIN:-build/bin}
if [ -z "${VIDCLASS_BIN:-}" ] && [ ! -x build/bin/vidclass-batch ] && command -v vidclass-batch >/dev/null; then
    bin=$(dirname "$(command -v vidclass-batch)")
fi
if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
    echo "batch_array.sh: run it as a job array: sbatch --array=0-3 slurm/batch_array.sh [CONFIG [OUTPUT]]" >&2
    exit 2
fi
count=${SLURM_ARRAY_TASK_COUNT:-1}
index=$((SLURM_ARRAY_TASK_ID - ${SLURM_ARRAY_TASK_MIN:-0}))
part() { echo "${output%.h5}.part-$1-of-$count.h5"; }
threads=${SLURM_CPUS_PER_TASK:-1}
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
if srun --mpi=list 2>&1 | grep -q pmix; then
    launch=(srun --mpi=pmix)
else
    [ "$(id -u)" -eq 0 ] && export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    launch=(mpirun)
fi
echo "vidclass-batch: array job ${SLURM_ARRAY_JOB_ID:-?} task $index of $count, ${SLURM_NTASKS:-1} ranks x $threads threads, config $config"
"${launch[@]}" "$bin/vidclass-batch" --config "$config" --threads "$threads" --shard "$index/$count" --output "$(part "$index")"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 3 ] || exit $rc
# the last task to finish merges (a lock serialises the count; a rerun counts again)
done_file="${output%.h5}.parts-done"
n=$( (flock 9; echo "$index" >> "$done_file"; sort -u "$done_file" | wc -l) 9>"$done_file.lock")
if [ "$n" -ge "$count" ]; then
    parts=(); for i in $(seq 0 $((count - 1))); do parts+=("$(part "$i")"); done
    "$bin/vidclass-results" merge "${parts[@]}" --output "$output" || exit $?
    rm -f "$done_file" "$done_file.lock"
fi
exit $rc
