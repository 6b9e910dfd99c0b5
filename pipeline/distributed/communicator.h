#pragma once
// The collectives data-parallel training needs, behind one interface so that the training loop
// does not know which library moves the bytes (MPI now, NCCL later). Every rank must call the
// same operations in the same order with the same sizes: these are collectives.

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "pipeline/base/rank_coordination.h"

namespace mu {

// A collective that was started and may still be running (allReduceSumAsync). wait() makes its
// result visible to what the caller does next: a host backend has already finished; a device
// backend orders the caller's current stream after the collective without blocking the host.
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  virtual void wait() = 0;
};

// What synchronous backends hand back: the work is already done.
class CompletedCollective final : public PendingCollective {
 public:
  void wait() override {}
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  virtual std::string backendName() const = 0;

  // In place: every rank's tensor becomes the element-wise sum over ranks. The tensor must be
  // contiguous fp32 (the gradient buckets are), on a device the backend can reach.
  virtual void allReduceSum(torch::Tensor& flatFloat32) = 0;
  // The same, started now and finished by the handle's wait(): the tensor must not be touched
  // in between. Gradient buckets start theirs while backward still runs (a device backend's
  // overlap); the default runs the synchronous sum, so host backends stay exactly as they are.
  virtual std::unique_ptr<PendingCollective> allReduceSumAsync(torch::Tensor& flatFloat32) {
    allReduceSum(flatFloat32);
    return std::make_unique<CompletedCollective>();
  }
  // True when allReduceSumAsync really overlaps with the caller's work (a device stream): only
  // then is it worth starting bucket all-reduces from inside backward.
  virtual bool overlapsWithCompute() const { return false; }
  // In place: every rank's tensor becomes `root`'s. Any dtype; same shape on every rank.
  virtual void broadcast(torch::Tensor& tensor, int root) = 0;

  virtual double allReduceMax(double value) = 0;
  virtual double allReduceSum(double value) = 0;
  virtual int64_t allReduceSum(int64_t value) = 0;
  // True on every rank if it is true on any rank: how ranks agree to stop (preemption, a
  // non-finite loss) at the same step instead of some leaving a collective unmatched.
  virtual bool anyTrue(bool value) = 0;
  virtual void barrier() = 0;

 protected:
  // The preconditions every backend checks, so a call that would be wrong on n ranks already
  // fails on one.
  static void requireFlatFloat32(const torch::Tensor& tensor, const char* operation) {
    if (!tensor.defined() || tensor.scalar_type() != torch::kFloat32 || !tensor.is_contiguous()) {
      throw std::invalid_argument(std::string(operation) +
                                  ": needs a defined, contiguous fp32 tensor");
    }
  }
  void requireRoot(int root, const char* operation) const {
    if (root < 0 || root >= size()) {
      throw std::invalid_argument(std::string(operation) + ": root " + std::to_string(root) +
                                  " is not a rank of " + std::to_string(size()));
    }
  }
};

// One process, no communication: every collective is the identity. Lets the training loop and
// the benchmarks run the same code path without MPI.
class SingleProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string backendName() const override { return "single-process"; }

  void allReduceSum(torch::Tensor& flatFloat32) override {
    requireFlatFloat32(flatFloat32, "allReduceSum");
  }
  void broadcast(torch::Tensor& tensor, int root) override {
    requireRoot(root, "broadcast");
    if (!tensor.defined()) throw std::invalid_argument("broadcast: undefined tensor");
  }
  double allReduceMax(double value) override { return value; }
  double allReduceSum(double value) override { return value; }
  int64_t allReduceSum(int64_t value) override { return value; }
  bool anyTrue(bool value) override { return value; }
  void barrier() override {}
};

// Rank 0 writes, every rank waits at the communicator's barrier.
inline RankCoordination rankCoordination(Communicator& comm) {
  return {comm.rank() == 0, [&comm] { comm.barrier(); }};
}

}  // namespace mu
