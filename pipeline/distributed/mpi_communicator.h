#pragma once
// Communicator over MPI, for CPU tensors (the MPI build here is not assumed CUDA-aware).

#include <mpi.h>

#include "pipeline/distributed/communicator.h"

namespace mu {

class MpiCommunicator final : public Communicator {
 public:
  // Collective over `comm`. Works on a private duplicate of `comm`, so that its messages never
  // match anyone else's on the same communicator, with MPI_ERRORS_RETURN on it, so that a failed
  // call becomes a SystemError naming the call (the caller then decides, e.g. abortAll).
  explicit MpiCommunicator(MPI_Comm comm);
  ~MpiCommunicator() override;
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backendName() const override { return "mpi"; }
  MPI_Comm comm() const { return comm_; }

  void allReduceSum(torch::Tensor& flatFloat32) override;
  void broadcast(torch::Tensor& tensor, int root) override;
  double allReduceMax(double value) override;
  double allReduceSum(double value) override;
  int64_t allReduceSum(int64_t value) override;
  bool anyTrue(bool value) override;
  void barrier() override;

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace mu
