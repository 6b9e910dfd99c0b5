#include "pipeline/models/layers.h"

namespace mu::layers {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

torch::nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false));
}

BatchNorm batchNorm(int64_t channels) {
  return BatchNorm(torch::nn::BatchNorm2dOptions(channels)
                       .eps(1e-5)
                       .momentum(0.1)
                       .affine(true)
                       .track_running_stats(true));
}

namespace {

// The reference calls init.kaiming_normal_(w) with its defaults: fan_in, leaky_relu with a=0,
// i.e. std = sqrt(2 / fan_in).
void kaimingNormalFanIn(torch::Tensor& weight) {
  torch::nn::init::kaiming_normal_(weight);
}

}  // namespace

void initialiseWeights(torch::nn::Module& model, ConvInit conv, LinearInit linear) {
  torch::NoGradGuard noGrad;
  // include_self=false: this runs inside constructors, before the model is owned by a shared_ptr.
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (auto* c = module->as<torch::nn::Conv2dImpl>()) {
      if (conv == ConvInit::kKaimingNormalFanOutRelu) {
        torch::nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
      } else {
        kaimingNormalFanIn(c->weight);
      }
      if (c->bias.defined()) torch::nn::init::zeros_(c->bias);
    } else if (auto* bn = module->as<BatchNormImpl>()) {
      torch::nn::init::ones_(bn->weight);
      torch::nn::init::zeros_(bn->bias);
    } else if (auto* fc = module->as<torch::nn::LinearImpl>()) {
      if (linear == LinearInit::kKaimingNormalFanIn) {
        kaimingNormalFanIn(fc->weight);
      } else if (linear == LinearInit::kNormalStd001ZeroBias) {
        torch::nn::init::normal_(fc->weight, 0.0, 0.01);
        torch::nn::init::zeros_(fc->bias);
      }
    }
  }
}

}  // namespace mu::layers
