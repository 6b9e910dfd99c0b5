#pragma once
// torchvision-style ResNet-18 and ResNet-50 as in the reference models/ResNet.py
// (docs/reference-behaviour.md §4.1): CIFAR stem by default (3x3 stride-1 conv, no max-pool), the
// ImageNet stem on request, option-B projection shortcuts registered as "downsample" like
// torchvision.

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <memory>

#include "pipeline/models/classifier.h"
#include "pipeline/models/layers.h"
#include "pipeline/models/model_spec.h"

namespace mu {

enum class ResNetBlock { kBasic, kBottleneck };

class ResNet : public Classifier {
 public:
  ResNet(ResNetBlock block, const std::array<int, 4>& depths, const ModelSpec& spec);
  torch::Tensor forward(torch::Tensor x) override;

 private:
  torch::nn::Sequential makeLayer(int64_t planes, int blocks, int64_t stride);

  ResNetBlock block_;
  bool imagenetStem_;
  int64_t inplanes_ = 64;  // channels entering the next block, as torchvision's self.inplanes
  torch::nn::Conv2d conv1_{nullptr};
  layers::BatchNorm bn1_{nullptr};
  std::array<torch::nn::Sequential, 4> layers_{
      {torch::nn::Sequential{nullptr}, torch::nn::Sequential{nullptr},
       torch::nn::Sequential{nullptr}, torch::nn::Sequential{nullptr}}};
  torch::nn::Linear fc_{nullptr};
};

std::shared_ptr<Classifier> makeResNet18(const ModelSpec& spec);
std::shared_ptr<Classifier> makeResNet50(const ModelSpec& spec);

}  // namespace mu
