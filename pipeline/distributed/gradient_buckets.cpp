#include "pipeline/distributed/gradient_buckets.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "pipeline/error.h"

namespace mu {
namespace {

constexpr int64_t kFloat32Bytes = 4;

// The part of a bucket's flat buffer that holds one parameter's gradient, shaped like it.
torch::Tensor slotFor(const torch::Tensor& flat, int64_t offset, const torch::Tensor& like) {
  return flat.narrow(0, offset, like.numel()).view(like.sizes());
}

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
  torch::NoGradGuard noGrad;
  for (Bucket& bucket : buckets_) {
    pack(bucket);
    comm.allReduceSum(bucket.flat);
    unpack(bucket, divisor);
  }
}

void GradientBucketer::pack(Bucket& bucket) {
  for (size_t k = 0; k < bucket.parameters.size(); ++k) {
    const torch::Tensor& parameter = parameters_[bucket.parameters[k]];
    torch::Tensor slot = slotFor(bucket.flat, bucket.offsets[k], parameter);
    const torch::Tensor& grad = parameter.grad();
    // Zeros keep this rank's collectives identical to the others' (same buckets, same sizes).
    if (grad.defined()) {
      slot.copy_(grad);
    } else {
      slot.zero_();
    }
  }
}

void GradientBucketer::unpack(Bucket& bucket, double divisor) {
  // The division rides on the copy back (one pass over the bucket, not two); with divisor 1,
  // the global-batch normalisation, it is a plain copy and the sum stays exact.
  const torch::Tensor scale = torch::scalar_tensor(divisor, torch::kFloat64);
  for (size_t k = 0; k < bucket.parameters.size(); ++k) {
    torch::Tensor parameter = parameters_[bucket.parameters[k]];
    const torch::Tensor slot = slotFor(bucket.flat, bucket.offsets[k], parameter);
    torch::Tensor& grad = parameter.mutable_grad();
    if (!grad.defined()) {
      grad = torch::empty_like(parameter);  // its own storage: the bucket is reused next step
    }
    if (divisor == 1.0) {
      grad.copy_(slot);
    } else {
      torch::div_out(grad, slot, scale);  // a 0-dim double divisor keeps the fp32 result
    }
  }
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
