#!/usr/bin/env bash
# Runs a GoogleTest binary on N real MPI ranks and fails unless every rank reports that it ran
# and passed. As root, mpirun without the allow-run-as-root variables prints a warning and exits
# 0 having run nothing; checking each rank's own line is what makes this test able to fail.
# The binary must print "MU-RANK <rank>/<size> PASSED" on each rank when all its tests pass
# (tests/support/mpi_test_main.h does).
set -uo pipefail
ranks=$1
shift
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
timeout 600 mpirun -np "$ranks" --oversubscribe "$@" >"$log" 2>&1
rc=$?
cat "$log"
if [ $rc -ne 0 ]; then
  echo "run_mpi_test: mpirun exited with $rc" >&2
  exit 1
fi
for ((r = 0; r < ranks; r++)); do
  if ! grep -q "^MU-RANK $r/$ranks PASSED" "$log"; then
    echo "run_mpi_test: rank $r of $ranks did not report PASSED" >&2
    exit 1
  fi
done
echo "run_mpi_test: all $ranks ranks ran and passed"
