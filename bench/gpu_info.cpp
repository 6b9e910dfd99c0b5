// What the GPU build sees on this node, without LibTorch: the CUDA devices, the device this rank
// would take, the NCCL library, and (when a GPU is there) one NCCL all-reduce over the MPI ranks
// checked against the expected sum. Linking it proves the NCCL and device-selection code builds
// against the toolkit (CI); running it on a GPU node is the first smoke test.
//
//   [mpirun -np N] gpu_info        exit 0: printed; 1: a GPU was there and the all-reduce failed

#include <cuda_runtime_api.h>
#include <mpi.h>

#include <cstdio>
#include <exception>
#include <vector>

#include "pipeline/runtime/cuda_check.h"
#include "pipeline/runtime/device_selection.h"
#include "pipeline/runtime/nccl_collectives.h"

namespace {

// Every rank contributes rank + 1 to each element: the sum is n (n + 1) / 2 everywhere.
bool allReduceMatches(int rank, int size) {
  constexpr size_t kCount = 1 << 20;
  mu::NcclCollectives nccl(MPI_COMM_WORLD);
  std::vector<float> host(kCount, static_cast<float>(rank + 1));
  float* device = nullptr;
  mu::checkCuda(cudaMalloc(reinterpret_cast<void**>(&device), kCount * sizeof(float)),
                "cudaMalloc");
  mu::checkCuda(cudaMemcpy(device, host.data(), kCount * sizeof(float), cudaMemcpyHostToDevice),
                "cudaMemcpy");
  nccl.allReduceSum(device, kCount, mu::NcclElement::kFloat32, nullptr);
  mu::checkCuda(cudaMemcpy(host.data(), device, kCount * sizeof(float), cudaMemcpyDeviceToHost),
                "cudaMemcpy");
  mu::checkCuda(cudaFree(device), "cudaFree");
  const auto expected = static_cast<float>(size * (size + 1) / 2);
  for (float value : host) {
    if (value != expected) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int status = 0;
  try {
    const int localRank = mu::nodeLocalRank(MPI_COMM_WORLD);
    const int count = mu::cudaDeviceCount();
    std::printf("gpu-info: rank %d/%d local rank %d: %d CUDA device(s); NCCL %s\n", rank, size,
                localRank, count, mu::ncclLibraryVersion().c_str());
    if (count == 0) {
      std::printf("gpu-info: no CUDA device here: nothing to run (the build links)\n");
    } else {
      const int device = mu::selectCudaDevice(localRank);
      const bool ok = allReduceMatches(rank, size);
      std::printf(
          "gpu-info: rank %d takes device %d: %s; NCCL all-reduce of 4 MiB over %d "
          "rank(s): %s\n",
          rank, device, mu::cudaDeviceDescription(device).c_str(), size, ok ? "correct" : "WRONG");
      status = ok ? 0 : 1;
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "gpu-info: rank %d: error: %s\n", rank, error.what());
    status = 1;
  }
  std::fflush(stdout);
  MPI_Finalize();
  return status;
}
