#!/usr/bin/env bash
# mu-campaign on a real single-node Slurm cluster (tests/campaign/slurm/slurm_up.sh): a tiny campaign
# (tinycnn, 256 images, two seeds, dense and OMP 50 %, FT and GA on class 0) submitted as sbatch
# job arrays
#  1. runs through training, pruning, unlearning and evaluation to the end, every task starting
#     only after its own parent ended, and reports its table;
#  2. cancelled while training and resubmitted, ends with the same weights as run 1;
#  3. with SIGUSR1 sent to a running training job's batch shell, checkpoints, exits 75, is
#     requeued by its script and completes, again with the same weights;
#  4. GPU variant (stand-in GPU devices): a 2-GPU training task is allocated 2 GPUs and 2 ranks
#     and runs with --device cuda, which this CPU-only build refuses with a clear error that the
#     run tree records; GPU requests the site cannot meet are refused before submission.
#   tests/campaign/slurm/campaign_slurm_test.sh BIN_DIR      (root only; exit 77 = skipped)
set -euo pipefail
bin=$(cd "$1" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "campaign_slurm_test: needs root; skipped"; exit 77; }
work=$(mktemp -d /tmp/mu-slurm-test.XXXXXX)
export SLURM_CI_DIR="$work/cluster"
trap '"$here/slurm_down.sh" "$SLURM_CI_DIR"; rm -rf "$work"' EXIT
started=$(date +%s)
"$here/slurm_up.sh"
# shellcheck disable=SC1091
source "$SLURM_CI_DIR/env"

# The whole pipeline (two seeds, two methods) for run 1; its training and pruning part for the
# interruption runs 2 and 3, which compare their weights with run 1's.
cat >"$work/spec.json" <<'SPEC'
{"name": "slurm-tiny",
 "grid": {"datasets": ["fashion-mnist"], "archs": ["tinycnn"],
          "sparsities": ["dense", {"omp": 0.5}], "forget": [{"class": 0}],
          "methods": [{"name": "ft", "options": {"ft-epochs": 1}},
                      {"name": "ga", "options": {"ga-epochs": 1}}],
          "seeds": [1, 2]},
 "options": {"train": {"epochs": 3, "batch-size": 32, "train-limit": 256, "milestones": [2],
                       "rewind-epoch": 1, "checkpoint-every-steps": 2}},
 "resources": {"default": {"ranks": 1, "threads": 1, "time": "00:10:00"}}}
SPEC
python3 - "$work/spec.json" "$work/spec-prune.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["stop_after"] = "prune"
json.dump(spec, open(sys.argv[2], "w"))
PY
echo '{"throttle": 4, "signal_seconds": 60}' >"$work/site.json"
campaign() { "$bin/mu-campaign" "$@" --bin "$bin"; }
fail() { echo "campaign_slurm_test: FAILED: $*" >&2; squeue >&2 || true; exit 1; }

# Polls until all TASKS tasks of ROOT are done; fails when the queue empties first or on timeout.
wait_done() {
  local root=$1 tasks=${2:-5} deadline=$(($(date +%s) + 300))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if campaign status --root "$root" | grep -q "^$tasks done, 0 running, 0 failed, 0 pending"; then
      return 0
    fi
    if [ -z "$(squeue -h)" ]; then
      sleep 2  # the last job may still be writing its files
      campaign status --root "$root" | grep -q "^$tasks done" && return 0
      campaign status --root "$root" >&2
      cat "$root"/slurm/logs/*.out >&2 || true
      fail "the queue emptied before $root was done"
    fi
    sleep 1
  done
  fail "timeout waiting for $root"
}
wait_file() {
  local file=$1 deadline=$(($(date +%s) + 120))
  until [ -e "$file" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "timeout waiting for $file"
    sleep 0.1
  done
}
wait_queue_empty() {
  local deadline=$(($(date +%s) + 120))
  while [ -n "$(squeue -h)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "jobs did not leave the queue"
    sleep 0.5
  done
}
# Task run folders in manifest order: data, train seed 1, train seed 2, prune seed 1, prune seed 2.
run_dirs() { python3 -c 'import json,sys; [print(json.loads(l)["run_dir"]) for l in open(sys.argv[1])]' "$1/manifest.jsonl"; }

# Every task's first start is after its parent's last end (the attempts files of the run tree).
check_dependencies() {
  python3 - "$1" <<'PY'
import json, sys
root = sys.argv[1]
tasks = [json.loads(line) for line in open(root + "/manifest.jsonl")]
by_hash = {t["hash"]: t for t in tasks}
def attempts(task):
    lines = open(f'{task["state_dir"]}/{task["stage"]}.attempts').read().split("\n")
    return [l.split() for l in lines if l]
for task in tasks:
    for parent in task["parents"]:
        start = min(int(a[1]) for a in attempts(task) if a[0] == "start")
        end = max(int(a[1]) for a in attempts(by_hash[parent]) if a[0] == "end")
        assert start >= end, f'{task["stage"]} {task["hash"]} started {start} before its parent ended {end}'
print("dependencies honoured for", len(tasks), "tasks")
PY
}
same_weights() {  # ROOT_A ROOT_B: every train and prune model identical
  local a=$1 b=$2 dir relative model
  for dir in $(run_dirs "$b" | tail -n +2); do
    relative=${dir#"$b"/}
    model=best.h5
    case "$relative" in prune/*) model=round-1/best.h5 ;; esac
    h5diff "$a/$relative/$model" "$dir/$model" /params /params ||
      fail "$relative/$model differs from the uninterrupted run"
  done
  echo "same weights as the uninterrupted run: $b"
}

echo "== 1. whole campaign through sbatch: train, prune, unlearn, evaluate, report"
a="$work/a"
campaign slurm "$work/spec.json" --root "$a" --site "$work/site.json"
[ "$(grep -c '"name"' "$a/slurm/submissions.jsonl")" -ge 1 ] || fail "no submission recorded"
# 1 data + 2 train + 2 prune + 8 unlearn + 8 evaluate
wait_done "$a" 21
check_dependencies "$a"
ls "$a/slurm/logs" | grep -Eq '^slurm-tiny-train-0_[0-9]+_1\.out$' || fail "no %x_%A_%a log names"
campaign slurm "$work/spec.json" --root "$a" --site "$work/site.json" | grep -q "nothing to submit" ||
  fail "a finished campaign was submitted again"
campaign report --root "$a" >"$work/report.txt" || { cat "$work/report.txt" >&2; fail "no report"; }
for row in '| FT | dense |' '| FT | 50% sparse |' '| GA | dense |' '| GA | 50% sparse |'; do
  grep -qF "$row" "$work/report.txt" || { cat "$work/report.txt" >&2; fail "no report row $row"; }
done
[ -s "$a/report/table.csv" ] && [ -s "$a/report/metrics.svg" ] || fail "no CSV or SVG report"

echo "== 2. cancelled while training, then resubmitted"
b="$work/b"
campaign slurm "$work/spec-prune.json" --root "$b" --site "$work/site.json"
train_b=$(run_dirs "$b" | sed -n 2p)
wait_file "$train_b/last.h5"
scancel $(squeue -h -o %A)
wait_queue_empty
if campaign status --root "$b" | grep -q '^5 done'; then fail "cancelling came too late"; fi
campaign slurm "$work/spec-prune.json" --root "$b" --site "$work/site.json"
wait_done "$b"
check_dependencies "$b"
same_weights "$a" "$b"

echo "== 3. USR1 to a training job: checkpoint, exit 75, requeue, completion"
c="$work/c"
campaign slurm "$work/spec-prune.json" --root "$c" --site "$work/site.json"
train_c=$(run_dirs "$c" | sed -n 2p)
state_c=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[1])["state_dir"])' \
  "$c/manifest.jsonl")
wait_file "$train_c/last.h5"
job=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"])' \
  "$state_c/train.running.json")
scancel --signal=USR1 --batch "$job"
deadline=$(($(date +%s) + 120))
until grep -q '^end [0-9]* 75$' "$state_c/train.attempts"; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "USR1 did not stop the training with 75"
  sleep 0.2
done
# Slurm holds a requeued job for about two minutes (EligibleTime); release it once the old
# step's PMIx socket is gone (a new step 0 of the same job id cannot bind it before).
numeric=$(scontrol show job "$job" | grep -o 'JobId=[0-9]*' | head -1 | cut -d= -f2)
for _ in $(seq 300); do
  [ -e "$SLURM_CI_DIR/spool/stepd.slurm.pmix.$numeric.0" ] || break
  sleep 0.1
done
sleep 1
scontrol update JobId="$job" StartTime=now
wait_done "$c"
grep -q '^end [0-9]* 75$' "$state_c/train.attempts" ||
  { cat "$state_c/train.attempts" >&2; fail "USR1 did not stop the training with 75"; }
[ "$(grep -c '^start' "$state_c/train.attempts")" -ge 2 ] || fail "the job was not requeued"
scontrol show job "$job" | grep -q 'Restarts=[1-9]' || fail "Slurm saw no requeue of job $job"
check_dependencies "$c"
same_weights "$a" "$c"
echo "== 4. GPU variant: one rank per GPU on stand-in GPU devices"
gpu_spec() {  # TRAIN_RESOURCES
  cat <<SPEC
{"name": "slurm-gpu", "stop_after": "train",
 "grid": {"datasets": ["fashion-mnist"], "archs": ["tinycnn"], "sparsities": ["dense"],
          "forget": [{"class": 0}], "methods": ["ft"], "seeds": [1]},
 "options": {"train": {"epochs": 1, "rewind-epoch": 1, "batch-size": 32, "train-limit": 64}},
 "resources": {"default": {"ranks": 1, "threads": 1, "time": "00:10:00"}, "train": $1}}
SPEC
}
gpu_spec '{"ranks": 2, "gpus": 2}' >"$work/gpu.json"
echo '{"throttle": 4, "signal_seconds": 60, "gpus_per_node": 2}' >"$work/gpu-site.json"
g="$work/g"
campaign slurm "$work/gpu.json" --root "$g" --site "$work/gpu-site.json" --dry-run >"$work/gpu-dry.txt"
grep -q '^#SBATCH --gpus-per-node=2$' "$work/gpu-dry.txt" || fail "no --gpus-per-node=2 line"
grep -q '^#SBATCH --ntasks=2$' "$work/gpu-dry.txt" || fail "not one rank per GPU"
grep -q -- "'--device' 'cuda'\|--device cuda" "$work/gpu-dry.txt" || fail "the stage has no --device cuda"
gpu_spec '{"ranks": 3, "gpus": 3}' >"$work/gpu3.json"
if campaign slurm "$work/gpu3.json" --root "$work/g3" --site "$work/gpu-site.json" 2>"$work/gpu3.err"; then
  fail "3 GPUs on a 2-GPU node were submitted"
fi
grep -q 'resources.train.gpus' "$work/gpu3.err" || fail "the refusal does not name the key: $(cat "$work/gpu3.err")"
gpu_spec '{"ranks": 1, "gpus": 2}' >"$work/gpu-ranks.json"
if campaign slurm "$work/gpu-ranks.json" --root "$work/g4" --site "$work/gpu-site.json" 2>"$work/gpu-ranks.err"; then
  fail "1 rank for 2 GPUs was submitted"
fi
grep -q 'one rank per GPU' "$work/gpu-ranks.err" || fail "no one-rank-per-GPU error: $(cat "$work/gpu-ranks.err")"
[ ! -e "$work/g3" ] && [ ! -e "$work/g4" ] || fail "a refused spec left a run tree"
campaign slurm "$work/gpu.json" --root "$g" --site "$work/gpu-site.json"
deadline=$(($(date +%s) + 180))
# status exits non-zero while a task has failed, so its text is read apart from its exit code.
until { campaign status --root "$g" || true; } | grep -q '^1 done, 0 running, 1 failed'; do
  [ "$(date +%s)" -lt "$deadline" ] || { campaign status --root "$g" >&2; fail "the GPU task did not end"; }
  sleep 1
done
gpu_log=$(ls "$g"/slurm/logs/slurm-gpu-train-*.out)
grep -q 'mu-campaign: GPUs 0,1 for 2 rank(s)' "$gpu_log" || { cat "$gpu_log" >&2; fail "the job saw no 2 GPUs"; }
grep -q -- '--device cuda: this build has no CUDA' "$gpu_log" || { cat "$gpu_log" >&2; fail "no clear CUDA error"; }
grep -q '"exit_code"' "$g"/campaign/*/train.failed.json 2>/dev/null ||
  find "$g" -name train.failed.json | grep -q . || fail "the failure was not recorded in the run tree"
echo "campaign_slurm_test: passed in $(($(date +%s) - started)) s"
