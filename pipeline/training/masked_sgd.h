#pragma once
// SGD exactly as PyTorch 1.12 computes it (docs/reference-behaviour.md §1.5: d = g + wd*w; buf = d
// at the first step, then mu*buf + d; w -= lr*buf; dampening 0, no Nesterov), over named
// parameters, with pruning masks: a pruned weight's update (gradient, weight decay and momentum
// alike) is masked, so it stays exactly zero. Momentum buffers are kept by parameter name for
// checkpoints.

#include <torch/nn/module.h>
#include <torch/types.h>

#include "pipeline/models/tensor_map.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mu {

struct SgdOptions {
  double lr = 0.1;
  double momentum = 0.9;
  double weightDecay = 5e-4;
};

// A module's parameters by name, in registration order: what MaskedSgd steps over.
std::vector<std::pair<std::string, torch::Tensor>> namedParameterList(torch::nn::Module& module);

class MaskedSgd {
 public:
  // `masks` maps parameter names to 0/1 tensors of the parameter's shape; it may be empty. They
  // are kept on their parameter's device (and momentum given to setMomentum too), so a model on
  // a GPU steps there.
  MaskedSgd(std::vector<std::pair<std::string, torch::Tensor>> parameters, SgdOptions options,
            TensorMap masks = {});

  void setLr(double lr) { options_.lr = lr; }
  double lr() const { return options_.lr; }
  void zeroGrad();
  void step();

  // By parameter name; a parameter without an entry has taken no step yet.
  const TensorMap& momentum() const { return momentum_; }
  void setMomentum(TensorMap momentum);
  const TensorMap& masks() const { return masks_; }

 private:
  std::vector<std::pair<std::string, torch::Tensor>> parameters_;
  SgdOptions options_;
  // A CPU step is one pass per parameter (fused_sgd_step.h).
  // One step where the parameters live on a GPU: the same arithmetic as fused multi-tensor
  // kernels, as PyTorch's SGD does there (one launch per operation instead of one per tensor).
  void stepMultiTensor();
  const torch::Tensor& parameterNamed(const std::string& name) const;

  TensorMap masks_;
  TensorMap momentum_;
  torch::Tensor noMomentum_;  // stays undefined: what a step without momentum passes
};

}  // namespace mu
