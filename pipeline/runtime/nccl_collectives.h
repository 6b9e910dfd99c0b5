#pragma once
// NCCL collectives on raw device pointers, torch-free: a communicator over the ranks of an MPI
// communicator (NCCL's unique id travels from rank 0 by MPI_Bcast), and in-place sums and
// broadcasts enqueued on a caller's stream. NcclCommunicator hands LibTorch's tensors and streams
// to it; CI builds it against the CUDA toolkit even where LibTorch has no CUDA.

#include <cuda_runtime_api.h>
#include <mpi.h>
#include <nccl.h>

#include <cstddef>
#include <memory>
#include <string>

#include "pipeline/runtime/nccl_watchdog.h"

namespace mu {

// Throws SystemError("<call> failed: <NCCL description>") unless `code` is ncclSuccess.
void checkNccl(ncclResult_t code, const char* call);

// "2.28.3": the NCCL library actually loaded (may differ from the header's).
std::string ncclLibraryVersion();

enum class NcclElement { kFloat32, kBFloat16 };

class NcclCollectives {
 public:
  // Collective over `comm`: every rank calls it with its own device already current
  // (selectCudaDevice). Rank 0 creates the unique id; MPI_Bcast gives it to the others. Every
  // collective is followed by a watchdog (nccl_watchdog.h): one unfinished after `timeout` ends
  // the process, so a lost peer cannot hang this rank.
  explicit NcclCollectives(MPI_Comm comm, std::chrono::seconds timeout = ncclTimeout());
  ~NcclCollectives();
  NcclCollectives(const NcclCollectives&) = delete;
  NcclCollectives& operator=(const NcclCollectives&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  int device() const { return device_; }

  // Enqueue on `stream`; the host does not wait. Every rank must enqueue the same collectives in
  // the same order with the same counts.
  void allReduceSum(void* data, size_t count, NcclElement element, cudaStream_t stream);
  void broadcast(void* data, size_t bytes, int root, cudaStream_t stream);

 private:
  ncclComm_t comm_ = nullptr;
  int rank_ = 0;
  int size_ = 1;
  int device_ = 0;
  std::unique_ptr<NcclWatchdog> watchdog_;
};

}  // namespace mu
