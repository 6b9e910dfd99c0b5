#pragma once
// l1-sparse unlearning (docs/reference-behaviour.md §6.6), the paper's method: fine-tune on D_r
// with CE + gamma_t * ||theta||_1 over every parameter, gamma decaying linearly per epoch.

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "pipeline/training/training_loop.h"

namespace mu {

// gamma_t = alpha (1 - t / (E - E0)) for t < E - E0; alpha when E - E0 = 0 (the reference's way
// to ask for a constant gamma); 0 for the last E0 ("no-l1") epochs.
double l1Gamma(double alpha, int64_t epoch, int64_t epochs, int64_t noL1Epochs);

// TrainingLoop's loss plus this rank's share of gamma * ||parameters||_1. The share is the rank's
// fraction of the global batch (slice / global batch size): the all-reduce sums the ranks'
// gradients, so together they add exactly gamma * sign(theta), as one rank with the whole batch
// does, whatever the rank count or an empty slice. The subgradient at 0 is 0 (pruned weights).
LossFunction l1RegularisedLoss(std::vector<torch::Tensor> parameters,
                               std::function<double()> gamma);

}  // namespace mu
