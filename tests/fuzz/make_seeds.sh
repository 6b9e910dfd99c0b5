#!/usr/bin/env bash
# Regenerates the seed corpora corpus/<harness>/seed-* (the committed ones came from this): tiny,
# valid inputs made by the project's own writers (fuzz_seeds, mu-data convert, the shipped specs
# and site example, mu-train's checkpoints), joined into multi-file inputs with the part separator of fuzz_input.h, and
# data/stage_descriptions.json, the stage programs' --describe answers.
# Inputs that once found a bug (corpus/<harness>/regression-*) are kept. Run it after a format
# changes, then commit the corpus; the fuzz_replay_* tests replay it.
#
#   tests/fuzz/make_seeds.sh [BUILD_DIR]     (a normal build: fuzz_seeds and the programs are built)
# PROGRAMS_DIR: the stage programs and mu-campaign of another build of the same code (default
# BUILD_DIR/bin, built first), for their --describe answers, mu-data convert and the expansion.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
corpus=$root/tests/fuzz/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${PROGRAMS_DIR:-}" ]; then
  cmake --build "$build" --target fuzz_seeds
  programs=$(cd "$PROGRAMS_DIR" && pwd)
else
  cmake --build "$build" --target fuzz_seeds mu-programs
  programs=$build/bin
fi
# The stage programs' descriptions the campaign_spec harness checks specs against, by stage name.
{
  separator='{'
  for entry in "data:mu-data convert" train:mu-train prune:mu-prune unlearn:mu-unlearn \
    evaluate:mu-evaluate transfer:mu-transfer; do
    printf '%s\n"%s": ' "$separator" "${entry%%:*}"
    # shellcheck disable=SC2086
    "$programs/"${entry#*:} --describe
    separator=','
  done
  printf '}\n'
} > "$root/tests/fuzz/data/stage_descriptions.json"
"$build/bin/fuzz_seeds" "$work/seeds"
s=$work/seeds
sep=$'\n=part=\n'
# join OUT FILE...: the files as one input, parts in order; "-" is an absent part (empty).
join() {
  local out=$1 first=1
  shift
  mkdir -p "$(dirname "$out")"
  : > "$out"
  for file in "$@"; do
    [ $first -eq 1 ] || printf '%s' "$sep" >> "$out"
    first=0
    [ "$file" = - ] || cat "$file" >> "$out"
  done
}
text() { local file=$work/text-$RANDOM; printf '%s' "$1" > "$file"; echo "$file"; }

find "$corpus" -name 'seed-*' -delete 2>/dev/null || true
join "$corpus/idx/seed-plain" "$s/idx/train-images-idx3-ubyte" "$s/idx/train-labels-idx1-ubyte" \
  "$s/idx/t10k-images-idx3-ubyte" "$s/idx/t10k-labels-idx1-ubyte"
join "$corpus/idx/seed-gzip" "$s/idx-gz/train-images-idx3-ubyte.gz" \
  "$s/idx/train-labels-idx1-ubyte" "$s/idx/t10k-images-idx3-ubyte" "$s/idx/t10k-labels-idx1-ubyte"
names10=$(text $'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n')
names100=$(text "$(seq -f 'class%g' 1 100)")
r10=$s/cifar10/record.bin r100=$s/cifar100/record.bin
join "$corpus/cifar/seed-cifar10" "$r10" "$r10" "$r10" "$r10" "$r10" "$r10" "$names10"
join "$corpus/cifar/seed-cifar100" "$r100" - - - - "$r100" "$names100"
join "$corpus/svhn/seed-v5" "$s/svhn/v5.mat" "$s/svhn/v5-zlib.mat"
join "$corpus/svhn/seed-v73" "$s/svhn/v73.mat" "$s/svhn/v73.mat"
for image in "$s"/images/*; do join "$corpus/image_file/seed-$(basename "$image")" "$image"; done
join "$corpus/image_tree/seed-imagefolder" \
  "$(text $'train/cat/a.jpg\ntrain/cat/sub/b.JPEG\ntrain/dog/c.png\nval/cat/d.jpg\nval/dog/e.jpg\n')"
join "$corpus/image_tree/seed-tinyimagenet" \
  "$(text $'train/n01/images/n01_0.JPEG\ntrain/n02/images/n02_0.JPEG\nval/images/val_0.JPEG\nval/images/val_1.JPEG\n')" \
  "$(text $'n02\nn01\n')" "$(text $'val_0.JPEG\tn01\t0\t0\t63\t63\nval_1.JPEG\tn02\t1\t2\t3\t4\n')"
join "$corpus/image_tree/seed-imagenet-flat" \
  "$(text $'train/n01/x.JPEG\ntrain/n02/y.JPEG\nval/ILSVRC2012_val_00000001.JPEG\n')" - - \
  "$(text $'ImageId,PredictionString\nILSVRC2012_val_00000001,n02 1 2 3 4\n')"

# Datasets as the real converter writes them: raw pixels (IDX) and JPEG files (an ImageFolder).
mkdir -p "$work/mnist"
cp "$s"/idx/*-ubyte "$work/mnist/"
"$programs/mu-data" convert --format mnist --source "$work/mnist" --out "$work/raw" \
  --shard-size 4 > /dev/null
"$programs/mu-data" convert --format imagefolder --source "$s/tree" --out "$work/jpeg" \
  --shard-size 1 > /dev/null
for kind in raw jpeg; do
  d=$work/$kind
  join "$corpus/shards/seed-$kind" "$d/manifest.json" "$d/train-00000.h5" \
    "$( [ -f "$d/train-00001.h5" ] && echo "$d/train-00001.h5" || echo -)" - \
    "$(ls "$d"/split-seed1*.h5 2>/dev/null | head -1 || echo -)"
  join "$corpus/dataset_manifest/seed-$kind" "$d/manifest.json"
done
# Checkpoints as mu-train writes them: tinycnn on the raw dataset (the harness's model).
"$programs/mu-train" --data "$work/raw" --run-dir "$work/run" --arch tinycnn --epochs 1 \
  --batch-size 2 --rewind-epoch 0 --threads 1 --quiet > /dev/null
for checkpoint in "$work"/run/*.h5; do
  join "$corpus/checkpoint/seed-$(basename "$checkpoint" .h5)" "$checkpoint"
done
join "$corpus/forget_ids/seed-ids" "$(text $'# forget these\n3\n 5 \n\n7 # the last\n')" \
  "$(text '{"dataset": "fuzz", "mode": "ids", "forget_class": [0, 2], "count": 0, "seed": 2,
"ids_file": "forget_ids.txt", "split_seed": 1, "val_fraction": 0.1, "whole_class": false,
"forget_ids": [3, 5, 7], "retain_ids": [0, 1, 2, 4, 6], "val_ids": [60, 61]}')"
for spec in "$root"/launch/campaigns/*.json; do
  join "$corpus/campaign_spec/seed-$(basename "$spec" .json)" "$spec"
done
"$programs/mu-campaign" expand "$root/launch/campaigns/fashion-mnist-default.json" \
  --root "$work/campaign" > /dev/null
join "$corpus/campaign_manifest/seed-default" "$work/campaign/manifest.jsonl"
join "$corpus/slurm_site/seed-example" "$root/Slurm/site.example.json"
join "$corpus/config_file/seed-options" \
  "$(text $'# mu-train options\ndata = data/fashion-mnist\nepochs = 3\nseed = 7\nlr = 0.05\nlr-schedule = cosine\nquiet = true\nthreads = 2\n')"
du -sh "$corpus"
