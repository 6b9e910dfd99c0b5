#!/usr/bin/env bash
# ResNet-18 training steps (batch 128, 3x32x32, 2 threads): our LibTorch loop against PyTorch
# eager on the same machine and LibTorch version (Debian's python3-torch 1.13.1), measured in one
# run, alternating the two so that machine noise hits both. Prints each median and the ratio.
#
#   bench/compare_train_step.sh [--smoke] [BUILD_DIR]   (installs python3-torch when missing)
# --smoke: one round of one batch of 8 on each side, seconds (CI's bench_smoke_test runs it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/smoke_arguments.sh"
build=${positional[0]:-$root/build}
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get install -y -qq --no-install-recommends python3-torch >/dev/null
fi
batch=128
rounds=(1 2)
ours_options=(--arch resnet18 --batch "$batch" --threads 2)
theirs_options=(--batch "$batch" --threads 2)
if [ $smoke -eq 1 ]; then
  batch=8  # bench_train_step --smoke's batch
  rounds=(1)
  ours_options=(--arch resnet18 --threads 2 --smoke)
  theirs_options=(--batch "$batch" --threads 2 --steps 1 --rounds 1)
fi
# A side that prints no figure fails the script here rather than in compare_medians.py.
figure() {
  local value
  value=$(sed -n 's/^RESULT .*images_per_second=//p')
  [ -n "$value" ] || { echo "compare_train_step.sh: $1 printed no RESULT line" >&2; return 1; }
  echo "$value"
}
ours=()
theirs=()
for round in "${rounds[@]}"; do
  ours+=("$("$build/bin/bench_train_step" "${ours_options[@]}" | figure bench_train_step)")
  theirs+=("$(/usr/bin/python3 "$root/bench/pytorch_train_step.py" "${theirs_options[@]}" |
    figure pytorch_train_step.py)")
  echo "round $round: ours ${ours[-1]} images/s, pytorch ${theirs[-1]} images/s"
done
/usr/bin/python3 "$root/bench/compare_medians.py" \
  "summary: resnet18 train step, batch $batch, 2 threads: ours {a:.1f} images/s, pytorch {b:.1f} images/s, ratio {ratio:.2f} (target > 1)" \
  "${ours[@]}" "${theirs[@]}"
