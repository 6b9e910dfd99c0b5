#!/usr/bin/env bash
# README's main command: set up what is missing, then run the main job on the built-in default,
# Fashion-MNIST. Today the job is the data stage (HDF5 shards under data/fashion-mnist); the
# train -> prune -> unlearn -> evaluate stages join it as they land.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/launch/setup.sh"
data_dir=${DATA_DIR:-$root/data}
echo "main: Fashion-MNIST shards in $data_dir/fashion-mnist:"
ls -l "$data_dir/fashion-mnist"
