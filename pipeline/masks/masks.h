#pragma once
// Pruning masks (docs/reference-behaviour.md §5.1): 0/1 float tensors of a weight's shape, keyed by
// the weight's parameter name (the keys MaskedSgd takes). A prunable weight without a mask is
// dense.

#include <torch/types.h>

#include "pipeline/models/classifier.h"
#include "pipeline/models/tensor_map.h"

namespace mu {

// Which weights pruning works on. The reference prunes every Conv2d weight and nothing else;
// Linear weights are an option of ours.
struct PruneScope {
  bool includeLinear = false;
};

// The prunable weights of `model` in registration order (conv first, then linear if asked); the
// tensors share storage with the model's parameters.
NamedTensors prunableWeights(const Classifier& model, const PruneScope& scope = {});

// `masks` completed with an all-ones mask for every weight that has none, so that every weight of
// `weights` has an entry (the other entries are kept as they are).
TensorMap completeMasks(const NamedTensors& weights, const TensorMap& masks);

// Throws InputError naming the first bad mask: a name that is no parameter of `model`, a shape
// other than the parameter's, or a value other than 0 and 1.
void validateMasks(const Classifier& model, const TensorMap& masks);

// Validates, then multiplies every masked parameter by its mask in place (without recording
// autograd history), so that pruned weights are exactly zero.
void applyMasks(Classifier& model, const TensorMap& masks);

}  // namespace mu
