#include "pipeline/training/fused_sgd_step.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

namespace mu {
namespace {

// Elements per parallel task: large enough that a task outweighs its scheduling.
constexpr int64_t kGrain = int64_t{1} << 15;

struct Pointers {
  float* weight;
  const float* gradient;
  const float* mask;  // null: unpruned
  float* momentum;    // null: no momentum
};

// The update over [begin, end), with the branches that do not depend on the element decided
// once, so that the loop vectorises.
template <bool kMasked, bool kMomentum, bool kFirstStep>
void updateRange(const Pointers& p, const SgdOptions& options, int64_t begin, int64_t end) {
  const auto wd = static_cast<float>(options.weightDecay);
  const auto mu = static_cast<float>(options.momentum);
  const auto lr = static_cast<float>(options.lr);
  for (int64_t i = begin; i < end; ++i) {
    float d = p.gradient[i] + wd * p.weight[i];
    if (kMasked) d *= p.mask[i];
    if (kMomentum) {
      d = kFirstStep ? d : mu * p.momentum[i] + d;
      p.momentum[i] = d;
    }
    p.weight[i] -= lr * d;
  }
}

template <bool kMasked>
void updateAll(const Pointers& p, const SgdOptions& options, bool firstStep, int64_t count) {
  at::parallel_for(0, count, kGrain, [&](int64_t begin, int64_t end) {
    if (p.momentum == nullptr) {
      updateRange<kMasked, false, false>(p, options, begin, end);
    } else if (firstStep) {
      updateRange<kMasked, true, true>(p, options, begin, end);
    } else {
      updateRange<kMasked, true, false>(p, options, begin, end);
    }
  });
}

// `tensor` itself when it lies in memory as `like` does, else a copy that does.
torch::Tensor laidOutAs(const torch::Tensor& tensor, const torch::Tensor& like) {
  if (tensor.strides() == like.strides()) return tensor;
  return torch::empty_like(like).copy_(tensor);
}

}  // namespace

void fusedSgdStep(torch::Tensor& parameter, const torch::Tensor& gradient,
                  const torch::Tensor& mask, torch::Tensor& momentum, const SgdOptions& options) {
  torch::NoGradGuard noGrad;
  // Dense, non-overlapping tensors laid out alike hold element i of each at the same offset
  // from their first element, whatever the order of dimensions (NHWC weights included).
  torch::Tensor weight =
      parameter.is_non_overlapping_and_dense() ? parameter : parameter.contiguous();
  const torch::Tensor grad = laidOutAs(gradient, weight);
  const torch::Tensor pruning = mask.defined() ? laidOutAs(mask, weight) : torch::Tensor();
  const bool firstStep = !momentum.defined();
  if (options.momentum != 0) {
    momentum = firstStep ? torch::empty_like(weight) : laidOutAs(momentum, weight);
  }
  const Pointers pointers{weight.data_ptr<float>(), grad.data_ptr<float>(),
                          pruning.defined() ? pruning.data_ptr<float>() : nullptr,
                          options.momentum != 0 ? momentum.data_ptr<float>() : nullptr};
  if (pruning.defined()) {
    updateAll<true>(pointers, options, firstStep, weight.numel());
  } else {
    updateAll<false>(pointers, options, firstStep, weight.numel());
  }
  if (!weight.is_same(parameter)) parameter.copy_(weight);
}

}  // namespace mu
