#pragma once
// Communicator for CUDA tensors over NCCL, beside an MPI communicator that carries the rest
// (scalars, flags, barriers, CPU tensors). Tensor collectives run on a dedicated stream, ordered
// after the caller's stream by an event and waited for by another: allReduceSumAsync lets the
// gradient buckets sum while backward still computes, and only the optimizer step waits.
// Built only with MU_WITH_NCCL and a CUDA LibTorch (MU_HAVE_TORCH_CUDA).

#include <c10/cuda/CUDAStream.h>

#include <memory>

#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/runtime/nccl_collectives.h"

namespace mu {

enum class GradientCompression {
  kNone,      // fp32 sums: the same numbers as the MPI path (up to summation order)
  kBFloat16,  // buckets travel as bf16 (half the bytes; rounds every gradient to bf16)
};

class NcclCommunicator final : public Communicator {
 public:
  // Collective over `host`'s ranks; each rank's CUDA device `device` (resolveDevice chose it).
  // `host` must outlive this communicator.
  NcclCommunicator(MpiCommunicator& host, torch::Device device,
                   GradientCompression compression = GradientCompression::kNone);

  int rank() const override { return host_.rank(); }
  int size() const override { return host_.size(); }
  std::string backendName() const override;

  void allReduceSum(torch::Tensor& flatFloat32) override;
  std::unique_ptr<PendingCollective> allReduceSumAsync(torch::Tensor& flatFloat32) override;
  bool overlapsWithCompute() const override { return true; }
  void broadcast(torch::Tensor& tensor, int root) override;

  double allReduceMax(double value) override { return host_.allReduceMax(value); }
  double allReduceSum(double value) override { return host_.allReduceSum(value); }
  int64_t allReduceSum(int64_t value) override { return host_.allReduceSum(value); }
  bool anyTrue(bool value) override { return host_.anyTrue(value); }
  void barrier() override;

 private:
  void requireOurDevice(const torch::Tensor& tensor, const char* operation) const;

  MpiCommunicator& host_;
  torch::Device device_;
  GradientCompression compression_;
  std::unique_ptr<NcclCollectives> nccl_;
  c10::cuda::CUDAStream stream_;  // the communication stream
};

}  // namespace mu
