#include "pipeline/distributed/mpi_communicator.h"

#include <algorithm>
#include <functional>
#include <limits>

#include "pipeline/runtime/mpi_check.h"

namespace mu {
namespace {

// MPI counts are int: larger transfers go in pieces of at most 2^30 elements.
void forEachChunk(int64_t count, const std::function<void(int64_t offset, int chunk)>& send) {
  constexpr int64_t kMaxChunk = int64_t{1} << 30;
  static_assert(kMaxChunk <= std::numeric_limits<int>::max(), "an MPI count is an int");
  for (int64_t offset = 0; offset < count; offset += kMaxChunk) {
    send(offset, static_cast<int>(std::min(kMaxChunk, count - offset)));
  }
}

void requireCpu(const torch::Tensor& tensor, const char* operation) {
  if (!tensor.device().is_cpu()) {
    throw std::invalid_argument(std::string(operation) +
                                ": MpiCommunicator moves CPU tensors only (use a device backend)");
  }
}

}  // namespace

MpiCommunicator::MpiCommunicator(MPI_Comm comm) {
  checkMpi(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
  checkMpi(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  checkMpi(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
  checkMpi(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

MpiCommunicator::~MpiCommunicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  // A destructor cannot report, and after MPI_Finalize the handle is already gone.
  if (!finalized && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

void MpiCommunicator::allReduceSum(torch::Tensor& flatFloat32) {
  requireFlatFloat32(flatFloat32, "allReduceSum");
  requireCpu(flatFloat32, "allReduceSum");
  float* data = flatFloat32.data_ptr<float>();
  forEachChunk(flatFloat32.numel(), [&](int64_t offset, int chunk) {
    checkMpi(MPI_Allreduce(MPI_IN_PLACE, data + offset, chunk, MPI_FLOAT, MPI_SUM, comm_),
             "MPI_Allreduce(float, sum)");
  });
}

void MpiCommunicator::broadcast(torch::Tensor& tensor, int root) {
  requireRoot(root, "broadcast");
  if (!tensor.defined()) throw std::invalid_argument("broadcast: undefined tensor");
  requireCpu(tensor, "broadcast");
  // By bytes, so every dtype travels the same way; a strided view goes through a contiguous copy.
  torch::Tensor buffer = tensor.is_contiguous() ? tensor : tensor.contiguous();
  char* bytes = static_cast<char*>(buffer.data_ptr());
  forEachChunk(buffer.numel() * static_cast<int64_t>(buffer.element_size()),
               [&](int64_t offset, int chunk) {
                 checkMpi(MPI_Bcast(bytes + offset, chunk, MPI_BYTE, root, comm_), "MPI_Bcast");
               });
  if (!buffer.is_same(tensor)) {
    torch::NoGradGuard noGrad;  // parameters are leaves that require grad
    tensor.copy_(buffer);
  }
}

double MpiCommunicator::allReduceMax(double value) {
  checkMpi(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_MAX, comm_),
           "MPI_Allreduce(double, max)");
  return value;
}

double MpiCommunicator::allReduceSum(double value) {
  checkMpi(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_SUM, comm_),
           "MPI_Allreduce(double, sum)");
  return value;
}

int64_t MpiCommunicator::allReduceSum(int64_t value) {
  checkMpi(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT64_T, MPI_SUM, comm_),
           "MPI_Allreduce(int64, sum)");
  return value;
}

bool MpiCommunicator::anyTrue(bool value) {
  int flag = value ? 1 : 0;
  checkMpi(MPI_Allreduce(MPI_IN_PLACE, &flag, 1, MPI_INT, MPI_LOR, comm_),
           "MPI_Allreduce(int, logical or)");
  return flag != 0;
}

void MpiCommunicator::barrier() {
  checkMpi(MPI_Barrier(comm_), "MPI_Barrier");
}

}  // namespace mu
