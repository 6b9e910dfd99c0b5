#include "pipeline/models/architectures/resnet.h"

#include "pipeline/models/architecture.h"

#include <cstdint>
#include <string>

#include "pipeline/models/layers.h"

namespace mu {
namespace {

int64_t expansion(ResNetBlock block) {
  return block == ResNetBlock::kBasic ? 1 : 4;
}

// What both torchvision blocks share: the optional projection shortcut and the closing
// "add the shortcut, then ReLU".
class ResidualBlock : public torch::nn::Module {
 protected:
  // Registered after the block's own layers, as in torchvision, to keep the state-dict order.
  void registerDownsample(const torch::nn::Sequential& downsample) {
    if (!downsample.is_empty()) downsample_ = register_module("downsample", downsample);
  }
  torch::Tensor addShortcut(torch::Tensor out, const torch::Tensor& x) {
    out += downsample_.is_empty() ? x : downsample_->forward(x);
    return torch::relu(out);
  }

 private:
  torch::nn::Sequential downsample_{nullptr};
};

class BasicBlockImpl : public ResidualBlock {
 public:
  BasicBlockImpl(int64_t inplanes, int64_t planes, int64_t stride,
                 const torch::nn::Sequential& downsample)
      : conv1_(register_module("conv1", layers::conv3x3(inplanes, planes, stride))),
        bn1_(register_module("bn1", layers::batchNorm(planes))),
        conv2_(register_module("conv2", layers::conv3x3(planes, planes))),
        bn2_(register_module("bn2", layers::batchNorm(planes))) {
    registerDownsample(downsample);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    auto out = torch::relu(bn1_(conv1_(x)));
    out = bn2_(conv2_(out));
    return addShortcut(out, x);
  }

 private:
  torch::nn::Conv2d conv1_;
  layers::BatchNorm bn1_;
  torch::nn::Conv2d conv2_;
  layers::BatchNorm bn2_;
};
TORCH_MODULE(BasicBlock);

// 1x1 reduce, 3x3 (carries the stride, as torchvision v1.5), 1x1 expand by 4.
class BottleneckImpl : public ResidualBlock {
 public:
  BottleneckImpl(int64_t inplanes, int64_t planes, int64_t stride,
                 const torch::nn::Sequential& downsample)
      : conv1_(register_module("conv1", layers::conv1x1(inplanes, planes))),
        bn1_(register_module("bn1", layers::batchNorm(planes))),
        conv2_(register_module("conv2", layers::conv3x3(planes, planes, stride))),
        bn2_(register_module("bn2", layers::batchNorm(planes))),
        conv3_(register_module("conv3", layers::conv1x1(planes, planes * 4))),
        bn3_(register_module("bn3", layers::batchNorm(planes * 4))) {
    registerDownsample(downsample);
  }

  torch::Tensor forward(const torch::Tensor& x) {
    auto out = torch::relu(bn1_(conv1_(x)));
    out = torch::relu(bn2_(conv2_(out)));
    out = bn3_(conv3_(out));
    return addShortcut(out, x);
  }

 private:
  torch::nn::Conv2d conv1_;
  layers::BatchNorm bn1_;
  torch::nn::Conv2d conv2_;
  layers::BatchNorm bn2_;
  torch::nn::Conv2d conv3_;
  layers::BatchNorm bn3_;
};
TORCH_MODULE(Bottleneck);

torch::nn::Conv2d stemConv(int64_t inChannels, bool imagenet) {
  auto options = imagenet ? torch::nn::Conv2dOptions(inChannels, 64, 7).stride(2).padding(3)
                          : torch::nn::Conv2dOptions(inChannels, 64, 3).stride(1).padding(1);
  return torch::nn::Conv2d(options.bias(false));
}

}  // namespace

ResNet::ResNet(ResNetBlock block, const std::array<int, 4>& depths, const ModelSpec& spec)
    : block_(block), imagenetStem_(spec.imagenetStem) {
  // Layers are created in the reference's order, so the default initialisations they run at
  // construction draw the same numbers from torch's generator as PyTorch would.
  registerNormalize(spec.inChannels, spec.mean, spec.std);
  conv1_ = register_module("conv1", stemConv(spec.inChannels, imagenetStem_));
  bn1_ = register_module("bn1", layers::batchNorm(64));
  const std::array<int64_t, 4> widths{64, 128, 256, 512};
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    layers_[i] = register_module("layer" + std::to_string(i + 1),
                                 makeLayer(widths[i], depths[i], i == 0 ? 1 : 2));
  }
  fc_ = register_module("fc", torch::nn::Linear(512 * expansion(block_), spec.numClasses));
  layers::initialiseWeights(*this, layers::ConvInit::kKaimingNormalFanOutRelu,
                            layers::LinearInit::kPyTorchDefault);
}

torch::nn::Sequential ResNet::makeLayer(int64_t planes, int blocks, int64_t stride) {
  const int64_t outChannels = planes * expansion(block_);
  // torchvision builds the shortcut before the block that owns it.
  torch::nn::Sequential downsample{nullptr};
  if (stride != 1 || inplanes_ != outChannels) {
    downsample = torch::nn::Sequential(layers::conv1x1(inplanes_, outChannels, stride),
                                       layers::batchNorm(outChannels));
  }
  torch::nn::Sequential layer;
  for (int b = 0; b < blocks; ++b) {
    const int64_t blockStride = b == 0 ? stride : 1;
    const auto shortcut = b == 0 ? downsample : torch::nn::Sequential{nullptr};
    if (block_ == ResNetBlock::kBasic) {
      layer->push_back(BasicBlock(inplanes_, planes, blockStride, shortcut));
    } else {
      layer->push_back(Bottleneck(inplanes_, planes, blockStride, shortcut));
    }
    inplanes_ = outChannels;
  }
  return layer;
}

torch::Tensor ResNet::forward(torch::Tensor x) {
  x = torch::relu(bn1_(conv1_(normalize(x))));
  if (imagenetStem_) {
    x = torch::max_pool2d(x, /*kernel_size=*/{3, 3}, /*stride=*/{2, 2}, /*padding=*/{1, 1});
  }
  for (auto& layer : layers_) x = layer->forward(x);
  x = torch::flatten(torch::adaptive_avg_pool2d(x, {1, 1}), 1);
  return fc_(x);
}

std::shared_ptr<Classifier> makeResNet18(const ModelSpec& spec) {
  return std::make_shared<ResNet>(ResNetBlock::kBasic, std::array<int, 4>{2, 2, 2, 2}, spec);
}

std::shared_ptr<Classifier> makeResNet50(const ModelSpec& spec) {
  return std::make_shared<ResNet>(ResNetBlock::kBottleneck, std::array<int, 4>{3, 4, 6, 3}, spec);
}

// The torchvision ResNets; the reference's --imagenet_arch stem exists for these alone.
Architecture resNet18Architecture() {
  return {"resnet18", &makeResNet18, true};
}

Architecture resNet50Architecture() {
  return {"resnet50", &makeResNet50, true};
}

}  // namespace mu
