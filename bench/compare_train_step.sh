#!/usr/bin/env bash
# Training steps of ResNet-18 (batch 128) and resnet20s (batch 256) on CIFAR shapes, 2 threads:
# our LibTorch loop (bench_train_step: batch assembly, forward, backward, gradient buckets, masked
# SGD), in the default layout and channels-last, against PyTorch eager on the same machine and
# LibTorch version (Debian's python3-torch 1.13.1), alternating the three so that machine noise
# hits all. Prints each round, then per model the medians and the ratio of our faster layout to
# PyTorch (targets: >= 1.3 on ResNet-18, >= 1.5 on resnet20s), and where our step's time goes
# (bench_train_step --profile).
#
#   bench/compare_train_step.sh [--smoke] [BUILD_DIR]   (installs python3-torch when missing)
# --smoke: one round of one batch of 8 per side and model, seconds (CI's bench_smoke_test).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/smoke_arguments.sh"
build=${positional[0]:-$root/build}
. "$root/bench/pytorch_side.sh"
declare -A batch=([resnet18]=128 [resnet20s]=256) steps=([resnet18]=3 [resnet20s]=6)
declare -A target=([resnet18]=1.3 [resnet20s]=1.5)
rounds=(1 2 3)
if [ $smoke -eq 1 ]; then
  batch=([resnet18]=8 [resnet20s]=8)
  steps=([resnet18]=1 [resnet20s]=1)
  rounds=(1)
fi
for arch in resnet18 resnet20s; do
  common=(--arch "$arch" --batch "${batch[$arch]}" --threads 2 --steps "${steps[$arch]}")
  ours=()
  ours_nhwc=()
  theirs=()
  for round in "${rounds[@]}"; do
    ours+=("$("$build/bin/bench_train_step" "${common[@]}" --rounds 1 |
      figure images_per_second bench_train_step)")
    ours_nhwc+=("$("$build/bin/bench_train_step" "${common[@]}" --rounds 1 --channels-last |
      figure images_per_second bench_train_step)")
    theirs+=("$(/usr/bin/python3 "$root/bench/pytorch_train_step.py" "${common[@]}" --rounds 1 |
      figure images_per_second pytorch_train_step.py)")
    echo "$arch round $round: ours ${ours[-1]} images/s (channels-last ${ours_nhwc[-1]})," \
      "pytorch eager ${theirs[-1]} images/s"
  done
  "$build/bin/bench_train_step" "${common[@]}" --rounds 1 --profile | grep '^summary'
  read -r contiguous nhwc <<<"$(/usr/bin/python3 "$root/bench/compare_medians.py" "{a:.1f} {b:.1f}" \
    "${ours[@]}" "${ours_nhwc[@]}")"
  echo "$arch medians: ours $contiguous images/s, channels-last $nhwc images/s"
  best=("${ours[@]}")
  if awk "BEGIN { exit !($nhwc > $contiguous) }"; then best=("${ours_nhwc[@]}"); fi
  /usr/bin/python3 "$root/bench/compare_medians.py" \
    "summary: $arch train step, batch ${batch[$arch]}, 2 threads: ours (faster layout) {a:.1f} images/s, pytorch eager {b:.1f} images/s, ratio {ratio:.2f} (target >= ${target[$arch]})" \
    "${best[@]}" "${theirs[@]}"
done
