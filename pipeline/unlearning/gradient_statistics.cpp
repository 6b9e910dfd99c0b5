#include "pipeline/unlearning/gradient_statistics.h"

#include <torch/torch.h>

#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/masks/masks.h"
#include "pipeline/training/masked_sgd.h"
#include "pipeline/unlearning/unlearning_method.h"

namespace mu {

ParameterLayout::ParameterLayout(Classifier& model, const TensorMap& masks)
    : parameters_(namedParameterList(model)) {
  offsets_.push_back(0);
  for (const auto& [name, parameter] : parameters_) {
    const auto mask = masks.find(name);
    masks_.push_back(mask == masks.end() ? torch::Tensor()
                                         : mask->second.to(parameter.options()).detach());
    offsets_.push_back(offsets_.back() + parameter.numel());
  }
}

std::vector<torch::Tensor> ParameterLayout::gradients(const torch::Tensor& loss,
                                                      bool retainGraph) const {
  std::vector<torch::Tensor> inputs;
  inputs.reserve(parameters_.size());
  for (const auto& entry : parameters_) inputs.push_back(entry.second);
  std::vector<torch::Tensor> gradients =
      torch::autograd::grad({loss}, inputs, {}, retainGraph, false, /*allow_unused=*/true);
  for (size_t index = 0; index < gradients.size(); ++index) {
    if (!gradients[index].defined()) {
      gradients[index] = torch::zeros_like(inputs[index]);
    } else if (masks_[index].defined()) {
      gradients[index] = gradients[index] * masks_[index];
    }
  }
  return gradients;
}

torch::Tensor ParameterLayout::flatten(const std::vector<torch::Tensor>& tensors) const {
  std::vector<torch::Tensor> flat;
  flat.reserve(tensors.size());
  for (const torch::Tensor& tensor : tensors) flat.push_back(tensor.reshape({-1}));
  return torch::cat(flat).to(torch::kFloat32).contiguous();
}

std::vector<torch::Tensor> ParameterLayout::unflatten(const torch::Tensor& flat) const {
  std::vector<torch::Tensor> views;
  views.reserve(parameters_.size());
  for (size_t index = 0; index < parameters_.size(); ++index) {
    views.push_back(flat.slice(0, offsets_[index], offsets_[index + 1])
                        .view(parameters_[index].second.sizes()));
  }
  return views;
}

torch::Tensor ParameterLayout::zeros() const {
  return torch::zeros({numel()}, parameters_.front().second.options().dtype(torch::kFloat32));
}

torch::Tensor statisticsImages(const LoadedSplit& train, const std::vector<int64_t>& rows,
                               const AugmentOptions& augment, uint64_t seed, int64_t epoch,
                               const torch::Device& device) {
  return train.source->batch(rows, {augment, seed, epoch}, {device, false});
}

torch::Tensor statisticsLabels(const LoadedSplit& train, const std::vector<int64_t>& rows,
                               const torch::Device& device) {
  return train.labels.index_select(0, torch::tensor(rows)).to(torch::kInt64).to(device);
}

torch::Tensor StatisticsPass::gradientOfSum(const std::vector<int64_t>& rows) const {
  const torch::Tensor logits =
      model.forward(statisticsImages(train, rows, augment, seed, epoch, device()));
  const torch::Tensor loss = torch::nn::functional::cross_entropy(
      logits, statisticsLabels(train, rows, device()),
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
  return layout.flatten(layout.gradients(loss, false));
}

StatisticsPass beginStatisticsPass(UnlearnContext& context, const ParameterLayout& layout,
                                   bool augment) {
  applyMasks(context.model, context.masks);
  broadcastParametersAndBuffers(context.model, context.comm, 0);
  return {context.model,
          layout,
          context.comm,
          context.train,
          augment ? context.augment : AugmentOptions{},
          context.seed};
}

std::vector<int64_t> rowRange(const std::vector<int64_t>& rows, int64_t begin, int64_t end) {
  return std::vector<int64_t>(rows.begin() + begin, rows.begin() + end);
}

}  // namespace mu
