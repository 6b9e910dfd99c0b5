#!/usr/bin/env bash
# README's test command: set up what is missing (packages, build) and run the whole test suite.
# Every service the tests need (MPI ranks) is started and stopped by the tests themselves.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
"$root/launch/setup.sh" --no-data
cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" "$@"
