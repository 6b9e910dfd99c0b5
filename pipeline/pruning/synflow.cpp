#include "pipeline/pruning/synflow.h"

#include <torch/torch.h>

#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/pruning/global_pruning.h"

namespace mu {
namespace {

// Puts the model into SynFlow's linearised form and back: eval mode, |every parameter and
// buffer|, and prunable weights multiplied by their masks. The reference remembers signs; keeping
// copies instead restores the values bit for bit, including weights hidden under a mask.
class LinearisedModel {
 public:
  LinearisedModel(Classifier& model, const TensorMap& masks) : model_(model) {
    wasTraining_ = model.is_training();
    torch::NoGradGuard noGrad;
    for (auto& tensor : stateTensors()) {
      saved_.push_back(tensor.clone());
      tensor.abs_();
    }
    auto parameters = model.named_parameters();
    for (const auto& [name, mask] : masks) parameters[name].mul_(mask);
    model.eval();
  }
  ~LinearisedModel() {
    torch::NoGradGuard noGrad;
    auto tensors = stateTensors();
    for (size_t i = 0; i < tensors.size(); ++i) tensors[i].copy_(saved_[i]);
    model_.train(wasTraining_);
  }
  LinearisedModel(const LinearisedModel&) = delete;
  LinearisedModel& operator=(const LinearisedModel&) = delete;

 private:
  std::vector<torch::Tensor> stateTensors() const {
    std::vector<torch::Tensor> tensors = model_.parameters();
    for (auto& buffer : model_.buffers()) tensors.push_back(buffer);
    return tensors;
  }

  Classifier& model_;
  bool wasTraining_ = false;
  std::vector<torch::Tensor> saved_;
};

}  // namespace

NamedTensors synflowScores(Classifier& model, const TensorMap& masks,
                           const SynflowOptions& options) {
  validateMasks(model, masks);
  const NamedTensors weights = prunableWeights(model, options.scope);
  LinearisedModel linearised(model, masks);
  const torch::Tensor ones = torch::ones({1, options.channels, options.height, options.width});
  const torch::Tensor r = model.forward(ones).sum();
  std::vector<torch::Tensor> inputs;
  for (const auto& entry : weights) inputs.push_back(entry.second);
  // autograd::grad rather than backward(): the parameters' .grad stay untouched.
  const auto gradients = torch::autograd::grad({r}, inputs);
  NamedTensors scores;
  torch::NoGradGuard noGrad;
  for (size_t i = 0; i < weights.size(); ++i) {
    // The weights are still linearised here (|w| ⊙ mask), i.e. the effective weights.
    scores.emplace_back(weights[i].first, (gradients[i] * weights[i].second).abs());
  }
  return scores;
}

TensorMap synflowMasks(Classifier& model, const TensorMap& masks, double rate,
                       const SynflowOptions& options) {
  validateRate(rate);
  if (options.iterations < 1) {
    throw InputError("SynFlow iterations " + std::to_string(options.iterations) +
                     ": expected at least 1");
  }
  const double perIteration = rateForRounds(rate, options.iterations);
  TensorMap current = masks;
  for (int iteration = 0; iteration < options.iterations; ++iteration) {
    current = pruneByScores(synflowScores(model, current, options), current, perIteration);
  }
  return current;
}

}  // namespace mu
