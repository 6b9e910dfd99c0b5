#pragma once
// BatchNorm2d, computed exactly as LibTorch's (the same torch::batch_norm call, the same running
// statistics, momentum and counter; the same parameter and buffer names, so checkpoints and
// PyTorch state dicts read alike), that an inference copy can fold into the convolution before
// it (batch_norm_folding.h): once folded it passes its input through.
//
// Why not derive from torch::nn::BatchNorm2dImpl: LibTorch does not export the printer of its
// BatchNorm base template, which a derived class's vtables need, so such a class does not link.

#include <torch/torch.h>

#include <ostream>

namespace mu::layers {

class BatchNormImpl : public torch::nn::Cloneable<BatchNormImpl> {
 public:
  explicit BatchNormImpl(const torch::nn::BatchNorm2dOptions& options);

  void reset() override;
  torch::Tensor forward(const torch::Tensor& x);
  void pretty_print(std::ostream& stream) const override;

  void markFolded() { folded_ = true; }
  bool folded() const { return folded_; }

  torch::nn::BatchNorm2dOptions options;
  torch::Tensor weight;  // undefined without options.affine()
  torch::Tensor bias;
  torch::Tensor running_mean;  // PyTorch's names; undefined without track_running_stats
  torch::Tensor running_var;
  torch::Tensor num_batches_tracked;

 private:
  bool folded_ = false;
};
TORCH_MODULE(BatchNorm);

}  // namespace mu::layers
