#include "pipeline/training/masked_sgd.h"

#include <torch/torch.h>

#include "pipeline/error.h"

namespace mu {

std::vector<std::pair<std::string, torch::Tensor>> namedParameterList(torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> named;
  for (auto& parameter : module.named_parameters()) {
    named.emplace_back(parameter.key(), parameter.value());
  }
  return named;
}

MaskedSgd::MaskedSgd(std::vector<std::pair<std::string, torch::Tensor>> parameters,
                     SgdOptions options, TensorMap masks)
    : parameters_(std::move(parameters)), options_(options), masks_(std::move(masks)) {
  for (const auto& [name, mask] : masks_) {
    const auto found = std::find_if(parameters_.begin(), parameters_.end(),
                                    [&](const auto& entry) { return entry.first == name; });
    if (found == parameters_.end() || !found->second.sizes().equals(mask.sizes())) {
      throw InputError("mask '" + name + "' matches no parameter of that shape in the model");
    }
  }
}

void MaskedSgd::zeroGrad() {
  for (auto& [name, parameter] : parameters_) {
    if (parameter.grad().defined()) parameter.mutable_grad().zero_();
  }
}

void MaskedSgd::step() {
  torch::NoGradGuard noGrad;
  for (auto& [name, parameter] : parameters_) {
    const torch::Tensor& gradient = parameter.grad();
    if (!gradient.defined()) continue;
    torch::Tensor update = options_.weightDecay != 0 ? gradient.add(parameter, options_.weightDecay)
                                                     : gradient.clone();
    const auto mask = masks_.find(name);
    if (mask != masks_.end()) update.mul_(mask->second);
    if (options_.momentum != 0) {
      auto buffer = momentum_.find(name);
      if (buffer == momentum_.end()) {
        buffer = momentum_.emplace(name, update).first;
      } else {
        buffer->second.mul_(options_.momentum).add_(update);
      }
      parameter.add_(buffer->second, -options_.lr);
    } else {
      parameter.add_(update, -options_.lr);
    }
  }
}

}  // namespace mu
