#!/usr/bin/env bash
# Random-moment kills: a 2-rank mu-train run (STAGE=unlearn: mu-unlearn FT of a small trained
# model) that checkpoints after every step is killed with SIGKILL at KILLS random moments, one
# fresh run per kill (one rank, drawn at random, is killed; mpirun then ends the other), rerun
# with the same command to completion, and its final weights (mu-train: last.h5 parameters,
# buffers, momentum and best.h5 parameters; mu-unlearn: last.h5 parameters and momentum,
# unlearned.h5 parameters and buffers) compared tensor by tensor with h5diff against an
# uninterrupted run's. A kill "landed in a checkpoint write" when it left a
# half-written temporary file (<file>.tmp-<pid>-<n>) behind: checkpoints are written under such a
# name and renamed into place when complete, and the rerun removes what a kill left. Each kill
# counts as survived when the rerun exits 0, every tensor is bit-identical and no half-written
# file is left; the summary line gives the kills survived, the largest element difference seen,
# the kills that landed in checkpoint writes and the half-written files left after the reruns.
# Target: every kill survived, difference 0, none left.
#
#   [STAGE=train|unlearn] bench/kill_sweep.sh [--smoke] [BUILD_DIR]
# KILLS=N overrides the count, SEED the draws. 20 kills: 10 to 15 minutes on two busy cores;
# --smoke: 2 kills of a one-epoch run on two classes, about 20 s on idle cores.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/smoke_arguments.sh"
. "$root/bench/stage_programs.sh"
kills=${KILLS:-20}
epochs=3 classes=() limit=1024
if [ $smoke -eq 1 ]; then  # two classes load and evaluate in a fraction of the time
  kills=${KILLS:-2}
  epochs=1 classes=(--classes 0,1) limit=256
fi
RANDOM=${SEED:-1}
stage=${STAGE:-train}
"$bin/mu-data" convert --format fashion-mnist "${classes[@]}" --out "$work/data" > /dev/null
case "$stage" in
  train)
    program=(mpirun --oversubscribe -np 2 "$bin/mu-train" --data "$work/data" --arch tinycnn
             --epochs "$epochs" --batch-size 64 --train-limit "$limit" --lr 0.1 --rewind-epoch 1
             --checkpoint-every-steps 1 --threads 1 --quiet)
    checks=("last.h5 /params" "last.h5 /buffers" "last.h5 /optimizer" "best.h5 /params") ;;
  unlearn)
    "$bin/mu-train" --data "$work/data" --run-dir "$work/original" --arch tinycnn --epochs 1 \
      --batch-size 64 --train-limit 1536 --rewind-epoch 0 --threads 1 --quiet > /dev/null
    program=(mpirun --oversubscribe -np 2 "$bin/mu-unlearn" --data "$work/data"
             --original "$work/original/best.h5" --method ft --ft-epochs "$epochs"
             --forget random --forget-count 300 --batch-size 128 --checkpoint-every-steps 1
             --threads 1 --quiet)
    checks=("last.h5 /params" "last.h5 /optimizer" "unlearned.h5 /params" "unlearned.h5 /buffers") ;;
  *) echo "kill_sweep: STAGE=$stage: expected train or unlearn" >&2; exit 2 ;;
esac

# The uninterrupted run, timed: the kills are drawn over its length.
start=$(date +%s%N)
"${program[@]}" --run-dir "$work/reference" > "$work/reference.log" 2>&1 ||
  { cat "$work/reference.log"; exit 1; }
run_ms=$((($(date +%s%N) - start) / 1000000))
echo "uninterrupted $stage run: ${run_ms} ms"

# largest_difference A B GROUP: prints the largest |a - b| over GROUP's tensors (0 when
# identical); h5diff exits 1 when any element differs, 2 when it cannot compare.
largest_difference() {
  local rc=0 report
  report=$(h5diff -r "$1" "$2" "$3") || rc=$?
  if [ $rc -ge 2 ] || ! grep -q 'differences found' <<< "$report"; then
    echo "h5diff cannot compare $3 of $1 and $2: $report" >&2
    return 1
  fi
  awk '/^\[/ { d = $NF < 0 ? -$NF : $NF; if (d > m) m = d } END { print m + 0 }' <<< "$report"
}

# Every check on the reference's own files must be able to fail: the model it started from and
# the one it ended with differ.
first=$work/reference/init.h5
if [ "$stage" = unlearn ]; then first=$work/original/best.h5; fi
if [ "$(largest_difference "$first" "$work/reference/last.h5" /params)" = 0 ]; then
  echo "kill_sweep: the comparison finds no difference between $first and last.h5" >&2
  exit 1
fi

# rank_pid MPIRUN_PID RANK: the process of that world rank of the mpirun (by its environment).
rank_pid() {
  local pid
  for pid in $(pgrep -P "$1" || true); do
    if grep -qxz "OMPI_COMM_WORLD_RANK=$2" "/proc/$pid/environ" 2> /dev/null; then echo "$pid"; fi
  done
}

survived=0 in_writes=0 largest=0 early=0 kill=0 left_after=0
while [ $kill -lt "$kills" ]; do
  run=$work/run-$((kill + 1))
  rm -rf "$run"
  # Odd kills: one rank at a random moment. Even kills: rank 0 (the writer) as soon as it has
  # started a checkpoint file after a random delay, to land inside the write.
  delay_ms=$((run_ms / 10 + RANDOM % (run_ms * 6 / 10)))
  rank=$((RANDOM % 2)) in_write=$((kill % 2))
  [ $in_write -eq 1 ] && rank=0
  "${program[@]}" --run-dir "$run" > "$work/killed.log" 2>&1 &
  mpirun_pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  target=$(rank_pid "$mpirun_pid" "$rank")
  if [ $in_write -eq 1 ]; then  # builtins only from here to the kill: a write takes milliseconds
    while kill -0 "$mpirun_pid" 2> /dev/null && ! compgen -G "$run/*.tmp-*" > /dev/null; do :; done
  fi
  [ -n "$target" ] && kill -KILL "$target" 2> /dev/null || true
  wait "$mpirun_pid" && rc_kill=0 || rc_kill=$?
  if [ $rc_kill -eq 0 ]; then  # finished before its kill (a busy machine's timing): redraw
    early=$((early + 1))
    [ $early -gt "$kills" ] && { echo "kill_sweep: runs keep ending before their kill" >&2; exit 1; }
    continue
  fi
  kill=$((kill + 1))
  leftovers=0  # a kill before the run folder exists leaves none
  if [ -d "$run" ]; then leftovers=$(find "$run" -name '*.tmp-*' | wc -l); fi
  if [ "$leftovers" -gt 0 ]; then in_writes=$((in_writes + 1)); fi
  rc=0
  "${program[@]}" --run-dir "$run" > "$work/rerun.log" 2>&1 || rc=$?
  verdict="rerun exit $rc"
  # The rerun removes what the kill left half-written (removeAbandonedTemporaries).
  remaining=$(find "$run" -name '*.tmp-*' | wc -l)
  left_after=$((left_after + remaining))
  if [ $rc -eq 0 ]; then
    difference=0
    for check in "${checks[@]}"; do
      read -r file group <<< "$check"
      value=$(largest_difference "$work/reference/$file" "$run/$file" "$group")
      difference=$(awk -v a="$difference" -v b="$value" 'BEGIN { print (b > a ? b : a) }')
    done
    largest=$(awk -v a="$largest" -v b="$difference" 'BEGIN { print (b > a ? b : a) }')
    verdict="largest difference $difference, $remaining half-written file(s) after the rerun"
    if [ "$difference" = 0 ] && [ "$remaining" -eq 0 ]; then survived=$((survived + 1)); fi
  else
    tail -n 3 "$work/rerun.log"
  fi
  echo "kill $kill: rank $rank at ${delay_ms} ms$([ $in_write -eq 1 ] && echo ' + next write')" \
    "(mpirun exit $rc_kill), $leftovers half-written file(s) left; $verdict"
done

echo "summary: $stage: $survived of $kills kills survived (rerun completed, weights bit-identical)," \
  "largest weight difference $largest, $in_writes kill(s) landed in checkpoint writes," \
  "$early run(s) ended before their kill and were redrawn, $left_after half-written file(s) left" \
  "after the reruns"
[ "$survived" -eq "$kills" ]
