#include "pipeline/runtime/nccl_collectives.h"

#include <exception>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/runtime/cuda_check.h"
#include "pipeline/runtime/mpi_check.h"

namespace mu {
namespace {

ncclDataType_t ncclTypeOf(NcclElement element) {
  return element == NcclElement::kBFloat16 ? ncclBfloat16 : ncclFloat32;
}

}  // namespace

void checkNccl(ncclResult_t code, const char* call) {
  if (code == ncclSuccess) return;
  throw SystemError(std::string(call) + " failed: " + ncclGetErrorString(code) +
                    " (set NCCL_DEBUG=WARN or INFO for NCCL's own account)");
}

std::string ncclLibraryVersion() {
  int version = 0;
  checkNccl(ncclGetVersion(&version), "ncclGetVersion");
  // NCCL >= 2.9 encodes major*10000 + minor*100 + patch.
  return std::to_string(version / 10000) + "." + std::to_string(version / 100 % 100) + "." +
         std::to_string(version % 100);
}

NcclCollectives::NcclCollectives(MPI_Comm comm, std::chrono::seconds timeout) {
  checkMpi(MPI_Comm_rank(comm, &rank_), "MPI_Comm_rank");
  checkMpi(MPI_Comm_size(comm, &size_), "MPI_Comm_size");
  checkCuda(cudaGetDevice(&device_), "cudaGetDevice");
  ncclUniqueId id{};
  if (rank_ == 0) checkNccl(ncclGetUniqueId(&id), "ncclGetUniqueId");
  checkMpi(MPI_Bcast(&id, static_cast<int>(sizeof id), MPI_BYTE, 0, comm),
           "MPI_Bcast(ncclUniqueId)");
  checkNccl(ncclCommInitRank(&comm_, size_, id, rank_), "ncclCommInitRank");
  int worldRank = rank_;
  MPI_Comm_rank(MPI_COMM_WORLD, &worldRank);  // what the launcher's messages call this rank
  watchdog_ = std::make_unique<NcclWatchdog>(comm_, worldRank, device_, timeout);
}

NcclCollectives::~NcclCollectives() {
  if (comm_ == nullptr) return;
  // Unwinding from an error (this rank's own, on its way to MPI_Abort): the peers may never run
  // the collectives still pending here, and ncclCommDestroy would wait for them forever.
  // ncclCommAbort stops them instead. A destructor cannot report, so results are not checked.
  if (std::uncaught_exceptions() > 0) {
    watchdog_.reset();
    ncclCommAbort(comm_);
    return;
  }
  // Otherwise pending work finishes first, under the watchdog, then the communicator goes.
  watchdog_->waitForAll();
  watchdog_.reset();
  ncclCommDestroy(comm_);
}

void NcclCollectives::allReduceSum(void* data, size_t count, NcclElement element,
                                   cudaStream_t stream) {
  checkNccl(ncclAllReduce(data, data, count, ncclTypeOf(element), ncclSum, comm_, stream),
            "ncclAllReduce");
  watchdog_->track(stream, "ncclAllReduce");
}

void NcclCollectives::broadcast(void* data, size_t bytes, int root, cudaStream_t stream) {
  if (root < 0 || root >= size_) {
    throw std::invalid_argument("NcclCollectives::broadcast: root " + std::to_string(root) +
                                " is not a rank of " + std::to_string(size_));
  }
  checkNccl(ncclBroadcast(data, data, bytes, ncclUint8, root, comm_, stream), "ncclBroadcast");
  watchdog_->track(stream, "ncclBroadcast");
}

}  // namespace mu
