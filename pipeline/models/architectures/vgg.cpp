#include "pipeline/models/architectures/vgg.h"

#include "pipeline/models/architecture.h"

#include <algorithm>
#include <cstdint>

#include "pipeline/models/layers.h"

namespace mu {
namespace {

// In place, as the reference's nn.ReLU(inplace=True).
torch::nn::ReLU relu() {
  return torch::nn::ReLU(torch::nn::ReLUOptions().inplace(true));
}

torch::nn::Sequential makeFeatures(const std::vector<int>& cfg, int64_t inChannels) {
  torch::nn::Sequential features;
  for (int width : cfg) {
    if (width == Vgg::kMaxPool) {
      features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2).stride(2)));
      continue;
    }
    features->push_back(layers::conv3x3(inChannels, width));
    features->push_back(layers::batchNorm(width));
    features->push_back(relu());
    inChannels = width;
  }
  return features;
}

}  // namespace

Vgg::Vgg(const std::vector<int>& cfg, const ModelSpec& spec) {
  // The reference builds the features before the classifier and registers normalize last; the
  // same order here keeps both the generator draws and the state-dict order identical.
  features_ = register_module("features", makeFeatures(cfg, spec.inChannels));
  const int64_t lastWidth =
      *std::find_if(cfg.rbegin(), cfg.rend(), [](int w) { return w != kMaxPool; });
  classifier_ = register_module(
      "classifier", torch::nn::Sequential(torch::nn::Linear(lastWidth * 2 * 2, 256), relu(),
                                          torch::nn::Linear(256, 256), relu(),
                                          torch::nn::Linear(256, spec.numClasses)));
  registerNormalize(spec.inChannels, spec.mean, spec.std);
  layers::initialiseWeights(*this, layers::ConvInit::kKaimingNormalFanOutRelu,
                            layers::LinearInit::kNormalStd001ZeroBias);
}

torch::Tensor Vgg::forward(torch::Tensor x) {
  x = features_->forward(normalize(x));
  // 2x2 whatever the input: 32x32 arrives as 2x2, 28x28 (Fashion-MNIST) as 1x1 and is repeated.
  x = torch::flatten(torch::adaptive_avg_pool2d(x, {2, 2}), 1);
  return classifier_->forward(x);
}

std::shared_ptr<Classifier> makeVgg16Bn(const ModelSpec& spec) {
  constexpr int M = Vgg::kMaxPool;
  return std::make_shared<Vgg>(
      std::vector<int>{64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512},
      spec);
}

Architecture vgg16BnArchitecture() {
  return {"vgg16_bn", &makeVgg16Bn, false};
}

}  // namespace mu
