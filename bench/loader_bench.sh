#!/usr/bin/env bash
# Issue 17's loader figures, in one run on this machine (medians; compare only within a run):
#  - conversion images/s of generated ImageNet-like JPEGs (~500x375, quality 90), 1 and 2 ranks;
#  - decode + RandomResizedCrop(224) + flip images/s per core: ours (bench_loader, 1 decoder
#    thread) against torchvision's ImageFolder + DataLoader (Debian's python3-torchvision);
#  - shard reads, concatenated bytes against HDF5 variable-length data;
#  - peak resident memory of a 2-rank training epoch over 20 000 generated images.
# Ends with one summary: line.
# usage: bench/loader_bench.sh [--smoke] [WORK_DIR]   (BIN=build/bin, IMAGES=2000, RSS_IMAGES=20000)
# --smoke: every step on 40 and 200 images with the timings cut to one pass, seconds (CI's
# bench_smoke_test runs it).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. bench/smoke_arguments.sh
BIN=${BIN:-build/bin}
WORK=${positional[0]:-/tmp/mu-loader-bench}
IMAGES=${IMAGES:-2000}
RSS_IMAGES=${RSS_IMAGES:-20000}
loader_options=(--threads 1)
torchvision_options=(--images 1280)
rss_batch=128
if [ $smoke -eq 1 ]; then
  IMAGES=40
  RSS_IMAGES=200
  loader_options=(--threads 1 --smoke)
  torchvision_options=(--images 16 --batch-size 8 --repeats 1)
  rss_batch=32
fi
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN="mpirun --oversubscribe -np"
if ! /usr/bin/python3 -c "import torchvision" 2> /dev/null; then
  echo "loader_bench.sh: needs Debian's python3-torchvision (apt-get install python3-torchvision)" >&2
  exit 2
fi
rm -rf "$WORK" && mkdir -p "$WORK"

# Seconds the command takes; its output goes to a log that is shown when it fails.
seconds() {
  local start
  start=$(date +%s.%N)
  if ! "$@" > "$WORK/command.log" 2>&1; then
    cat "$WORK/command.log" >&2
    return 1
  fi
  echo "$(date +%s.%N) - $start" | bc
}

echo "generating $IMAGES ImageNet-like JPEGs..."
/usr/bin/python3 datasets/tools/make_image_tree.py "$WORK/tree" --classes 10 \
  --train-per-class $((IMAGES / 10)) --val-per-class 5 --min-side 375 --max-side 500 --quality 90
convert_rates=()
for ranks in 1 2; do
  rm -rf "$WORK/data-$ranks"
  s=$(seconds $MPIRUN $ranks "$BIN/mu-data" convert --format imagefolder --source "$WORK/tree" \
        --out "$WORK/data-$ranks" --shard-size 250)
  # The manifest is the proof that the conversion ran (mpirun can exit 0 having run nothing).
  [ -f "$WORK/data-$ranks/manifest.json" ] || { echo "loader_bench.sh: no manifest in $WORK/data-$ranks" >&2; exit 1; }
  convert_rates+=("$(echo "($IMAGES + 50) / $s" | bc)")
  echo "convert, $ranks rank(s): ${convert_rates[-1]} images/s ($s s)"
done

# Both pinned to one core: our decoder thread and the thread that scales batches to float share
# it, as torchvision's decode and ToTensor do.
ours=$(taskset -c 0 "$BIN/bench_loader" --data "$WORK/data-1" "${loader_options[@]}")
echo "$ours"
theirs=$(taskset -c 0 /usr/bin/python3 bench/torchvision_loader.py "$WORK/tree/train" \
  "${torchvision_options[@]}")
echo "$theirs"
rate() { grep -o "$1[^0-9]*[0-9]* images/s" | grep -o '[0-9]* images/s' | cut -d' ' -f1; }
ours_float=$(echo "$ours" | grep '^decode + RandomResizedCrop.*decoder thread' | rate 'thread(s):')
ours_uint8=$(echo "$ours" | grep 'uint8 batches' | rate 'no stream:')
theirs_float=$(echo "$theirs" | rate 'float batches, 1 core:')
theirs_uint8=$(echo "$theirs" | rate 'uint8 batches, 1 core:')
float_ratio=$(echo "scale=2; $ours_float / $theirs_float" | bc)
uint8_ratio=$(echo "scale=2; $ours_uint8 / $theirs_uint8" | bc)
echo "per core, ours / torchvision: ${float_ratio}x to float batches, ${uint8_ratio}x to uint8 batches"

echo "generating $RSS_IMAGES small JPEGs for the memory figure..."
/usr/bin/python3 datasets/tools/make_image_tree.py "$WORK/many" --classes 10 \
  --train-per-class $((RSS_IMAGES / 10)) --val-per-class 10 --min-side 80 --max-side 200
$MPIRUN 2 "$BIN/mu-data" convert --format imagefolder --source "$WORK/many" --out "$WORK/many-data" \
  --shard-size 2500 > /dev/null
$MPIRUN 2 "$BIN/mu-train" --data "$WORK/many-data" --run-dir "$WORK/many-run" --arch tinycnn \
  --epochs 1 --batch-size $rss_batch --image-size 64 --resize-size 72 --val-fraction 0.01 \
  --rewind-epoch 0 --threads 1 --decode-threads 1 --quiet
peak=$(/usr/bin/python3 -c "
import json; r = json.load(open('$WORK/many-run/results.json'))
print(f\"{r['peak_resident_mb']:.0f} MiB per rank, {r['images_per_second']:.0f} images/s\")")
echo "2-rank epoch over $RSS_IMAGES images (tinycnn, 64 px): peak resident $peak"
echo "summary: convert ${convert_rates[0]} images/s on 1 rank, ${convert_rates[1]} on 2;" \
  "decode+RRC+flip per core ${float_ratio}x torchvision to float batches (target >= 3x)," \
  "${uint8_ratio}x to uint8; 2-rank epoch over $RSS_IMAGES images: peak resident $peak"
