#!/usr/bin/env bash
# Damaged HDF5 files are named, never crash a program: a checkpoint, a data shard and a validation
# split file written by the real programs get one byte of their metadata flipped (xor 255) at a
# time, at offsets spread evenly over it (bench/metadata_offsets.py), and a program reads each
# damaged copy: `mu-checkpoint export` the checkpoint, `mu-train` a dataset folder holding the
# shard or the split file. Each read counts as: read (exit 0: the byte was unused, or a value
# still in range), damaged (exit 2 naming the file as damaged), refused (exit 2 naming the file
# for another reason: a flipped character of a stored name), or other (any other exit, a crash
# >= 128 or a hang). Target: no other.
#
#   bench/damage_sweep.sh [--smoke] [BUILD_DIR]
# About 120 flips a file (about 12 minutes on two busy cores); --smoke: 3 a file, seconds.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/bench/smoke_arguments.sh"
. "$root/bench/stage_programs.sh"
flips=120
[ $smoke -eq 1 ] && flips=3
train="--arch tinycnn --epochs 1 --batch-size 64 --train-limit 64 --rewind-epoch 0 --threads 1
       --quiet"

"$bin/mu-data" convert --format fashion-mnist --classes 0,1 --shard-size 4000 \
  --out "$work/data" > /dev/null
# shellcheck disable=SC2086
"$bin/mu-train" --data "$work/data" --run-dir "$work/run" $train > /dev/null

# read_checkpoint FILE / read_data FILE: the program reading the damaged FILE (a hang stops after
# two minutes, exit 124).
read_checkpoint() { timeout 120 "$bin/mu-checkpoint" export --from "$1" --out "$work/export.pth"; }
read_data() {
  rm -rf "$work/run-damaged"
  # shellcheck disable=SC2086
  timeout 120 "$bin/mu-train" --data "$(dirname "$1")" --run-dir "$work/run-damaged" $train
}

# damaged_copy SOURCE: a folder holding SOURCE's folder, with SOURCE itself copied (the others
# linked) so that it can be damaged; prints the copy's path.
damaged_copy() {
  rm -rf "$work/damaged" && mkdir "$work/damaged"
  for file in "$(dirname "$1")"/*; do ln -s "$file" "$work/damaged/"; done
  rm "$work/damaged/$(basename "$1")"
  cp "$1" "$work/damaged/"
  echo "$work/damaged/$(basename "$1")"
}

# flip FILE OFFSET: xor 255 of the byte at OFFSET.
flip() {
  local byte
  byte=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf '%b' "\\$(printf '%03o' $((byte ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

total_read=0 total_damaged=0 total_refused=0 total_other=0
# sweep LABEL FILE READER: flips FILE's metadata one byte at a time and counts the READER's exits.
sweep() {
  local label=$1 source=$2 reader=$3 read=0 damaged=0 refused=0 other=0 offset copy rc output
  for offset in $(/usr/bin/python3 "$root/bench/metadata_offsets.py" "$source" $flips); do
    copy=$(damaged_copy "$source")
    flip "$copy" "$offset"
    rc=0
    output=$("$reader" "$copy" 2>&1) || rc=$?
    if [ $rc -eq 0 ]; then
      read=$((read + 1))
    elif [ $rc -eq 2 ] && [[ $output == *"$copy"*"damaged or not written by this program"* ]]; then
      damaged=$((damaged + 1))
    elif [ $rc -eq 2 ] && [[ $output == *"$copy"* ]]; then
      refused=$((refused + 1))
    else
      other=$((other + 1))
      echo "  $label offset $offset: exit $rc: $(tail -n 1 <<< "$output")"
    fi
  done
  echo "$label ($(stat -c %s "$source") bytes): $((read + damaged + refused + other)) flips:" \
    "$read read, $damaged damaged, $refused refused, $other other"
  total_read=$((total_read + read)) total_damaged=$((total_damaged + damaged))
  total_refused=$((total_refused + refused)) total_other=$((total_other + other))
}

sweep checkpoint "$work/run/best.h5" read_checkpoint
sweep shard "$work/data/train-00000.h5" read_data
sweep "split file" "$work/data/split-seed1.h5" read_data
echo "summary: $((total_read + total_damaged + total_refused + total_other)) one-byte metadata" \
  "flips: $total_read read, $total_damaged named damaged (exit 2), $total_refused refused" \
  "otherwise (exit 2), $total_other other (exit 1, crash, hang; target 0)"
