#!/usr/bin/env bash
# Data-parallel scaling on CPU: mu-train with resnet20s on Fashion-MNIST, one rank x one thread
# against two ranks x one thread on the same global batch (target: >= 1.8x the images/s). The
# figure is mu-train's own training images/s (results.json; evaluation excluded).
#
#   bench/scaling.sh [BUILD_DIR] [DATA_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
data=${2:-$root/data/fashion-mnist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
options="--data $data --arch resnet20s --epochs 1 --batch-size 128 --train-limit 1280
         --augment none --rewind-epoch 0 --threads 1 --quiet"
rate() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['images_per_second'])" "$1"; }
one=()
two=()
for round in 1 2; do
  "$build/bin/mu-train" $options --run-dir "$work/one-$round" >/dev/null
  mpirun -np 2 --oversubscribe "$build/bin/mu-train" $options --run-dir "$work/two-$round" >/dev/null
  one+=("$(rate "$work/one-$round/results.json")")
  two+=("$(rate "$work/two-$round/results.json")")
  echo "round $round: 1 rank ${one[-1]} images/s, 2 ranks ${two[-1]} images/s"
done
/usr/bin/python3 "$root/bench/compare_medians.py" \
  "summary: resnet20s batch 128, 1 thread per rank: 2 ranks {a:.1f} images/s, 1 rank {b:.1f} images/s, speed-up {ratio:.2f}x (target >= 1.8x)" \
  "${two[@]}" "${one[@]}"
