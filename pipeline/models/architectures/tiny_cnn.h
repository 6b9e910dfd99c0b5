#pragma once
// A two-conv network without BatchNorm, not from the paper: the model of quick tests. With no
// per-rank batch statistics, n-rank data-parallel training must reproduce 1-rank training up to
// float rounding, which is how the tests check the communication; and it prunes like the others
// (its convs are the prunable weights).

#include <torch/torch.h>

#include <memory>

#include "pipeline/models/classifier.h"
#include "pipeline/models/model_spec.h"

namespace mu {

class TinyCnn : public Classifier {
 public:
  explicit TinyCnn(const ModelSpec& spec);
  torch::Tensor forward(torch::Tensor x) override;

 private:
  torch::nn::Conv2d conv1_{nullptr};
  torch::nn::Conv2d conv2_{nullptr};
  torch::nn::Linear fc_{nullptr};
};

std::shared_ptr<Classifier> makeTinyCnn(const ModelSpec& spec);

}  // namespace mu
