#include "pipeline/pruning/global_pruning.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "pipeline/base/error.h"

namespace mu {
namespace {

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100.0 * fraction);
  return text;
}

// Magnitude of the effective weights: a pruned entry scores 0 whatever its stored value.
NamedTensors magnitudeScores(const NamedTensors& weights, const TensorMap& masks) {
  torch::NoGradGuard noGrad;
  NamedTensors scores;
  for (const auto& [name, weight] : weights) {
    const auto mask = masks.find(name);
    torch::Tensor effective = mask == masks.end() ? weight : weight * mask->second;
    scores.emplace_back(name, effective.abs().to(torch::kFloat32));
  }
  return scores;
}

}  // namespace

int64_t pruneCount(double rate, int64_t remaining) {
  const double product = rate * static_cast<double>(remaining);
  const double lower = std::floor(product);
  const double fraction = product - lower;
  auto count = static_cast<int64_t>(lower);
  if (fraction > 0.5 || (fraction == 0.5 && count % 2 != 0)) ++count;
  return count;
}

void validateRate(double rate) {
  if (!(rate > 0.0 && rate < 1.0)) {
    throw InputError("pruning rate " + std::to_string(rate) +
                     " is outside (0, 1): it is the fraction of the remaining weights to prune");
  }
}

double rateForRounds(double targetSparsity, int rounds) {
  if (!(targetSparsity > 0.0 && targetSparsity < 1.0)) {
    throw InputError("target sparsity " + std::to_string(targetSparsity) + " is outside (0, 1)");
  }
  if (rounds < 1) {
    throw InputError("pruning rounds " + std::to_string(rounds) + ": expected at least 1");
  }
  return 1.0 - std::pow(1.0 - targetSparsity, 1.0 / rounds);
}

std::string describeRounds(double rate, int rounds) {
  const double density = std::pow(1.0 - rate, rounds);
  return "prune " + percent(rate) + " of the remaining weights in each of " +
         std::to_string(rounds) + (rounds == 1 ? " round" : " rounds") + ": density " +
         percent(density) + " (sparsity " + percent(1.0 - density) + ") after the last";
}

void requireNotSparserThan(double currentSparsity, double targetSparsity) {
  if (currentSparsity > targetSparsity) {
    throw InputError("the model is already " + percent(currentSparsity) +
                     " sparse, more than the target sparsity " + percent(targetSparsity) +
                     ": pruning cannot add weights back");
  }
}

TensorMap pruneByScores(const NamedTensors& scores, const TensorMap& masks, double rate) {
  validateRate(rate);
  torch::NoGradGuard noGrad;
  // One flat vector of scores and one of masks, in the global order.
  std::vector<torch::Tensor> flatScores;
  std::vector<torch::Tensor> flatMasks;
  for (const auto& [name, score] : scores) {
    flatScores.push_back(score.detach().to(torch::kFloat32).reshape(-1));
    const auto mask = masks.find(name);
    flatMasks.push_back(mask == masks.end() ? torch::ones({score.numel()}, torch::kBool)
                                            : mask->second.reshape(-1) != 0);
  }
  const torch::Tensor allScores = torch::cat(flatScores);
  const torch::Tensor alive = torch::cat(flatMasks);
  const torch::Tensor remainingScores = allScores.masked_select(alive);
  const int64_t count = pruneCount(rate, remainingScores.numel());

  torch::Tensor keep = alive.clone();
  if (count > 0) {
    if (remainingScores.isnan().any().item<bool>()) {
      throw std::runtime_error("pruning: NaN among the scores of the remaining weights");
    }
    // kthvalue is a selection, not a sort: O(n), well under a second for ResNet-18's 11 M
    // weights. Everything below the threshold goes; at the threshold, the lowest flat indices go
    // until `count` is reached, which makes ties deterministic.
    const float threshold = std::get<0>(torch::kthvalue(remainingScores, count)).item<float>();
    const torch::Tensor below = alive & (allScores < threshold);
    const int64_t needed = count - below.sum().item<int64_t>();
    const torch::Tensor tied = alive & (allScores == threshold);
    const torch::Tensor tiedPruned = tied & (tied.cumsum(0) <= needed);
    keep = alive & ~below & ~tiedPruned;
  }

  TensorMap result = masks;  // masks of weights outside `scores` pass through unchanged
  int64_t offset = 0;
  for (const auto& [name, score] : scores) {
    result[name] = keep.narrow(0, offset, score.numel()).reshape(score.sizes()).to(torch::kFloat32);
    offset += score.numel();
  }
  return result;
}

TensorMap globalMagnitudeMasks(const Classifier& model, const TensorMap& masks, double rate,
                               const PruneScope& scope) {
  validateMasks(model, masks);
  return pruneByScores(magnitudeScores(prunableWeights(model, scope), masks), masks, rate);
}

TensorMap globalRandomMasks(const Classifier& model, const TensorMap& masks, double rate,
                            uint64_t seed, const PruneScope& scope) {
  validateMasks(model, masks);
  // Our own generator, so that the draw neither depends on nor disturbs torch's global one.
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  NamedTensors scores;
  for (const auto& [name, weight] : prunableWeights(model, scope)) {
    scores.emplace_back(name, torch::rand(weight.sizes(), generator, torch::kFloat32));
  }
  return pruneByScores(scores, masks, rate);
}

}  // namespace mu
