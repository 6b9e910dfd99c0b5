#pragma once
// Per-channel input normalisation that lives inside the model (docs/reference-behaviour.md §1.3):
// the data pipeline hands over images in [0,1] and every checkpoint carries the statistics it was
// trained with, as the buffers normalize.mean and normalize.std.

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace mu {

class NormalizeImpl : public torch::nn::Module {
 public:
  // Empty mean and stddev select the CIFAR-10 constants, which exist only for 3 channels.
  NormalizeImpl(int64_t channels, std::vector<double> mean, std::vector<double> stddev);

  // (x - mean[c]) / std[c] on NCHW input.
  torch::Tensor forward(const torch::Tensor& x);

  // Replaces the statistics in place (the buffers keep their identity, device and dtype).
  void set(const std::vector<double>& mean, const std::vector<double>& stddev);

  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& stddev() const { return std_; }

 private:
  torch::Tensor mean_;
  torch::Tensor std_;
};
TORCH_MODULE(Normalize);

// The statistics the reference models are constructed with before the dataset's replace them.
const std::vector<double>& cifar10Mean();
const std::vector<double>& cifar10Std();

}  // namespace mu
