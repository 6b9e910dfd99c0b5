#!/usr/bin/env bash
# Fuzzes every parser that reads outside bytes (tests/fuzz, docs/fuzzing.md): configures and
# builds the clang tree (MU_FUZZ=ON: libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer) when
# it is missing or stale, then runs each harness for SECONDS, starting from its committed corpus
# (tests/fuzz/corpus/<harness>) and from what earlier runs added: new inputs go to BUILD_DIR/corpus/
# <harness>, never into the tree, and are kept, so each run goes on where the last one stopped.
# Prints per harness its executions, executions per second and crashes, and a summary line;
# exits 1 when any harness crashed, leaked, hung on an input or ran out of memory. Each finding's
# input is kept in FINDINGS (default BUILD_DIR/findings): replay it with
# `BUILD_DIR/bin/fuzz_<harness> FILE`, fix the parser, add a regression test, and copy the input
# to tests/fuzz/corpus/<harness>/regression-<what>.
#
#   bench/fuzz.sh [--smoke] [--ci] [SECONDS_PER_HARNESS]
# SECONDS_PER_HARNESS: default 60, --smoke 5. --ci: only the harnesses registered CI in
# tests/fuzz/CMakeLists.txt, whose parsers compile in seconds under clang (the LibTorch and
# campaign code would take CI minutes; the fuzz_replay_* tests replay every corpus through every
# harness in the normal build).
# Environment: BUILD_DIR (default build-fuzz), FUZZ_ONLY (harness names: only those), FINDINGS,
# FUZZ_JOBS (build jobs, default nproc), FUZZ_RSS_MB (per harness, default 2048), FUZZ_TIMEOUT
# (seconds an input may take, default 10), FUZZ_RUNS (executions after which a harness stops
# before its time is up: `FUZZ_RUNS=1000000 bench/fuzz.sh 3600` runs each to a million).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ci=0
arguments=()
for argument in "$@"; do
  case "$argument" in
    --ci) ci=1 ;;
    *) arguments+=("$argument") ;;
  esac
done
. "$root/bench/smoke_arguments.sh" "${arguments[@]+"${arguments[@]}"}"
seconds=${positional[0]:-60}
[ $smoke -eq 1 ] && seconds=${positional[0]:-5}
build=${BUILD_DIR:-$root/build-fuzz}
findings=${FINDINGS:-$build/findings}
rss_mb=${FUZZ_RSS_MB:-2048}
input_timeout=${FUZZ_TIMEOUT:-10}
runs_limit=()
[ -n "${FUZZ_RUNS:-}" ] && runs_limit=(-runs="$FUZZ_RUNS")
work=$(mktemp -d)
# The harnesses' scratch files, on tmpfs; a crashed harness leaves its folder here.
MU_FUZZ_SCRATCH=$(mktemp -d /dev/shm/mu-fuzz-run.XXXXXX 2>/dev/null || mktemp -d)
export MU_FUZZ_SCRATCH
trap 'rm -rf "$work" "$MU_FUZZ_SCRATCH"' EXIT

build_start=$SECONDS
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMU_FUZZ=ON \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 > /dev/null
fi
target=fuzz_all
[ $ci -eq 1 ] && target=fuzz_ci
if [ -n "${FUZZ_ONLY:-}" ]; then
  read -r -a harnesses <<< "$FUZZ_ONLY"
  cmake --build "$build" -j "${FUZZ_JOBS:-$(nproc)}" --target "${harnesses[@]/#/fuzz_}"
else
  cmake --build "$build" -j "${FUZZ_JOBS:-$(nproc)}" --target "$target"
  # The harnesses the target holds, as CMake registered them (tests/fuzz/CMakeLists.txt).
  mapfile -t harnesses < <(sed -n 's/^fuzz_\([a-z_]*\)$/\1/p' "$build/$target.txt")
fi
echo "fuzz: built ${FUZZ_ONLY:-$target} in $((SECONDS - build_start)) s"
[ ${#harnesses[@]} -gt 0 ] || { echo "fuzz: no harness in $target" >&2; exit 1; }

mkdir -p "$findings"
# Third-party leaks that are not ours to fix (tests/fuzz/lsan.supp says which and why).
export LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
total=0 least=-1 crashed=()
for name in "${harnesses[@]}"; do
  mkdir -p "$build/corpus/$name"
  log=$work/$name.log
  start=$SECONDS rc=0
  # Leaks after every input, or only at exit (LEAKS_AT_EXIT in tests/fuzz/CMakeLists.txt).
  leaks=(-detect_leaks=1)
  grep -qx "fuzz_$name" "$build/fuzz_leaks_at_exit.txt" 2>/dev/null && leaks=(-detect_leaks=0)
  # -dict: the part separator of multi-file inputs; a leak is a finding (LeakSanitizer reports
  # at exit what -detect_leaks=0 does not look for after each input).
  "$build/bin/fuzz_$name" -max_total_time="$seconds" "${runs_limit[@]+"${runs_limit[@]}"}" \
    -rss_limit_mb="$rss_mb" -timeout="$input_timeout" -print_final_stats=1 "${leaks[@]}" \
    -dict="$root/tests/fuzz/parts.dict" \
    -artifact_prefix="$findings/$name-" "$build/corpus/$name" "$root/tests/fuzz/corpus/$name" \
    > "$log" 2>&1 || rc=$?
  elapsed=$((SECONDS - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  runs=${runs:-0}
  total=$((total + runs))
  if [ "$least" -lt 0 ] || [ "$runs" -lt "$least" ]; then least=$runs; fi
  if [ $rc -ne 0 ]; then
    crashed+=("$name")
    grep -E 'ERROR|SUMMARY|Test unit written|runtime error|terminate called|what\(\)' "$log" |
      head -20 || true
  fi
  echo "fuzz_$name: $runs executions in $elapsed s ($((runs / (elapsed > 0 ? elapsed : 1)))/s)," \
    "$([ $rc -ne 0 ] && echo 1 || echo 0) crashes (exit $rc)"
done
echo "summary: ${#harnesses[@]} harnesses, $seconds s each, $total executions" \
  "(fewest $least), ${#crashed[@]} crashed${crashed[*]:+: ${crashed[*]}}"
[ ${#crashed[@]} -eq 0 ]
