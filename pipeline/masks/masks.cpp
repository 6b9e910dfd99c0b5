#include "pipeline/masks/masks.h"

#include <torch/torch.h>

#include "pipeline/base/error.h"

namespace mu {

NamedTensors prunableWeights(const Classifier& model, const PruneScope& scope) {
  NamedTensors weights = model.convWeights();
  if (scope.includeLinear) {
    for (auto& entry : model.linearWeights()) weights.push_back(std::move(entry));
  }
  return weights;
}

TensorMap completeMasks(const NamedTensors& weights, const TensorMap& masks) {
  TensorMap complete = masks;
  for (const auto& [name, weight] : weights) {
    if (complete.count(name) == 0) complete.emplace(name, torch::ones_like(weight).detach());
  }
  return complete;
}

void validateMasks(const Classifier& model, const TensorMap& masks) {
  const auto parameters = model.named_parameters();
  for (const auto& [name, mask] : masks) {
    const torch::Tensor* parameter = parameters.find(name);
    if (parameter == nullptr) {
      throw InputError("mask '" + name + "': the model has no parameter of that name");
    }
    if (!mask.sizes().equals(parameter->sizes())) {
      throw InputError("mask '" + name + "': shape " + c10::str(mask.sizes()) +
                       " differs from the parameter's " + c10::str(parameter->sizes()));
    }
    if (!torch::logical_or(mask == 0, mask == 1).all().item<bool>()) {
      throw InputError("mask '" + name + "': holds values other than 0 and 1");
    }
  }
}

void applyMasks(Classifier& model, const TensorMap& masks) {
  validateMasks(model, masks);
  torch::NoGradGuard noGrad;
  auto parameters = model.named_parameters();
  for (const auto& [name, mask] : masks) {
    parameters[name].mul_(mask.to(parameters[name].device(), parameters[name].dtype()));
  }
}

}  // namespace mu
