#!/usr/bin/env bash
# Issue 17's loader figures, in one run on this machine (medians; compare only within a run):
#  - conversion images/s of generated ImageNet-like JPEGs (~500x375, quality 90), 1 and 2 ranks;
#  - decode + RandomResizedCrop(224) + flip images/s per core: ours (bench_loader, 1 decoder
#    thread) against torchvision's ImageFolder + DataLoader (Debian's python3-torchvision);
#  - shard reads, concatenated bytes against HDF5 variable-length data;
#  - peak resident memory of a 2-rank training epoch over 20 000 generated images.
# usage: bench/loader_bench.sh [WORK_DIR]   (BIN=build/bin, IMAGES=2000, RSS_IMAGES=20000)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=${BIN:-build/bin}
WORK=${1:-/tmp/mu-loader-bench}
IMAGES=${IMAGES:-2000}
RSS_IMAGES=${RSS_IMAGES:-20000}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN="mpirun --oversubscribe -np"
if ! /usr/bin/python3 -c "import torchvision" 2> /dev/null; then
  echo "loader_bench.sh: needs Debian's python3-torchvision (apt-get install python3-torchvision)" >&2
  exit 2
fi
rm -rf "$WORK" && mkdir -p "$WORK"

seconds() { local start=$(date +%s.%N); "$@" > /dev/null 2>&1; echo "$(date +%s.%N) - $start" | bc; }

echo "generating $IMAGES ImageNet-like JPEGs..."
/usr/bin/python3 datasets/tools/make_image_tree.py "$WORK/tree" --classes 10 \
  --train-per-class $((IMAGES / 10)) --val-per-class 5 --min-side 375 --max-side 500 --quality 90
for ranks in 1 2; do
  rm -rf "$WORK/data-$ranks"
  s=$(seconds $MPIRUN $ranks "$BIN/mu-data" convert --format imagefolder --source "$WORK/tree" \
        --out "$WORK/data-$ranks" --shard-size 250)
  echo "convert, $ranks rank(s): $(echo "($IMAGES + 50) / $s" | bc) images/s ($s s)"
done

# Both pinned to one core: our decoder thread and the thread that scales batches to float share
# it, as torchvision's decode and ToTensor do.
ours=$(taskset -c 0 "$BIN/bench_loader" --data "$WORK/data-1" --threads 1)
echo "$ours"
theirs=$(taskset -c 0 /usr/bin/python3 bench/torchvision_loader.py "$WORK/tree/train" --images 1280)
echo "$theirs"
rate() { grep -o "$1[^0-9]*[0-9]* images/s" | grep -o '[0-9]* images/s' | cut -d' ' -f1; }
ours_float=$(echo "$ours" | grep '^decode + RandomResizedCrop.*decoder thread' | rate 'thread(s):')
ours_uint8=$(echo "$ours" | grep 'uint8 batches' | rate 'no stream:')
theirs_float=$(echo "$theirs" | rate 'float batches, 1 core:')
theirs_uint8=$(echo "$theirs" | rate 'uint8 batches, 1 core:')
echo "per core, ours / torchvision: $(echo "scale=2; $ours_float / $theirs_float" | bc)x to float" \
  "batches, $(echo "scale=2; $ours_uint8 / $theirs_uint8" | bc)x to uint8 batches"

echo "generating $RSS_IMAGES small JPEGs for the memory figure..."
/usr/bin/python3 datasets/tools/make_image_tree.py "$WORK/many" --classes 10 \
  --train-per-class $((RSS_IMAGES / 10)) --val-per-class 10 --min-side 80 --max-side 200
$MPIRUN 2 "$BIN/mu-data" convert --format imagefolder --source "$WORK/many" --out "$WORK/many-data" \
  --shard-size 2500 > /dev/null
$MPIRUN 2 "$BIN/mu-train" --data "$WORK/many-data" --run-dir "$WORK/many-run" --arch tinycnn \
  --epochs 1 --batch-size 128 --image-size 64 --resize-size 72 --val-fraction 0.01 \
  --rewind-epoch 0 --threads 1 --decode-threads 1 --quiet
/usr/bin/python3 -c "
import json; r = json.load(open('$WORK/many-run/results.json'))
print(f\"2-rank epoch over $RSS_IMAGES images (tinycnn, 64 px): peak resident {r['peak_resident_mb']:.0f} MiB per rank, {r['images_per_second']:.0f} images/s\")"
