#!/usr/bin/env bash
# The one GPU check (issue 8), for a machine with a CUDA GPU and a PyTorch install: builds the
# GPU targets against PyTorch's LibTorch (torch.utils.cmake_prefix_path) with the CUDA toolkit
# and NCCL, then runs the GPU tests, gpu_info (NCCL all-reduce smoke test), two single-rank NCCL
# mu-train runs (eager and --cuda-graphs) on a small generated IDX data set, and ResNet-18 (CIFAR
# shapes) training throughput, ours (eager and CUDA graphs) against PyTorch eager on the same
# model, batch and precision. Ends with ONE summary block. About 5-8 minutes on one H200.
#
#   bench/gpu_check.sh [--deps DIR] [--build DIR] [--batch N] [--steps N]
#
# --deps DIR: Debian packages for what the machine lacks (MPI, HDF5, Boost, GoogleTest, JSON,
# matio, libsvm, pkgconf), as made by bench/gpu_deps.sh: DIR/root (unpacked with dpkg -x), or
# DIR/debs (unpacked here into DIR/root, or $TMPDIR when DIR is read-only). Never over /.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=""
build="$root/build-gpu"
batch=256
steps=40
while [ $# -gt 0 ]; do
  case "$1" in
    --deps) deps=$(cd "$2" && pwd); shift 2 ;;
    --build) build=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    *) echo "gpu_check: unknown option '$1'" >&2; exit 2 ;;
  esac
done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 NCCL_DEBUG=${NCCL_DEBUG:-WARN}
summary=()
note() { summary+=("$*"); echo "gpu_check: $*"; }
started=$(date +%s)
elapsed() { echo "$(($(date +%s) - started))s"; }

# --- PyTorch, its LibTorch, NCCL and the CUDA compiler ---------------------------------------
python=""
for candidate in python3 /opt/torch/.venv/bin/python3 python; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch' 2>/dev/null; then
    python=$(command -v "$candidate")
    break
  fi
done
[ -n "$python" ] || { echo "gpu_check: no python with torch found" >&2; exit 1; }
torch_prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
torch_version=$("$python" -c 'import torch; print(torch.__version__, "cuda", torch.version.cuda)')
# The NCCL that PyTorch loads (pip's nvidia-nccl), so one NCCL serves LibTorch and us.
nccl_root=$("$python" -c 'import nvidia.nccl, os; print(list(nvidia.nccl.__path__)[0])' 2>/dev/null ||
  true)
cudnn_root=$("$python" -c 'import nvidia.cudnn; print(list(nvidia.cudnn.__path__)[0])' 2>/dev/null ||
  true)
nvcc=$(command -v nvcc || ls /usr/local/cuda/bin/nvcc 2>/dev/null || true)
[ -n "$nvcc" ] || { echo "gpu_check: no nvcc (CUDA toolkit) found" >&2; exit 1; }
note "torch $torch_version ($python); nvcc $("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/\1/p'); NCCL from ${nccl_root:-the toolkit}"

# --- Debian packages unpacked into a folder ------------------------------------------------------
cmake_deps=()
if [ -n "$deps" ]; then
  tree="$deps/root"
  if [ ! -d "$tree/usr" ]; then
    [ -w "$deps" ] || tree="${TMPDIR:-/tmp}/mu-gpu-deps"
    mkdir -p "$tree"
    for deb in "$deps"/debs/*.deb; do dpkg -x "$deb" "$tree"; done
  fi
  usr="$tree/usr"
  lib="$usr/lib/x86_64-linux-gnu"
  # Open MPI finds its wrappers' data, components (mca) and help files under OPAL_PREFIX.
  export OPAL_PREFIX="$usr"
  export PATH="$usr/bin:$PATH"
  # pkg-config files say prefix=/usr: the sysroot puts the folder in front of their paths.
  export PKG_CONFIG_SYSROOT_DIR="$tree" PKG_CONFIG_LIBDIR="$lib/pkgconfig:$usr/share/pkgconfig"
  deps_libs="$lib:$lib/openmpi/lib:$lib/hdf5/serial"
  cmake_deps=(-DMPI_CXX_COMPILER="$usr/bin/mpicxx.openmpi" -DPKG_CONFIG_EXECUTABLE="$usr/bin/pkgconf"
    -DMPIEXEC_EXECUTABLE="$usr/bin/mpirun.openmpi")
  prefix_path="$torch_prefix;$usr"
  mpirun="$usr/bin/mpirun.openmpi"
else
  deps_libs=""
  prefix_path="$torch_prefix"
  mpirun=$(command -v mpirun || true)
fi
# Our programs get the unpacked libraries; python keeps the machine's own.
ours() { LD_LIBRARY_PATH="$deps_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"; }

# --- Build ------------------------------------------------------------------------------------
cuda_root=$(dirname "$(dirname "$(readlink -f "$nvcc")")")
[ -n "$cudnn_root" ] && export CUDNN_ROOT="$cudnn_root" CUDNN_INCLUDE_DIR="$cudnn_root/include" \
  CUDNN_LIBRARY="$(ls "$cudnn_root"/lib/libcudnn.so* 2>/dev/null | head -1)"
if ! cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DMU_WITH_CUDA=ON -DMU_WITH_NCCL=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DTORCH_CUDA_ARCH_LIST=9.0 \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DCUDAToolkit_ROOT="$cuda_root" ${nccl_root:+-DNCCL_ROOT="$nccl_root"} \
  -DCMAKE_PREFIX_PATH="$prefix_path" -DMU_USE_TCMALLOC=OFF "${cmake_deps[@]}" \
  >"$build.configure.log" 2>&1; then
  tail -40 "$build.configure.log"
  echo "gpu_check: configure failed (full log: $build.configure.log)" >&2
  exit 1
fi
grep -E "CUDA toolkit|NCCL|MU_WITH|Skipping" "$build.configure.log"
targets=(gpu_test gpu_info bench_gpu_train mu-train mu-data)
if ! cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >"$build.build.log" 2>&1; then
  grep -E "error|Error" "$build.build.log" | head -40
  echo "gpu_check: build failed (full log: $build.build.log)" >&2
  exit 1
fi
note "build (${targets[*]}): ok at $(elapsed)"
bin="$build/bin"

# --- GPU tests and the NCCL smoke test ---------------------------------------------------------
ours "$bin/gpu_info" | tee "$build.gpu_info.log"
note "$(grep -h "takes device" "$build.gpu_info.log" || echo "gpu_info: FAILED (see above)")"
ours "$bin/gpu_test" >"$build.gpu_test.log" 2>&1
tests_status=$?
grep -E "^\[  (PASSED|FAILED|SKIPPED) |^\[ *(OK|FAILED|SKIPPED) \]|skipped" "$build.gpu_test.log"
note "gpu_test, 1 rank: $([ $tests_status -eq 0 ] && echo passed || echo FAILED) ($(grep -c '^\[       OK' "$build.gpu_test.log") ok, $(grep -c '^\[  SKIPPED' "$build.gpu_test.log") skipped, $(grep -c '^\[  FAILED  \] [A-Z]' "$build.gpu_test.log") failed)"
if [ -n "$mpirun" ]; then
  # Two ranks on one GPU: NCCL refuses two ranks on one device, so this runs only with 2 GPUs.
  gpus=$("$python" -c 'import torch; print(torch.cuda.device_count())')
  if [ "$gpus" -ge 2 ]; then
    ours "$mpirun" -np 2 "$bin/gpu_test" >"$build.gpu_test2.log" 2>&1
    note "gpu_test, 2 ranks: $([ $? -eq 0 ] && echo passed || echo FAILED)"
  fi
fi

# --- Single-rank NCCL runs of mu-train on a small generated IDX set -------------------------------
data="$build/check-data"
rm -rf "$data"
mkdir -p "$data/idx"
"$python" - "$data/idx" <<'PY'
import struct, sys, numpy as np
rng = np.random.default_rng(0)
def write(name, array, magic):
    with open(f"{sys.argv[1]}/{name}", "wb") as out:
        out.write(struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in array.shape))
        out.write(array.astype(np.uint8).tobytes())
for prefix, count in (("train", 3000), ("t10k", 1000)):
    labels = rng.integers(0, 10, count)
    # Learnable: each class brightens its own band of rows.
    images = rng.integers(0, 96, (count, 28, 28))
    for i, label in enumerate(labels):
        images[i, label * 2:label * 2 + 8, :] += 150
    write(f"{prefix}-images-idx3-ubyte", images, 0x803)
    write(f"{prefix}-labels-idx1-ubyte", labels, 0x801)
PY
ours "$bin/mu-data" convert --format fashion-mnist --source "$data/idx" --out "$data/fmnist" >/dev/null
# Eager, then with --cuda-graphs: the same options otherwise, so the summaries can be compared.
for graphs in "" --cuda-graphs; do
  run="$build/check-run${graphs:+-graphs}"
  rm -rf "$run"
  if ours "$bin/mu-train" --data "$data/fmnist" --run-dir "$run" --arch resnet20s --epochs 2 \
    --batch-size 128 --lr 0.05 --milestones 1 --rewind-epoch 1 --device cuda $graphs \
    --quiet >"$run.log" 2>&1; then
    note "mu-train --device cuda ${graphs:+$graphs }(1 rank, NCCL): $(tail -1 "$run.log")"
    grep -q "\"device\": *\"cuda" "$run/results.json" ||
      note "mu-train ${graphs}: results.json names no CUDA device"
  else
    tail -5 "$run.log"
    note "mu-train --device cuda ${graphs}: FAILED ($(tail -1 "$run.log"))"
  fi
done

# --- Throughput: ours (no communicator; NCCL on one rank) and PyTorch eager ----------------------
rate() { sed -n 's/.*images_per_second=\([0-9.]*\).*/\1/p' | tail -1; }
# Ours: eager and with --cuda-graphs, each without a communicator and with NCCL on one rank.
bench_ours() {
  ours "$bin/bench_gpu_train" --channels-last 1 --cudnn-benchmark 1 "$@" 2>&1 | grep RESULT
}
bench_torch() {
  "$python" "$root/bench/pytorch_train_step.py" --device cuda --threads 4 --channels-last \
    --cudnn-benchmark "$@" 2>&1 | grep RESULT
}
for amp in none bf16; do
  rates=()
  for variant in "none 0" "nccl 0" "none 1" "nccl 1"; do
    read -r comm graphs <<<"$variant"
    line=$(bench_ours --batch "$batch" --steps "$steps" --amp "$amp" --comm "$comm" \
      --cuda-graphs "$graphs")
    echo "$line"
    rates+=("$(echo "$line" | rate)")
  done
  torch_line=$(bench_torch --batch "$batch" --steps "$steps" --amp "$amp")
  echo "$torch_line"
  precision=$([ "$amp" = none ] && echo fp32 || echo "bf16 autocast")
  ratios=$("$python" -c "
import sys
a, n, g, gn, t = (float(x) if x else float('nan') for x in sys.argv[1:6])
step = lambda rate: 1e3 * $batch / rate
print(f'pytorch {t:.0f} img/s; ours eager {a:.0f} (+NCCL {n:.0f}), ratio {a / t:.2f}; '
      f'ours --cuda-graphs {g:.0f} (+NCCL {gn:.0f}), ratio {g / t:.2f} (target >= 1.2); '
      f'NCCL step vs none: eager {100 * (step(n) / step(a) - 1):+.1f} %, '
      f'graphs {100 * (step(gn) / step(g) - 1):+.1f} % (target <= 3 %)')
" "${rates[@]}" "$(echo "$torch_line" | rate)")
  note "resnet18 3x32x32 batch $batch $precision, channels-last + cudnn.benchmark: $ratios"
done
# A 4x larger batch spreads each step's fixed host costs (launches, Python) over 4x the images:
# if the ratio moves towards 1 there, the batch-$batch gap is per-step overhead, not kernels.
big=$((4 * batch))
big_steps=$(((steps + 3) / 4))
ours_big=$(bench_ours --batch "$big" --steps "$big_steps" --comm none)
torch_big=$(bench_torch --batch "$big" --steps "$big_steps")
echo "$ours_big"; echo "$torch_big"
note "resnet18 batch $big fp32 (per-step overhead amortised): $("$python" -c "
import sys
a, t = (float(x) if x else float('nan') for x in sys.argv[1:3])
print(f'ours {a:.0f} img/s, pytorch {t:.0f} img/s, ratio {a / t:.2f}')
" "$(echo "$ours_big" | rate)" "$(echo "$torch_big" | rate)")"

echo
echo "================ GPU check summary ================"
echo "machine: $("$python" -c 'import torch; p = torch.cuda.get_device_properties(0); print(p.name, f"{p.total_memory / 2**30:.0f} GiB")' 2>/dev/null || echo unknown), $(nproc) cores; total $(elapsed)"
for line in "${summary[@]}"; do echo "- $line"; done
echo "==================================================="
