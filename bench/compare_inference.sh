#!/usr/bin/env bash
# Inference images/s of resnet20s and ResNet-18 (CIFAR shapes, batch 256, 2 threads): the
# pipeline's inference path (bench_inference: the inference copy as every evaluation sets it up)
# against PyTorch eager as the reference evaluates (pytorch_inference.py: eval(), no_grad), on the
# same machine and LibTorch version (Debian's python3-torch 1.13.1), alternating the two so that
# machine noise hits both. Prints each round, then a summary line per model with the medians and
# the ratio (target >= 2).
#
#   bench/compare_inference.sh [--smoke] [BUILD_DIR]   (installs python3-torch when missing)
# --smoke: one round of two batches of 8 on each side, seconds (CI's bench_smoke_test runs it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/smoke_arguments.sh"
build=${positional[0]:-$root/build}
. "$root/bench/pytorch_side.sh"
batch=256
rounds=(1 2 3)
declare -A images=([resnet20s]=2048 [resnet18]=512)
timed=(--rounds 3)
if [ $smoke -eq 1 ]; then
  batch=8
  rounds=(1)
  images=([resnet20s]=16 [resnet18]=16)
  timed=(--rounds 1)
fi
for arch in resnet20s resnet18; do
  common=(--arch "$arch" --batch "$batch" --images "${images[$arch]}" --threads 2 "${timed[@]}")
  ours=()
  theirs=()
  for round in "${rounds[@]}"; do
    ours+=("$("$build/bin/bench_inference" "${common[@]}" --variants chosen |
      grep 'variant=inference' | figure images_per_s bench_inference)")
    theirs+=("$(/usr/bin/python3 "$root/bench/pytorch_inference.py" "${common[@]}" |
      figure images_per_s pytorch_inference.py)")
    echo "$arch round $round: ours ${ours[-1]} images/s, pytorch eager ${theirs[-1]} images/s"
  done
  /usr/bin/python3 "$root/bench/compare_medians.py" \
    "summary: $arch inference, batch $batch, 2 threads: ours {a:.1f} images/s, pytorch eager {b:.1f} images/s, ratio {ratio:.2f} (target >= 2)" \
    "${ours[@]}" "${theirs[@]}"
done
