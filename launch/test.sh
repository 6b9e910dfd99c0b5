#!/usr/bin/env bash
# README's test command: set up what is missing (packages, build) and run the whole test suite.
# Every service the tests need (MPI ranks) is started and stopped by the tests themselves.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
"$root/launch/setup.sh" --no-data

# The GPU code must build where no GPU is, or it rots: a second tree with MU_WITH_CUDA and
# MU_WITH_NCCL against the CUDA toolkit builds the torch-free device code (device selection, NCCL
# collectives) and links gpu_info against libcudart and libnccl, which then reports "no CUDA
# device" and exits 0. Debian's LibTorch has no CUDA libraries but ships their headers, so the
# LibTorch CUDA glue (NcclCommunicator, bench_gpu_train, gpu_test) is compiled there without
# linking (mu_torch_cuda_compile_check); bench/gpu_check.sh builds and runs it on a GPU machine.
cuda_home=${CUDA_HOME:-/usr/local/cuda}
if [ -x "$cuda_home/bin/nvcc" ]; then
  cuda_build_dir=${CUDA_BUILD_DIR:-$root/build-cuda}
  if [ ! -f "$cuda_build_dir/build.ninja" ]; then
    cmake -S "$root" -B "$cuda_build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMU_WITH_CUDA=ON \
      -DMU_WITH_NCCL=ON -DMU_BUILD_TESTS=OFF -DCMAKE_CUDA_COMPILER="$cuda_home/bin/nvcc" \
      -DCMAKE_CUDA_ARCHITECTURES=90 >/dev/null
  fi
  cmake --build "$cuda_build_dir" -j "$(nproc)" --target gpu_info mu_torch_cuda_compile_check
  "$cuda_build_dir/bin/gpu_info"
else
  echo "test: no CUDA toolkit at $cuda_home (set CUDA_HOME): the CUDA/NCCL build is not checked"
fi

cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" "$@"
