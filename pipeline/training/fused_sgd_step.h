#pragma once
// The masked SGD update of one CPU parameter in a single pass over memory (as PyTorch's fused
// and multi-tensor SGD do on GPUs): d = g + wd*w, d *= mask, buf = d on the first step else
// mu*buf + d, w -= lr*buf (docs/reference-behaviour.md §1.5). Done with tensor operations this
// is four passes and a temporary as large as the parameter; here it reads each value once and
// allocates nothing after the first step.

#include <torch/types.h>

#include "pipeline/training/masked_sgd.h"

namespace mu {

// `parameter`, `gradient`, `mask` (undefined: unpruned) and `momentum` (undefined: the first
// step; with options.momentum != 0 it is created, laid out as the parameter) are fp32 CPU
// tensors of one shape. Any layout works; the single pass needs them laid out alike, and
// copies those that are not.
void fusedSgdStep(torch::Tensor& parameter, const torch::Tensor& gradient,
                  const torch::Tensor& mask, torch::Tensor& momentum, const SgdOptions& options);

}  // namespace mu
