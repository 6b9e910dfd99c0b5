#!/usr/bin/env bash
# Data-parallel scaling on CPU: mu-train with resnet20s on Fashion-MNIST, one rank x one thread
# against two ranks x one thread on the same global batch (target: >= 1.8x the images/s). The
# figure is mu-train's own training images/s (results.json; evaluation excluded).
#
#   bench/scaling.sh [--smoke] [BUILD_DIR] [DATA_DIR]
# --smoke: one round of 128 images in batches of 32, seconds (CI's bench_smoke_test runs it);
# without DATA_DIR it converts classes 0 and 1 of Debian's Fashion-MNIST into its work folder,
# so it needs no data/ (CI converts none).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/smoke_arguments.sh"
. "$root/bench/stage_programs.sh"
data=${positional[1]:-}
batch=128
options="--epochs 1 --batch-size $batch --train-limit 1280 --augment none --rewind-epoch 0
         --threads 1 --quiet"
rounds=(1 2)
if [ $smoke -eq 1 ]; then
  batch=32
  options="--epochs 1 --batch-size $batch --train-limit 128 --val-fraction 0.01 --augment none
           --rewind-epoch 0 --threads 1 --quiet"
  rounds=(1)
  if [ -z "$data" ]; then
    data=$work/fashion-mnist
    "$build/bin/mu-data" convert --format fashion-mnist --classes 0,1 --out "$data" >/dev/null
  fi
fi
data=${data:-$root/data/fashion-mnist}
options="--data $data --arch resnet20s $options"
# results.json is the proof that a run happened: mpirun as root without the variables above
# exits 0 having run nothing, and then this fails on the missing file.
rate() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['images_per_second'])" "$1"; }
one=()
two=()
for round in "${rounds[@]}"; do
  "$build/bin/mu-train" $options --run-dir "$work/one-$round" >/dev/null
  mpirun -np 2 --oversubscribe "$build/bin/mu-train" $options --run-dir "$work/two-$round" >/dev/null
  one+=("$(rate "$work/one-$round/results.json")")
  two+=("$(rate "$work/two-$round/results.json")")
  echo "round $round: 1 rank ${one[-1]} images/s, 2 ranks ${two[-1]} images/s"
done
/usr/bin/python3 "$root/bench/compare_medians.py" \
  "summary: resnet20s batch $batch, 1 thread per rank: 2 ranks {a:.1f} images/s, 1 rank {b:.1f} images/s, speed-up {ratio:.2f}x (target >= 1.8x)" \
  "${two[@]}" "${one[@]}"
