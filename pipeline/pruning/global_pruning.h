#pragma once
// Global unstructured pruning (docs/reference-behaviour.md §5.2): the scores of all prunable
// weights form one vector, and among the entries still unpruned the round(rate * n_remaining) with
// the smallest scores are pruned, as PyTorch's global_unstructured with
// L1Unstructured/RandomUnstructured inside a PruningContainer does. The rate is a fraction of the
// *remaining* weights.

#include <torch/types.h>

#include <cstdint>
#include <string>

#include "pipeline/masks/masks.h"
#include "pipeline/models/classifier.h"
#include "pipeline/models/tensor_map.h"

namespace mu {

// Python's round(rate * remaining): the product in double precision, halves to even.
int64_t pruneCount(double rate, int64_t remaining);

// The per-round rate that reaches `targetSparsity` after `rounds` rounds of pruning the same
// fraction of the remaining weights: 1 - (1 - target)^(1 / rounds). InputError unless the target
// is in (0, 1) and rounds >= 1.
double rateForRounds(double targetSparsity, int rounds);

// One line for the console, e.g. "prune 20.00% of the remaining weights in each of 3 rounds:
// density 51.20% (sparsity 48.80%) after the last".
std::string describeRounds(double rate, int rounds);

// InputError unless 0 < rate < 1.
void validateRate(double rate);

// InputError when the model is already sparser than the requested target (both as fractions),
// naming both: pruning can only remove weights.
void requireNotSparserThan(double currentSparsity, double targetSparsity);

// The core selection. `scores` lists every prunable weight's score tensor (weight-shaped) in the
// global order; `masks` holds the current masks (a missing entry is dense). Returns a mask for
// every scored weight: old mask AND NOT (among the old mask's ones, the pruneCount(rate, n)
// smallest scores). Ties are broken by the global flat index (registration order, then row-major
// within a weight): the earlier entry is pruned first, so equal scores give the same mask every
// time. Throws std::runtime_error on a NaN score among the remaining entries.
TensorMap pruneByScores(const NamedTensors& scores, const TensorMap& masks, double rate);

// Scores |w ⊙ m|, the magnitude of the currently effective weights.
TensorMap globalMagnitudeMasks(const Classifier& model, const TensorMap& masks, double rate,
                               const PruneScope& scope = {});

// Scores uniform in [0, 1) from a torch CPU generator seeded with `seed`, drawn weight by weight
// in the global order: the same seed gives the same mask.
TensorMap globalRandomMasks(const Classifier& model, const TensorMap& masks, double rate,
                            uint64_t seed, const PruneScope& scope = {});

}  // namespace mu
