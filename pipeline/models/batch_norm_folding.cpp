#include "pipeline/models/batch_norm_folding.h"

#include "pipeline/models/layers.h"

namespace mu {
namespace {

// In double precision, so the folded weights carry no more rounding than one float conversion.
void foldInto(torch::nn::Conv2dImpl& conv, layers::BatchNormImpl& norm) {
  const auto wide = [](const torch::Tensor& t) { return t.to(torch::kDouble); };
  const torch::Tensor scale =
      wide(norm.weight) / (wide(norm.running_var) + norm.options.eps()).sqrt();
  const torch::Tensor convBias =
      conv.bias.defined() ? wide(conv.bias) : torch::zeros_like(wide(norm.running_mean));
  const torch::Tensor bias = (convBias - wide(norm.running_mean)) * scale + wide(norm.bias);
  // copy_ keeps the weight's memory format.
  conv.weight.copy_(wide(conv.weight) * scale.view({-1, 1, 1, 1}));
  if (conv.bias.defined()) {
    conv.bias.copy_(bias);
  } else {
    // Conv2d's forward adds `bias` whenever it is defined; a plain tensor, not a parameter, as the
    // copy neither trains nor saves.
    conv.bias = bias.to(conv.weight.scalar_type());
  }
  norm.markFolded();
}

}  // namespace

int foldBatchNorms(Classifier& model) {
  torch::NoGradGuard noGrad;
  int folded = 0;
  torch::nn::Conv2dImpl* previousConv = nullptr;
  for (const auto& module : model.modules(/*include_self=*/false)) {
    if (!module->children().empty()) continue;  // blocks and Sequentials: only their leaves run
    auto* norm = module->as<layers::BatchNormImpl>();
    if (norm && previousConv && !norm->folded() && norm->options.affine() &&
        norm->options.track_running_stats() &&
        previousConv->options.out_channels() == norm->options.num_features()) {
      foldInto(*previousConv, *norm);
      ++folded;
    }
    previousConv = module->as<torch::nn::Conv2dImpl>();
  }
  return folded;
}

}  // namespace mu
