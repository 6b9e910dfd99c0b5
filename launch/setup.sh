#!/usr/bin/env bash
# One-step set-up on a fresh Debian 12 machine: installs the missing Debian packages
# (launch/packages.txt), configures and builds with every core, and (unless --no-data) converts
# Fashion-MNIST into HDF5 shards under data/. Idempotent: run again, it only does an incremental
# build (and the conversion reports "nothing to do"). --programs builds only the stage programs
# and mu-campaign (the target mu-programs), not the tests and benchmarks: about half the compile.
#
#   launch/setup.sh [--no-data] [--programs]
# Environment: BUILD_DIR (default build), DATA_DIR (default data), BUILD_TYPE (default Release).
# Release keeps the two-core compile of LibTorch code short; RelWithDebInfo adds debug info.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
data_dir=${DATA_DIR:-$root/data}
with_data=1
targets=()
for argument in "$@"; do
  case "$argument" in
    --no-data) with_data=0 ;;
    --programs) targets=(--target mu-programs) ;;
    *) echo "setup.sh: unknown option '$argument' (valid: --no-data, --programs)" >&2; exit 2 ;;
  esac
done

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

mapfile -t packages < <(grep -vE '^\s*(#|$)' "$root/launch/packages.txt")
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  # Package scripts would start daemons (munge, slurmctld, slurmd) through invoke-rc.d: on a
  # machine without systemd's policy file, forbid that while installing; the tests start their own.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d'
    trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

if [ ! -f "$build_dir/build.ninja" ]; then
  cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}"
fi
cmake --build "$build_dir" -j "$(nproc)" "${targets[@]}"

if [ $with_data -eq 1 ]; then
  "$build_dir/bin/mu-data" convert --format fashion-mnist --out "$data_dir/fashion-mnist"
fi
