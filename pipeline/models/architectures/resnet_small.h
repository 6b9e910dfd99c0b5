#pragma once
// ResNet-s for CIFAR (He et al. 2016, section 4.2), as in the reference models/ResNets.py:
// resnet20s / resnet44s / resnet56s, three stages of 16/32/64 channels with parameter-free
// option-A shortcuts (subsample, then zero-pad the new channels).

#include <torch/torch.h>

#include <array>
#include <memory>

#include "pipeline/models/classifier.h"
#include "pipeline/models/layers.h"
#include "pipeline/models/model_spec.h"

namespace mu {

class ResNetSmall : public Classifier {
 public:
  ResNetSmall(const std::array<int, 3>& depths, const ModelSpec& spec);
  torch::Tensor forward(torch::Tensor x) override;

 private:
  torch::nn::Conv2d conv1_{nullptr};
  layers::BatchNorm bn1_{nullptr};
  std::array<torch::nn::Sequential, 3> layers_{{torch::nn::Sequential{nullptr},
                                                torch::nn::Sequential{nullptr},
                                                torch::nn::Sequential{nullptr}}};
  torch::nn::Linear fc_{nullptr};
};

std::shared_ptr<Classifier> makeResNet20s(const ModelSpec& spec);
std::shared_ptr<Classifier> makeResNet44s(const ModelSpec& spec);
std::shared_ptr<Classifier> makeResNet56s(const ModelSpec& spec);

}  // namespace mu
