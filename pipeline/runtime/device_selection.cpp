#include "pipeline/runtime/device_selection.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/runtime/cuda_check.h"
#include "pipeline/runtime/mpi_check.h"

namespace mu {
namespace {

int slurmLocalId() {
  const char* value = std::getenv("SLURM_LOCALID");
  if (value == nullptr || *value == '\0') return 0;
  char* end = nullptr;
  const long id = std::strtol(value, &end, 10);
  if (*end != '\0' || id < 0) {
    throw InputError("SLURM_LOCALID", "value",
                     std::string("expected a non-negative integer, got '") + value + "'");
  }
  return static_cast<int>(id);
}

}  // namespace

int nodeLocalRank(MPI_Comm comm) {
  if (!mpiIsActive()) return slurmLocalId();
  int rank = 0;
  checkMpi(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  MPI_Comm node = MPI_COMM_NULL;
  checkMpi(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node),
           "MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)");
  int localRank = 0;
  checkMpi(MPI_Comm_rank(node, &localRank), "MPI_Comm_rank(node)");
  checkMpi(MPI_Comm_free(&node), "MPI_Comm_free(node)");
  return localRank;
}

int cudaDeviceCount() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver"/"no device" error for later calls
    return 0;
  }
  return count;
}

int selectCudaDevice(int localRank) {
  if (localRank < 0) {
    throw std::invalid_argument("selectCudaDevice: negative local rank " +
                                std::to_string(localRank));
  }
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    cudaGetLastError();
    const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
    throw SystemError(
        std::string("--device cuda: no CUDA device is usable on this node (") +
        (status != cudaSuccess
             ? std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status)
             : std::string("the driver reports 0 devices")) +
        (visible != nullptr ? std::string("; CUDA_VISIBLE_DEVICES='") + visible + "'" : "") +
        "); run with --device cpu or on a GPU node");
  }
  const int device = localRank % count;
  checkCuda(cudaSetDevice(device), "cudaSetDevice");
  return device;
}

std::string cudaDeviceDescription(int device) {
  cudaDeviceProp properties{};
  checkCuda(cudaGetDeviceProperties(&properties, device), "cudaGetDeviceProperties");
  char text[320];
  std::snprintf(text, sizeof text, "%s (sm_%d%d, %.1f GiB)", properties.name, properties.major,
                properties.minor,
                static_cast<double>(properties.totalGlobalMem) / (1024.0 * 1024.0 * 1024.0));
  return text;
}

}  // namespace mu
