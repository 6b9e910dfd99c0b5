#include "pipeline/training/masked_sgd.h"

#include <torch/torch.h>

#include <algorithm>

#include "pipeline/base/error.h"
#include "pipeline/training/fused_sgd_step.h"

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
  // Laid out as their parameters (NHWC weights included), which the CPU's one-pass update
  // needs; on a GPU it keeps the elementwise kernels on matching strides.
  for (auto& [name, mask] : masks_) {
    mask = torch::empty_like(parameterNamed(name)).copy_(mask);
  }
}

const torch::Tensor& MaskedSgd::parameterNamed(const std::string& name) const {
  const auto found = std::find_if(parameters_.begin(), parameters_.end(),
                                  [&](const auto& entry) { return entry.first == name; });
  if (found == parameters_.end()) {
    throw InputError("optimizer state '" + name + "' matches no parameter of the model");
  }
  return found->second;
}

void MaskedSgd::setMomentum(TensorMap momentum) {
  for (auto& [name, buffer] : momentum) buffer = buffer.to(parameterNamed(name).device());
  momentum_ = std::move(momentum);
}

void MaskedSgd::zeroGrad() {
  for (auto& [name, parameter] : parameters_) {
    if (parameter.grad().defined()) parameter.mutable_grad().zero_();
  }
}

void MaskedSgd::step() {
  if (!parameters_.empty() && parameters_.front().second.is_cuda()) {
    stepMultiTensor();
    return;
  }
  for (auto& [name, parameter] : parameters_) {
    const torch::Tensor& gradient = parameter.grad();
    if (!gradient.defined()) continue;
    const auto mask = masks_.find(name);
    torch::Tensor& buffer = options_.momentum != 0 ? momentum_[name] : noMomentum_;
    fusedSgdStep(parameter, gradient, mask != masks_.end() ? mask->second : torch::Tensor(), buffer,
                 options_);
  }
}

void MaskedSgd::stepMultiTensor() {
  torch::NoGradGuard noGrad;
  std::vector<torch::Tensor> parameters;
  std::vector<torch::Tensor> gradients;
  std::vector<const std::string*> names;
  for (auto& [name, parameter] : parameters_) {
    if (!parameter.grad().defined()) continue;
    parameters.push_back(parameter);
    gradients.push_back(parameter.grad());
    names.push_back(&name);
  }
  if (parameters.empty()) return;
  // d = g + wd * w (a new list: the gradients stay as they are), masked where pruned.
  std::vector<torch::Tensor> updates;
  if (options_.weightDecay != 0) {
    updates = torch::_foreach_add(gradients, parameters, options_.weightDecay);
  } else {
    for (const torch::Tensor& gradient : gradients) updates.push_back(gradient.clone());
  }
  std::vector<torch::Tensor> maskedUpdates;
  std::vector<torch::Tensor> masks;
  for (size_t i = 0; i < names.size(); ++i) {
    const auto mask = masks_.find(*names[i]);
    if (mask == masks_.end()) continue;
    maskedUpdates.push_back(updates[i]);
    masks.push_back(mask->second);
  }
  if (!maskedUpdates.empty()) torch::_foreach_mul_(maskedUpdates, masks);
  if (options_.momentum == 0) {
    torch::_foreach_add_(parameters, updates, -options_.lr);
    return;
  }
  // buf = d on a parameter's first step, else mu * buf + d; then w -= lr * buf.
  std::vector<torch::Tensor> buffers;
  std::vector<torch::Tensor> existing;
  std::vector<torch::Tensor> existingUpdates;
  for (size_t i = 0; i < names.size(); ++i) {
    auto buffer = momentum_.find(*names[i]);
    if (buffer == momentum_.end()) {
      buffer = momentum_.emplace(*names[i], updates[i]).first;
    } else {
      existing.push_back(buffer->second);
      existingUpdates.push_back(updates[i]);
    }
    buffers.push_back(buffer->second);
  }
  if (!existing.empty()) {
    torch::_foreach_mul_(existing, options_.momentum);
    torch::_foreach_add_(existing, existingUpdates);
  }
  torch::_foreach_add_(parameters, buffers, -options_.lr);
}

}  // namespace mu
