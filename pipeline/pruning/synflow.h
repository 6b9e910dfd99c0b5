#pragma once
// SynFlow (docs/reference-behaviour.md §5.4): data-free pruning at initialisation. The score of a
// weight is |dR/dw ⊙ w| where R is the sum of the logits of the all-ones input through the network
// with every parameter and buffer replaced by its absolute value; iterating the prune in small
// steps avoids layer collapse.
//
// Precision: the scores are computed in the model's own dtype (float32), as the reference's
// main_synflow.py does. SynFlow's original implementation switches to float64 because R is a
// product over all layers and can overflow on very deep nets; for the architectures here R stays
// finite in float32, and pruneByScores refuses NaN scores should it not.

#include <torch/types.h>

#include <cstdint>

#include "pipeline/masks/masks.h"
#include "pipeline/models/classifier.h"
#include "pipeline/models/tensor_map.h"

namespace mu {

struct SynflowOptions {
  int64_t channels = 3;  // the all-ones input is 1 x channels x height x width
  int64_t height = 32;
  int64_t width = 32;
  int iterations = 100;
  PruneScope scope;
};

// The SynFlow score of every prunable weight, computed on the masked (effective) weights, so a
// pruned entry scores 0. Runs in eval mode (BN uses its running statistics); afterwards every
// parameter and buffer, the training mode and the parameters' .grad are as before.
NamedTensors synflowScores(Classifier& model, const TensorMap& masks,
                           const SynflowOptions& options);

// Prunes the fraction `rate` of the remaining prunable weights in options.iterations global
// rounds of q = 1 - (1 - rate)^(1 / iterations) each, rescoring before every round. Returns the
// new masks (the old ones AND the pruned); the model's weights are left as they were.
TensorMap synflowMasks(Classifier& model, const TensorMap& masks, double rate,
                       const SynflowOptions& options);

}  // namespace mu
