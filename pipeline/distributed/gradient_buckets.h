#pragma once
// What data-parallel training synchronises between ranks: the model state once at the start
// (broadcastParametersAndBuffers), and the gradients after every backward pass
// (GradientBucketer). Gradients travel in a few flat fp32 buckets of a few MiB rather than one
// collective per parameter: a ResNet has ~60 parameter tensors, many tiny (BatchNorm), and each
// collective pays a fixed latency.

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "pipeline/distributed/communicator.h"

namespace mu {

class GradientBucketer {
 public:
  static constexpr int64_t kDefaultCapacityBytes = int64_t{4} << 20;

  // `parameters` in registration order (Module::parameters()); all fp32 on one device. Buckets
  // are filled in reverse registration order, as DDP does: backward produces the last layers'
  // gradients first, so the first bucket is the first one ready (what lets a later version
  // start its all-reduce during backward). A bucket closes when the next parameter would take it
  // past `capacityBytes`; a parameter larger than the capacity gets a bucket of its own.
  explicit GradientBucketer(std::vector<torch::Tensor> parameters,
                            int64_t capacityBytes = kDefaultCapacityBytes);
  ~GradientBucketer();
  // The overlap hooks hold `this`: a bucketer stays where it was made.
  GradientBucketer(const GradientBucketer&) = delete;
  GradientBucketer& operator=(const GradientBucketer&) = delete;

  // From now on each bucket's sum over `comm` starts (allReduceSumAsync) as soon as backward has
  // accumulated every gradient in it, from a hook on each parameter's gradient accumulator, and
  // allReduceAverage(comm, ...) only starts what backward did not produce, waits and divides.
  // Buckets start in bucket order on every rank (a bucket that is ready early waits for the ones
  // before it), so all ranks issue the same collectives in the same order. Worth it where the
  // collective runs beside the computation (Communicator::overlapsWithCompute: a CUDA stream);
  // with a synchronous backend the result is the same, only not overlapped. One backward per
  // allReduceAverage.
  void enableOverlap(Communicator& comm);
  bool overlapEnabled() const { return overlapComm_ != nullptr; }

  // Sums every parameter's gradient over the ranks of `comm`, then divides by `divisor`, and
  // writes the result back into each parameter's .grad(). The bucketer only sums: what the
  // divisor must be depends on how the local loss was normalised, so the caller supplies it.
  // When each rank's loss is its per-sample losses summed and divided by the GLOBAL batch size,
  // the sum over ranks already is the one-rank gradient (even for a short last batch) and the
  // divisor is 1; when each rank averages over its own samples, the divisor is comm.size().
  // A parameter without a gradient on this rank contributes zeros, and gets a gradient (the sum
  // of the other ranks', possibly zero) afterwards: every rank runs the same collectives.
  // After the first call each .grad() is a view of its bucket slot, so later backward passes
  // accumulate straight into the buckets and no gradient is copied (keep gradients zeroed in
  // place, not reset, to keep it so).
  void allReduceAverage(Communicator& comm, double divisor);

  // Zeroes every parameter's gradient before the next backward, in place. Once the gradients
  // live in the buckets (after the first allReduceAverage) it is one fill per bucket rather than
  // one per parameter (a ResNet-18 has 62), which on a GPU is that many fewer kernel launches.
  void zeroGradients();

  // The L2 norm of every gradient together, as a 0-dim fp32 tensor on the gradients' device
  // (nothing waits for it): non-finite when any gradient is, which is what the training loop's
  // divergence guard reads. Call after allReduceAverage, when the gradients live in the buckets.
  torch::Tensor gradientNorm() const;

  size_t bucketCount() const { return buckets_.size(); }
  // Indices into the constructor's parameter list, in the order they sit in the bucket.
  const std::vector<size_t>& bucketParameters(size_t bucket) const {
    return buckets_.at(bucket).parameters;
  }
  int64_t bucketBytes(size_t bucket) const;
  int64_t totalBytes() const;

 private:
  struct Bucket {
    std::vector<size_t> parameters;
    std::vector<int64_t> offsets;  // element offset of each parameter in `flat`
    torch::Tensor flat;            // preallocated fp32 buffer, reused every step
    size_t waitingFor = 0;         // overlap: gradients not yet accumulated this step
    std::unique_ptr<PendingCollective> inFlight;  // overlap: started, not yet waited for
  };

  // Whether every parameter of `bucket` has its .grad() pointing at its slot.
  bool gradientsLiveIn(const Bucket& bucket) const;
  void pack(Bucket& bucket);
  void unpack(Bucket& bucket, double divisor);
  // Overlap: parameter `index` has its gradient for this step.
  void onGradientReady(size_t index);
  // Overlap: starts buckets from nextToStart_ on while they are ready (or all when `all`).
  void startReadyBuckets(bool all);
  void finishOverlapped(Communicator& comm, double divisor);

  std::vector<torch::Tensor> parameters_;
  std::vector<Bucket> buckets_;
  // Overlap state (enableOverlap).
  Communicator* overlapComm_ = nullptr;
  std::vector<size_t> bucketOf_;  // parameter index -> bucket index
  size_t nextToStart_ = 0;
  std::vector<std::shared_ptr<void>> hooks_;  // keeps each accumulator and removes its hook
  std::mutex overlapMutex_;                   // hooks run on autograd's device threads
};

// Makes every rank's parameters and buffers (BatchNorm running statistics included) equal to
// `root`'s, so that all ranks start from one model. Every rank must hold the same architecture;
// if the tensor count or sizes differ, every rank throws the same SystemError instead of
// mismatching collectives.
void broadcastParametersAndBuffers(torch::nn::Module& module, Communicator& comm, int root = 0);

}  // namespace mu
