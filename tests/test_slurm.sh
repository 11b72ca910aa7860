#!/usr/bin/env bash
# test_slurm.sh SRC_DIR BIN_DIR - a real single-node Slurm cluster (munged, slurmctld,
# slurmd from Debian's slurm-wlm) started in a temporary directory on private ports,
# then `sbatch --wait slurm/train.sh` (2 tasks, tiny config, cached features) and
# `sbatch --wait slurm/batch.sh` on generated clips; checks the model, the results and the
# jobs' states. Daemons are stopped on every exit path. Needs root (to run the daemons);
# skips (77; a failure when CI=true) when Slurm is not installed or we are not root.
SRC=$1 BIN=$2
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    skip "needs root and the slurm-wlm and munge packages (scripts/setup.sh installs them)"
fi
pids=()
stop_all() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap stop_all EXIT
host=$(hostname -s)
port=$((20000 + RANDOM % 20000))
mkdir -p "$T/state" "$T/spool" "$T/work"
dd if=/dev/urandom of="$T/munge.key" bs=1024 count=1 status=none
chmod 400 "$T/munge.key"
munged --force --key-file="$T/munge.key" --socket="$T/munge.sock" --pid-file="$T/munged.pid" \
       --log-file="$T/munged.log" --seed-file="$T/munged.seed" || { bad "munged did not start"; finish; }
pids+=("$(cat "$T/munged.pid")")
cat > "$T/slurm.conf" <<CONF
ClusterName=vctest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$T/munge.sock
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MinJobAge=3600
NodeName=$host CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$T/slurm.conf
slurmctld -D -i > "$T/slurmctld.out" 2>&1 & pids+=($!)
slurmd -D > "$T/slurmd.out" 2>&1 & pids+=($!)
for _ in $(seq 60); do
    [ "$(sinfo -h -o %t 2>/dev/null)" = idle ] && break
    sleep 1
done
if [ "$(sinfo -h -o %t 2>/dev/null)" = idle ]; then ok "Slurm cluster up: $(sinfo -h -o '%P %D %c %t')"
else bad "Slurm did not come up: $(tail -n 5 "$T"/slurm*.log "$T"/*.out)"; finish; fi

# tiny inputs
W=$T/work
bash "$SRC/tests/make_synthetic_classes.sh" "$W/in" 12
"$BIN/vidclass-pack" --input "$W/in" --output "$W/pack.h5" --size 64 --quiet >/dev/null 2>&1
"$BIN/vidclass-weights" init --seed 1234 --output "$W/w.h5" >/dev/null
printf 'train:\n  pack: %s\n  weights: %s\n  output: %s\n  epochs: 3\n  augment_views: 1\n  lr: 0.002\n' \
    "$W/pack.h5" "$W/w.h5" "$W/model" > "$W/train.yaml"
mkdir -p "$W/videos"
ffmpeg -v error -y -f lavfi -i "color=c=0xA03C50:s=160x120:d=2:r=25" -pix_fmt yuv420p "$W/videos/flat.mp4"
ffmpeg -v error -y -f lavfi -i "testsrc=s=160x120:d=2:r=25" -pix_fmt yuv420p "$W/videos/pattern.mp4"
printf 'run:\n  model: %s\n  weights: %s\n  output: %s\n  input: [%s]\n  window: 8\n' \
    "$W/model/model.h5" "$W/w.h5" "$W/results.h5" "$W/videos" > "$W/run.yaml"

cd "$SRC"
job_state() { scontrol show job "$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
out=$(VIDCLASS_BIN=$BIN sbatch --wait --parsable -n 2 -c 1 --output="$W/train-%j.out" slurm/train.sh "$W/train.yaml" 2>&1); rc=$?
jid=${out%%;*}; jid=$(tail -n 1 <<<"$jid")
cat "$W"/train-*.out 2>/dev/null | tail -n 4
[ $rc -eq 0 ] && ok "sbatch --wait slurm/train.sh: exit 0 (job $jid)" || bad "train job exit $rc: $out"
[ "$(job_state "$jid")" = COMPLETED ] && ok "train job state COMPLETED" || bad "train job state: $(job_state "$jid")"
# one MPI world of 2 ranks (two singleton worlds would each print their own lines)
if grep -q "classes, 2 ranks" "$W"/train-*.out && [ "$(grep -c '^trained' "$W"/train-*.out)" = 1 ]; then
    ok "train job: one MPI world of 2 ranks"
else
    bad "train job: not one 2-rank MPI world: $(grep -E 'ranks|^trained' "$W"/train-*.out)"
fi
"$BIN/test_model_check" meta "$W/model/model.h5" 3 >/dev/null 2>&1 && ok "model.h5 written by the Slurm job" || bad "model.h5"

out=$(VIDCLASS_BIN=$BIN sbatch --wait --parsable -n 2 -c 1 --output="$W/batch-%j.out" slurm/batch.sh "$W/run.yaml" 2>&1); rc=$?
jid=$(tail -n 1 <<<"${out%%;*}")
cat "$W"/batch-*.out 2>/dev/null | tail -n 3
[ $rc -eq 0 ] && ok "sbatch --wait slurm/batch.sh: exit 0 (job $jid)" || bad "batch job exit $rc: $out"
grep -q "to do on 2 ranks" "$W"/batch-*.out && [ "$(grep -c '^classified' "$W"/batch-*.out)" = 1 ] &&
    ok "batch job: one MPI world of 2 ranks" || bad "batch job: not one 2-rank MPI world"
[ "$(job_state "$jid")" = COMPLETED ] && ok "batch job state COMPLETED" || bad "batch job state: $(job_state "$jid")"
n=$(h5ls "$W/results.h5/videos/path" 2>/dev/null | sed -n 's/.*{\([0-9]*\)\/.*/\1/p')
[ "$n" = 2 ] && ok "results.h5 holds both videos" || bad "results.h5: ${n:-no} videos"

# a job array over 9 clips: 3 tasks, each its shard, the last one merges
mkdir -p "$W/clips"
for i in 1 2 3 4 5 6 7 8 9; do
    ffmpeg -v error -y -f lavfi -i "testsrc=s=96x64:d=$((1 + i % 3)):r=10" -pix_fmt yuv420p "$W/clips/c$i.mp4"
done
printf 'run:\n  model: %s\n  weights: %s\n  input: [%s]\n  window: 4\n' "$W/model/model.h5" "$W/w.h5" "$W/clips" > "$W/array.yaml"
out=$(VIDCLASS_BIN=$BIN sbatch --wait --parsable --array=0-2 -n 1 -c 1 --output="$W/array-%A_%a.out" slurm/batch_array.sh \
      "$W/array.yaml" "$W/all.h5" 2>&1); rc=$?
jid=$(tail -n 1 <<<"${out%%;*}")
[ $rc -eq 0 ] && ok "sbatch --wait --array=0-2 slurm/batch_array.sh: exit 0 (job $jid)" || bad "array job exit $rc: $out"
states=$(sacct -n -X -j "$jid" -o State 2>/dev/null | sort | uniq -c | tr -s ' ')
[ -z "$states" ] && states=$(for t in 0 1 2; do job_state "${jid}_$t"; done | sort | uniq -c | tr -s ' ')
grep -q "3 COMPLETED" <<<"$states" && ok "array tasks: $states" || bad "array task states: $states"
for t in 0 1 2; do
    [ -s "$W/all.part-$t-of-3.h5" ] && ok "task $t wrote all.part-$t-of-3.h5 ($("$BIN/test_results_check" count "$W/all.part-$t-of-3.h5") videos)" \
        || bad "no part $t"
done
n=$("$BIN/test_results_check" count "$W/all.h5" 2>/dev/null)
u=$("$BIN/vidclass-results" export "$W/all.h5" --table videos | tail -n +2 | cut -d, -f2 | sort -u | wc -l)
[ "$n" = 9 ] && [ "$u" = 9 ] && ok "merged all.h5: 9 distinct videos" || bad "merged: ${n:-no} videos, $u distinct"
finish
