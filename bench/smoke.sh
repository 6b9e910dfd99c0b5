#!/usr/bin/env bash
# Every benchmark program and script in its seconds-long smoke mode (--smoke: tiny sizes, one
# round, the same code path), so that a broken benchmark fails CI (ctest's bench_smoke_test runs
# this) instead of the next person who needs it. A benchmark fails when it exits non-zero or
# prints no summary line ("summary:" or "SUMMARY ..."): mpirun as root can exit 0 having run
# nothing, and a script can lose its figures on the way. The GPU scripts need a GPU machine: they
# are only syntax-checked here.
#
#   bench/smoke.sh [BUILD_DIR]      (default build; about a minute on two cores)
# No -e: every benchmark runs, and the failures are listed together at the end.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || exit 1
bin=$build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
failures=()

# check NAME COMMAND...: runs one benchmark (at most 5 minutes), shows its output and records a
# failure.
check() {
  local name=$1 log=$work/$1.log start=$SECONDS rc=0
  shift
  echo "==== $name: $*"
  timeout 300 "$@" > "$log" 2>&1 || rc=$?
  cat "$log"
  if [ $rc -ne 0 ]; then
    failures+=("$name (exit $rc)")
  elif ! grep -qiE '^summary[: ]' "$log"; then
    failures+=("$name (no summary line)")
  fi
  echo "==== $name: $((SECONDS - start)) s"
}

check bench_data "$bin/bench_data" --smoke
check bench_prune "$bin/bench_prune" --smoke
check bench_svc "$bin/bench_svc" --smoke
check bench_evaluate "$bin/bench_evaluate" --smoke
check bench_train_step "$bin/bench_train_step" --smoke
check bench_inference "$bin/bench_inference" --smoke
check bench_allreduce mpirun -np 2 --oversubscribe "$bin/bench_allreduce" --smoke
check compare_train_step.sh "$root/bench/compare_train_step.sh" --smoke "$build"
check compare_inference.sh "$root/bench/compare_inference.sh" --smoke "$build"
check scaling.sh "$root/bench/scaling.sh" --smoke "$build"
check whole_ft_run.sh "$root/bench/whole_ft_run.sh" --smoke "$build"
check damage_sweep.sh "$root/bench/damage_sweep.sh" --smoke "$build"
check kill_sweep.sh "$root/bench/kill_sweep.sh" --smoke "$build"
# bench_loader needs a converted JPEG dataset: loader_bench.sh makes one and runs it.
check loader_bench.sh env BIN="$bin" "$root/bench/loader_bench.sh" --smoke "$work/loader"
for script in gpu_check.sh gpu_deps.sh; do
  bash -n "$root/bench/$script" || failures+=("$script (bash -n)")
done

if [ ${#failures[@]} -gt 0 ]; then
  echo "bench_smoke: FAILED: ${failures[*]}" >&2
  exit 1
fi
echo "bench_smoke: every benchmark ran and printed its summary line"
