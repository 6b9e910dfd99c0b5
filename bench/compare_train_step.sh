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
. "$root/bench/pytorch_side.sh"
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
ours=()
theirs=()
for round in "${rounds[@]}"; do
  ours+=("$("$build/bin/bench_train_step" "${ours_options[@]}" |
    figure images_per_second bench_train_step)")
  theirs+=("$(/usr/bin/python3 "$root/bench/pytorch_train_step.py" "${theirs_options[@]}" |
    figure images_per_second pytorch_train_step.py)")
  echo "round $round: ours ${ours[-1]} images/s, pytorch ${theirs[-1]} images/s"
done
/usr/bin/python3 "$root/bench/compare_medians.py" \
  "summary: resnet18 train step, batch $batch, 2 threads: ours {a:.1f} images/s, pytorch {b:.1f} images/s, ratio {ratio:.2f} (target > 1)" \
  "${ours[@]}" "${theirs[@]}"
