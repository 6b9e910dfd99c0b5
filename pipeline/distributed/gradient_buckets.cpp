#include "pipeline/distributed/gradient_buckets.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/base/error.h"

namespace mu {
namespace {

constexpr int64_t kFloat32Bytes = 4;

// The part of a bucket's flat buffer that holds one parameter's gradient, shaped like it and
// with its strides: autograd accumulates into a .grad laid out as its parameter (NHWC weights
// under --channels-last included), and would otherwise warn and copy through a layout change.
torch::Tensor slotFor(const torch::Tensor& flat, int64_t offset, const torch::Tensor& like) {
  const torch::Tensor slot = flat.narrow(0, offset, like.numel());
  if (!like.is_non_overlapping_and_dense()) return slot.view(like.sizes());
  return slot.as_strided(like.sizes(), like.strides());
}

// Runs after a parameter's AccumulateGrad node has added this backward's gradient into .grad
// (DDP's hook point): the gradient is then final for the step.
class GradientReadyHook final : public torch::autograd::FunctionPostHook {
 public:
  explicit GradientReadyHook(std::function<void()> ready) : ready_(std::move(ready)) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list&) override {
    ready_();
    return outputs;
  }

 private:
  std::function<void()> ready_;
};

}  // namespace

GradientBucketer::GradientBucketer(std::vector<torch::Tensor> parameters, int64_t capacityBytes)
    : parameters_(std::move(parameters)) {
  if (capacityBytes <= 0) throw std::invalid_argument("GradientBucketer: capacity must be > 0");
  for (size_t i = 0; i < parameters_.size(); ++i) {
    const torch::Tensor& parameter = parameters_[i];
    if (!parameter.defined() || parameter.scalar_type() != torch::kFloat32 ||
        parameter.device() != parameters_.front().device()) {
      throw std::invalid_argument("GradientBucketer: parameter " + std::to_string(i) +
                                  " is not a defined fp32 tensor on the first one's device");
    }
  }

  // Greedy fill in reverse registration order; sizes first, buffers once the layout is known.
  std::vector<int64_t> elementCounts;
  int64_t filled = 0;
  for (size_t i = parameters_.size(); i-- > 0;) {
    const int64_t elements = parameters_[i].numel();
    if (buckets_.empty() || (filled + elements) * kFloat32Bytes > capacityBytes) {
      buckets_.emplace_back();
      elementCounts.push_back(0);
      filled = 0;
    }
    buckets_.back().parameters.push_back(i);
    buckets_.back().offsets.push_back(filled);
    filled += elements;
    elementCounts.back() = filled;
  }
  for (size_t b = 0; b < buckets_.size(); ++b) {
    buckets_[b].flat =
        torch::empty({elementCounts[b]},
                     parameters_.front().options().dtype(torch::kFloat32).requires_grad(false));
  }
}

GradientBucketer::~GradientBucketer() {
  hooks_.clear();  // removes the hooks before the buckets they point into go
}

void GradientBucketer::enableOverlap(Communicator& comm) {
  if (overlapComm_ != nullptr) {
    if (overlapComm_ != &comm) {
      throw std::invalid_argument(
          "GradientBucketer::enableOverlap: already on another communicator");
    }
    return;
  }
  bucketOf_.assign(parameters_.size(), 0);
  for (size_t b = 0; b < buckets_.size(); ++b) {
    for (size_t index : buckets_[b].parameters) bucketOf_[index] = b;
    buckets_[b].waitingFor = buckets_[b].parameters.size();
  }
  for (size_t index = 0; index < parameters_.size(); ++index) {
    // A parameter holds its accumulator weakly: keeping it here keeps the hook across steps.
    std::shared_ptr<torch::autograd::Node> accumulator =
        torch::autograd::impl::grad_accumulator(parameters_[index]);
    if (!accumulator) {
      throw std::invalid_argument("GradientBucketer::enableOverlap: parameter " +
                                  std::to_string(index) + " is not a leaf that requires grad");
    }
    const uintptr_t key = accumulator->add_post_hook(
        std::make_unique<GradientReadyHook>([this, index] { onGradientReady(index); }));
    hooks_.emplace_back(accumulator.get(),
                        [accumulator, key](void*) { accumulator->del_post_hook(key); });
  }
  nextToStart_ = 0;
  overlapComm_ = &comm;
}

void GradientBucketer::onGradientReady(size_t index) {
  std::lock_guard<std::mutex> lock(overlapMutex_);
  Bucket& bucket = buckets_[bucketOf_[index]];
  if (bucket.waitingFor == 0) {
    throw std::logic_error(
        "GradientBucketer: a second backward before allReduceAverage (overlap sums one backward "
        "per step)");
  }
  if (--bucket.waitingFor == 0) startReadyBuckets(false);
}

void GradientBucketer::startReadyBuckets(bool all) {
  torch::NoGradGuard noGrad;
  for (; nextToStart_ < buckets_.size(); ++nextToStart_) {
    Bucket& bucket = buckets_[nextToStart_];
    if (!all && bucket.waitingFor != 0) return;
    bucket.waitingFor = 0;
    pack(bucket);
    bucket.inFlight = overlapComm_->allReduceSumAsync(bucket.flat);
  }
}

void GradientBucketer::finishOverlapped(Communicator& comm, double divisor) {
  if (&comm != overlapComm_) {
    throw std::invalid_argument(
        "GradientBucketer::allReduceAverage: not the communicator overlap was enabled on");
  }
  std::lock_guard<std::mutex> lock(overlapMutex_);
  // Buckets with a gradient backward did not produce (an unused parameter, an empty slice on
  // this rank) start now, still in bucket order, so every rank's collectives match.
  startReadyBuckets(true);
  torch::NoGradGuard noGrad;
  for (Bucket& bucket : buckets_) {
    bucket.inFlight->wait();
    bucket.inFlight.reset();
    unpack(bucket, divisor);
    bucket.waitingFor = bucket.parameters.size();
  }
  nextToStart_ = 0;
}

int64_t GradientBucketer::bucketBytes(size_t bucket) const {
  return buckets_.at(bucket).flat.numel() * kFloat32Bytes;
}

int64_t GradientBucketer::totalBytes() const {
  int64_t bytes = 0;
  for (size_t b = 0; b < buckets_.size(); ++b) bytes += bucketBytes(b);
  return bytes;
}

void GradientBucketer::allReduceAverage(Communicator& comm, double divisor) {
  if (!std::isfinite(divisor) || divisor <= 0) {
    throw std::invalid_argument(
        "GradientBucketer::allReduceAverage: divisor must be finite and > 0, got " +
        std::to_string(divisor));
  }
  if (overlapComm_ != nullptr) {
    finishOverlapped(comm, divisor);
    return;
  }
  torch::NoGradGuard noGrad;
  for (Bucket& bucket : buckets_) {
    pack(bucket);
    comm.allReduceSum(bucket.flat);
    unpack(bucket, divisor);
  }
}

bool GradientBucketer::gradientsLiveIn(const Bucket& bucket) const {
  for (size_t k = 0; k < bucket.parameters.size(); ++k) {
    const torch::Tensor& grad = parameters_[bucket.parameters[k]].grad();
    const auto* slotStart =
        static_cast<const char*>(bucket.flat.data_ptr()) + bucket.offsets[k] * kFloat32Bytes;
    if (!grad.defined() || grad.data_ptr() != slotStart) return false;
  }
  return true;
}

void GradientBucketer::zeroGradients() {
  torch::NoGradGuard noGrad;
  for (Bucket& bucket : buckets_) {
    if (gradientsLiveIn(bucket)) {
      bucket.flat.zero_();
      continue;
    }
    for (size_t index : bucket.parameters) {
      torch::Tensor& grad = parameters_[index].mutable_grad();
      if (grad.defined()) grad.zero_();
    }
  }
}

void GradientBucketer::pack(Bucket& bucket) {
  // Gradients live in the bucket (as DDP's gradient_as_bucket_view): once a parameter's .grad is
  // a view of its slot, backward accumulates straight into the bucket and nothing is copied. A
  // gradient that is missing or was replaced by a tensor of its own is copied in (zeros when
  // missing, so every rank's collectives stay identical) and re-pointed at its slot.
  for (size_t k = 0; k < bucket.parameters.size(); ++k) {
    torch::Tensor parameter = parameters_[bucket.parameters[k]];
    torch::Tensor slot = slotFor(bucket.flat, bucket.offsets[k], parameter);
    torch::Tensor& grad = parameter.mutable_grad();
    if (grad.defined() && grad.data_ptr() == slot.data_ptr()) continue;
    if (grad.defined()) {
      slot.copy_(grad);
    } else {
      slot.zero_();
    }
    grad = slot;
  }
}

torch::Tensor GradientBucketer::gradientNorm() const {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> norms;
  norms.reserve(buckets_.size());
  for (const Bucket& bucket : buckets_) norms.push_back(bucket.flat.norm());
  return torch::stack(norms).norm();
}

void GradientBucketer::unpack(Bucket& bucket, double divisor) {
  // With divisor 1 (the global-batch normalisation) the summed bucket already is the gradient.
  if (divisor != 1.0) bucket.flat.div_(divisor);
}

void broadcastParametersAndBuffers(torch::nn::Module& module, Communicator& comm, int root) {
  std::vector<torch::Tensor> tensors = module.parameters();
  for (const torch::Tensor& buffer : module.buffers()) tensors.push_back(buffer);

  // An FNV-1a fingerprint of the layout (count, each tensor's dtype and element count), compared
  // with root's and agreed on by all ranks, so that a mismatch fails everywhere instead of hanging.
  uint64_t layoutHash = 1469598103934665603ULL;
  auto mix = [&layoutHash](uint64_t value) {
    layoutHash = (layoutHash ^ value) * 1099511628211ULL;
  };
  int64_t totalBytes = 0;
  for (const torch::Tensor& tensor : tensors) {
    mix(static_cast<uint64_t>(tensor.scalar_type()));
    mix(static_cast<uint64_t>(tensor.numel()));
    totalBytes += tensor.numel() * static_cast<int64_t>(tensor.element_size());
  }
  const torch::Tensor local = torch::tensor(
      {static_cast<int64_t>(tensors.size()), totalBytes, static_cast<int64_t>(layoutHash)},
      torch::kInt64);
  torch::Tensor fromRoot = local.clone();
  comm.broadcast(fromRoot, root);
  if (comm.anyTrue(!torch::equal(local, fromRoot))) {
    throw SystemError(
        "broadcastParametersAndBuffers: ranks hold different models (tensor count, dtypes or sizes "
        "differ from rank " +
        std::to_string(root) + "'s)");
  }

  torch::NoGradGuard noGrad;
  for (torch::Tensor& tensor : tensors) comm.broadcast(tensor, root);
}

}  // namespace mu
