#pragma once
// iu, influence unlearning as the reference's wfisher (docs/reference-behaviour.md §6.7): a
// one-shot Newton-like step theta += alpha * k, where k comes from the forget and retain gradient
// sums through the reference's degenerate "WoodFisher" recursion.

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "pipeline/training/progress.h"
#include "pipeline/unlearning/gradient_statistics.h"

namespace mu {

// Sum over `rows` of each sample's masked cross-entropy gradient, over all ranks: one contiguous
// slice of the rows per rank, in batches of `batchSize` (in eval mode a sample's gradient does not
// depend on its batch). Flat in the layout's order; undefined when a stop signal arrived.
torch::Tensor gradientSum(const StatisticsPass& pass, const std::vector<int64_t>& rows,
                          int64_t batchSize, ProgressReporter& progress);

// v = G_f / N - n_f / (N n_r) * G_r, with N = n_f + n_r.
torch::Tensor influenceVector(const torch::Tensor& forgetGradientSum, int64_t forgetCount,
                              const torch::Tensor& retainGradientSum, int64_t retainCount);

// The reference's recursion over retain samples g_0, g_1, ...: k = v, o = g_0, then for n >= 1:
// t = o.g_n; k -= (k.g_n / (N_w + t)) o; o -= (t / (N_w + t)) o. o only ever gets rescaled, so
// o = s g_0 and k = v - c g_0 throughout, and the recursion needs no more than the dot products
// g0DotG[n-1] = g_0.g_n and vDotG[n-1] = v.g_n. Returns c (in double precision).
double woodFisherCoefficient(const std::vector<double>& g0DotG, const std::vector<double>& vDotG,
                             double woodFisherN);

// How many retain samples the recursion reads: the reference returns after the sample with index
// N_w + 1, i.e. N_w + 2 samples (1 002 for its N_w = 1000), or all of D_r when it is smaller.
int64_t woodFisherSampleCount(int64_t retainCount, int64_t woodFisherN);

// k = v - c g_0 over the first woodFisherSampleCount retain `rows`, identical on every rank: the
// per-sample gradients g_n are split over the ranks (sample n on rank n mod size), and only their
// dot products with g_0 and v travel. Undefined when a stop signal arrived.
torch::Tensor woodFisherDirection(const StatisticsPass& pass, const torch::Tensor& v,
                                  const std::vector<int64_t>& retainRows, int64_t woodFisherN,
                                  ProgressReporter& progress);

}  // namespace mu
