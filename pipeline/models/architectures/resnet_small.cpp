#include "pipeline/models/architectures/resnet_small.h"

#include "pipeline/models/architecture.h"

#include <cstdint>
#include <string>

#include "pipeline/models/layers.h"

namespace mu {
namespace {

class OptionABlockImpl : public torch::nn::Module {
 public:
  OptionABlockImpl(int64_t inPlanes, int64_t planes, int64_t stride)
      : conv1_(register_module("conv1", layers::conv3x3(inPlanes, planes, stride))),
        bn1_(register_module("bn1", layers::batchNorm(planes))),
        conv2_(register_module("conv2", layers::conv3x3(planes, planes))),
        bn2_(register_module("bn2", layers::batchNorm(planes))),
        project_(stride != 1 || inPlanes != planes),
        padChannels_(planes / 4) {}

  torch::Tensor forward(const torch::Tensor& x) {
    auto out = torch::relu(bn1_(conv1_(x)));
    out = bn2_(conv2_(out));
    out += shortcut(x);
    return torch::relu(out);
  }

 private:
  // Option A: x[:, :, ::2, ::2] padded with planes/4 zero channels on each side. Every stage
  // doubles the width, so this is exactly the new channel count; no parameters, nothing to prune.
  torch::Tensor shortcut(const torch::Tensor& x) const {
    if (!project_) return x;
    const auto subsampled = x.slice(2, 0, x.size(2), 2).slice(3, 0, x.size(3), 2);
    return torch::constant_pad_nd(subsampled, {0, 0, 0, 0, padChannels_, padChannels_}, 0);
  }

  torch::nn::Conv2d conv1_;
  layers::BatchNorm bn1_;
  torch::nn::Conv2d conv2_;
  layers::BatchNorm bn2_;
  bool project_;
  int64_t padChannels_;
};
TORCH_MODULE(OptionABlock);

}  // namespace

ResNetSmall::ResNetSmall(const std::array<int, 3>& depths, const ModelSpec& spec) {
  // Creation order follows the reference, so construction-time default inits consume torch's
  // generator exactly as PyTorch does.
  registerNormalize(spec.inChannels, spec.mean, spec.std);
  conv1_ = register_module("conv1", layers::conv3x3(spec.inChannels, 16));
  bn1_ = register_module("bn1", layers::batchNorm(16));
  const std::array<int64_t, 3> widths{16, 32, 64};
  int64_t inPlanes = 16;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    torch::nn::Sequential layer;
    for (int b = 0; b < depths[i]; ++b) {
      layer->push_back(OptionABlock(inPlanes, widths[i], b == 0 && i > 0 ? 2 : 1));
      inPlanes = widths[i];
    }
    layers_[i] = register_module("layer" + std::to_string(i + 1), layer);
  }
  fc_ = register_module("fc", torch::nn::Linear(64, spec.numClasses));
  layers::initialiseWeights(*this, layers::ConvInit::kKaimingNormalFanIn,
                            layers::LinearInit::kKaimingNormalFanIn);
}

torch::Tensor ResNetSmall::forward(torch::Tensor x) {
  x = torch::relu(bn1_(conv1_(normalize(x))));
  for (auto& layer : layers_) x = layer->forward(x);
  // The reference pools with a kernel as large as the feature map: a global average here.
  x = torch::avg_pool2d(x, {x.size(2), x.size(3)});
  return fc_(x.view({x.size(0), -1}));
}

std::shared_ptr<Classifier> makeResNet20s(const ModelSpec& spec) {
  return std::make_shared<ResNetSmall>(std::array<int, 3>{3, 3, 3}, spec);
}

std::shared_ptr<Classifier> makeResNet44s(const ModelSpec& spec) {
  return std::make_shared<ResNetSmall>(std::array<int, 3>{7, 7, 7}, spec);
}

std::shared_ptr<Classifier> makeResNet56s(const ModelSpec& spec) {
  return std::make_shared<ResNetSmall>(std::array<int, 3>{9, 9, 9}, spec);
}

Architecture resNet20sArchitecture() {
  return {"resnet20s", &makeResNet20s, false};
}

Architecture resNet44sArchitecture() {
  return {"resnet44s", &makeResNet44s, false};
}

Architecture resNet56sArchitecture() {
  return {"resnet56s", &makeResNet56s, false};
}

}  // namespace mu
