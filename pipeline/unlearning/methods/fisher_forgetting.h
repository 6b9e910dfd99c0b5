#pragma once
// ff, Fisher forgetting as the reference's fisher_new (docs/reference-behaviour.md §6.5): estimate
// a diagonal Fisher over D_r, then replace every parameter by a draw from N(theta0, var) whose
// variance comes from the inverse Fisher through a set of heuristics (clamps, a mean over input
// channels, x10 for the classifier and 1-D parameters, and the forgotten class's classifier row
// pulled to 0).

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "pipeline/training/progress.h"
#include "pipeline/unlearning/gradient_statistics.h"

namespace mu {

// fisher_new's Fisher diagonal, flat in the layout's order: D_r `rows` in batches of `batchSize`
// (32 in the reference) in the given order; per batch the logits z once, p = softmax(z), and for
// every class y: F += mean_i p_i[y] * (d mean_i CE(z_i, y) / d theta)^2; finally F /= batches.
// Batch b is computed by rank b mod n and the ranks' sums are added, so F is the one-rank value
// (up to float summation order) on every rank. Undefined when a stop signal arrived.
torch::Tensor fisherDiagonal(const StatisticsPass& pass, const std::vector<int64_t>& rows,
                             int64_t batchSize, ProgressReporter& progress);

struct FisherPosterior {
  torch::Tensor mean;
  torch::Tensor variance;
};

// The noise distribution of one parameter `theta` with Fisher diagonal `fisher`
// (docs/reference-behaviour.md §6.5 step 3): var = min(1/(F + 1e-8), 1e3), and min(., 1e2) when
// size(0) == numClasses; var *= alpha; for more than one dimension var becomes its mean over dim 1;
// mean = theta, except that each row of `forgottenClasses` (the classes forgotten whole; none
// otherwise) of a size(0) == numClasses parameter gets mean 0 and var 1e-4; then var *= 10 when
// size(0) ==
// numClasses, or else when theta is 1-D. (The reference keys "the whole class" on hard-coded
// counts, 4500 or 450, and so also zeroes the last row in a random forgetting of 4500 CIFAR-10
// samples; we key it on the forget set.)
FisherPosterior fisherPosterior(const torch::Tensor& theta, const torch::Tensor& fisher,
                                double alpha, int64_t numClasses,
                                const std::vector<int64_t>& forgottenClasses);

}  // namespace mu
