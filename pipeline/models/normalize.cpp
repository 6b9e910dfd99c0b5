#include "pipeline/models/normalize.h"

#include <string>

#include "pipeline/base/error.h"

namespace mu {
namespace {

void checkStatistics(int64_t channels, const std::vector<double>& mean,
                     const std::vector<double>& stddev) {
  const auto count = static_cast<std::size_t>(channels);
  if (mean.size() != count || stddev.size() != count) {
    throw InputError("model normalisation: mean and std need one value per input channel (" +
                     std::to_string(channels) + "), got " + std::to_string(mean.size()) + " and " +
                     std::to_string(stddev.size()));
  }
  for (double s : stddev) {
    if (!(s > 0.0)) {
      throw InputError("model normalisation: every std value must be positive, got " +
                       std::to_string(s));
    }
  }
}

// Python's torch.tensor([...]) of floats is float32: round the doubles the same way.
torch::Tensor floatBuffer(const std::vector<double>& values) {
  return torch::tensor(values, torch::kFloat32);
}

}  // namespace

const std::vector<double>& cifar10Mean() {
  static const std::vector<double> kMean{0.4914, 0.4822, 0.4465};
  return kMean;
}

const std::vector<double>& cifar10Std() {
  static const std::vector<double> kStd{0.2470, 0.2435, 0.2616};
  return kStd;
}

NormalizeImpl::NormalizeImpl(int64_t channels, std::vector<double> mean,
                             std::vector<double> stddev) {
  if (mean.empty() && stddev.empty() && channels == 3) {
    mean = cifar10Mean();
    stddev = cifar10Std();
  }
  checkStatistics(channels, mean, stddev);
  mean_ = register_buffer("mean", floatBuffer(mean));
  std_ = register_buffer("std", floatBuffer(stddev));
}

torch::Tensor NormalizeImpl::forward(const torch::Tensor& x) {
  // sub then div, not a fused multiply by 1/std, so results match the reference bit for bit.
  return x.sub(mean_.view({1, -1, 1, 1})).div(std_.view({1, -1, 1, 1}));
}

void NormalizeImpl::set(const std::vector<double>& mean, const std::vector<double>& stddev) {
  checkStatistics(mean_.numel(), mean, stddev);
  torch::NoGradGuard noGrad;
  mean_.copy_(floatBuffer(mean));
  std_.copy_(floatBuffer(stddev));
}

}  // namespace mu
