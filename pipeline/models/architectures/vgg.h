#pragma once
// VGG-16 with BatchNorm as in the reference models/VGG.py (docs/reference-behaviour.md §4.1):
// configuration D without its fifth max-pool (32x32 input leaves 2x2 maps), bias-free convs, and a
// 2048-256-256-C classifier. Sub-module indices match PyTorch's nn.Sequential ("features.3.weight",
// "classifier.4.bias"), so ReLU and max-pool are real entries of the sequences.

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "pipeline/models/classifier.h"
#include "pipeline/models/model_spec.h"

namespace mu {

class Vgg : public Classifier {
 public:
  // cfg: output channels of each 3x3 conv, with kMaxPool marking a 2x2 max-pool.
  static constexpr int kMaxPool = 0;
  Vgg(const std::vector<int>& cfg, const ModelSpec& spec);
  torch::Tensor forward(torch::Tensor x) override;

 private:
  torch::nn::Sequential features_{nullptr};
  torch::nn::Sequential classifier_{nullptr};
};

std::shared_ptr<Classifier> makeVgg16Bn(const ModelSpec& spec);

}  // namespace mu
