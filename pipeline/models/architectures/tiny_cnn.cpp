#include "pipeline/models/architectures/tiny_cnn.h"

#include "pipeline/models/architecture.h"

#include "pipeline/models/layers.h"

namespace mu {

TinyCnn::TinyCnn(const ModelSpec& spec) {
  registerNormalize(spec.inChannels, spec.mean, spec.std);
  conv1_ = register_module(
      "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(spec.inChannels, 8, 3).padding(1)));
  conv2_ =
      register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(8, 16, 3).padding(1)));
  fc_ = register_module("fc", torch::nn::Linear(16, spec.numClasses));
  layers::initialiseWeights(*this, layers::ConvInit::kKaimingNormalFanOutRelu,
                            layers::LinearInit::kPyTorchDefault);
}

torch::Tensor TinyCnn::forward(torch::Tensor x) {
  x = torch::relu(conv1_(normalize(x)));
  x = torch::max_pool2d(x, 2);
  x = torch::relu(conv2_(x));
  x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
  return fc_(x);
}

std::shared_ptr<Classifier> makeTinyCnn(const ModelSpec& spec) {
  return std::make_shared<TinyCnn>(spec);
}

Architecture tinyCnnArchitecture() {
  return {"tinycnn", &makeTinyCnn, false};
}

}  // namespace mu
