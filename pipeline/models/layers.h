#pragma once
// Building blocks and weight-initialisation schemes shared by the architectures in this folder.
// Internal to pipeline/models: code outside builds models through makeModel().

#include <torch/torch.h>

#include <cstdint>

#include "pipeline/models/foldable_batch_norm.h"

namespace mu::layers {

// 3x3 convolution, padding 1, no bias (a BatchNorm follows every one).
torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1);
// 1x1 convolution, no bias: the bottleneck ends and the option-B projection shortcut.
torch::nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride = 1);

// BatchNorm2d with PyTorch's defaults spelled out: eps 1e-5, momentum 0.1, affine, running stats.
BatchNorm batchNorm(int64_t channels);

enum class ConvInit {
  kKaimingNormalFanOutRelu,  // torchvision ResNet and VGG
  kKaimingNormalFanIn,       // ResNet-s: kaiming_normal_ with its defaults (fan_in, leaky_relu a=0)
};
enum class LinearInit {
  kPyTorchDefault,       // keep the construction-time kaiming_uniform(a=sqrt(5)) weight and bias
  kKaimingNormalFanIn,   // weight as ConvInit::kKaimingNormalFanIn, bias keeps its default
  kNormalStd001ZeroBias  // weight N(0, 0.01), bias 0
};

// One pass over the modules in registration order, as the reference's loop over self.modules():
// convolutions and linears drawn from torch's default generator in that order (so a seed fixes
// the result), conv biases zeroed, BatchNorm weight 1 and bias 0. Call at the end of a model's
// constructor, after every layer has been created.
void initialiseWeights(torch::nn::Module& model, ConvInit conv, LinearInit linear);

}  // namespace mu::layers
