#!/usr/bin/env bash
# ResNet-18 training steps (batch 128, 3x32x32, 2 threads): our LibTorch loop against PyTorch
# eager on the same machine and LibTorch version (Debian's python3-torch 1.13.1), measured in one
# run, alternating the two so that machine noise hits both. Prints each median and the ratio.
#
#   bench/compare_train_step.sh [BUILD_DIR]      (installs python3-torch when it is missing)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get install -y -qq --no-install-recommends python3-torch >/dev/null
fi
ours=()
theirs=()
for round in 1 2; do
  ours+=("$("$build/bin/bench_train_step" --arch resnet18 --batch 128 --threads 2 |
    sed -n 's/.*images_per_second=//p')")
  theirs+=("$(/usr/bin/python3 "$root/bench/pytorch_train_step.py" --batch 128 --threads 2 |
    sed -n 's/.*images_per_second=//p')")
  echo "round $round: ours ${ours[-1]} images/s, pytorch ${theirs[-1]} images/s"
done
/usr/bin/python3 "$root/bench/compare_medians.py" \
  "summary: resnet18 train step, batch 128, 2 threads: ours {a:.1f} images/s, pytorch {b:.1f} images/s, ratio {ratio:.2f} (target > 1)" \
  "${ours[@]}" "${theirs[@]}"
