// Pruning against hand-computed counts (docs/reference-behaviour.md §5.2: round(rate * remaining)
// of the remaining conv weights, banker's rounding), SynFlow against a direct computation of its
// path sums (§5.4), and masks that keep pruned weights exactly zero through training.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/masks/masks.h"
#include "pipeline/masks/sparsity_report.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/pruning/global_pruning.h"
#include "pipeline/pruning/synflow.h"
#include "pipeline/training/masked_sgd.h"

namespace mu {
namespace {

std::shared_ptr<Classifier> modelOf(const std::string& arch, uint64_t seed) {
  torch::manual_seed(seed);
  ModelSpec spec;
  spec.arch = arch;
  return makeModel(spec);
}

std::shared_ptr<Classifier> tinyCnn() {
  return modelOf("tinycnn", 1);
}

int64_t keptCount(const TensorMap& masks) {
  int64_t kept = 0;
  for (const auto& [name, mask] : masks) kept += mask.sum().item<int64_t>();
  return kept;
}

bool sameMasks(const TensorMap& a, const TensorMap& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, mask] : a) {
    if (b.count(name) == 0 || !torch::equal(mask, b.at(name))) return false;
  }
  return true;
}

TEST(PruneCount, IsPythonRoundOfTheProduct) {
  EXPECT_EQ(pruneCount(0.25, 10), 2);  // 2.5 -> 2: halves go to even
  EXPECT_EQ(pruneCount(0.25, 14), 4);  // 3.5 -> 4
  EXPECT_EQ(pruneCount(0.5, 5), 2);
  EXPECT_EQ(pruneCount(0.2, 1368), 274);  // 273.6
  EXPECT_EQ(pruneCount(0.95, 11159232), 10601270);
}

TEST(GlobalPruning, BankersRoundingOnAHalfCase) {
  // 10 scores at rate 0.25: 2.5 entries to prune, Python's round() gives 2.
  const NamedTensors scores = {{"a", torch::arange(1, 11, torch::kFloat32)}};
  const TensorMap masks = pruneByScores(scores, {}, 0.25);
  EXPECT_TRUE(
      torch::equal(masks.at("a"), torch::tensor({0, 0, 1, 1, 1, 1, 1, 1, 1, 1}, torch::kFloat32)));
}

TEST(GlobalPruning, TinyCnnTwoRoundsKeepTheHandComputedCount) {
  auto model = tinyCnn();
  int64_t n = 0;
  for (const auto& [name, weight] : model->convWeights()) n += weight.numel();
  ASSERT_EQ(n, 3 * 8 * 9 + 8 * 16 * 9);
  const int64_t afterFirst = n - static_cast<int64_t>(std::nearbyint(0.2 * n));
  const int64_t afterSecond = afterFirst - static_cast<int64_t>(std::nearbyint(0.2 * afterFirst));
  const TensorMap first = globalMagnitudeMasks(*model, {}, 0.2);
  EXPECT_EQ(keptCount(first), afterFirst);
  const TensorMap second = globalMagnitudeMasks(*model, first, 0.2);
  EXPECT_EQ(keptCount(second), afterSecond);
  EXPECT_EQ(afterSecond, 875);
}

TEST(GlobalPruning, PrunesTheSmallestMagnitudesGlobally) {
  auto model = tinyCnn();
  const TensorMap masks = globalMagnitudeMasks(*model, {}, 0.5);
  float largestPruned = 0.0f;
  float smallestKept = INFINITY;
  for (const auto& [name, weight] : model->convWeights()) {
    const torch::Tensor magnitude = weight.detach().abs();
    const torch::Tensor pruned = magnitude.masked_select(masks.at(name) == 0);
    const torch::Tensor kept = magnitude.masked_select(masks.at(name) == 1);
    if (pruned.numel()) largestPruned = std::max(largestPruned, pruned.max().item<float>());
    if (kept.numel()) smallestKept = std::min(smallestKept, kept.min().item<float>());
  }
  EXPECT_LE(largestPruned, smallestKept);
}

TEST(GlobalPruning, ResNet18At95PercentKeeps557962ConvWeights) {
  auto model = modelOf("resnet18", 0);
  const TensorMap masks = globalMagnitudeMasks(*model, {}, 0.95);
  const SparsityReport report = sparsityReport(*model, masks);
  EXPECT_EQ(report.total, 11159232);
  EXPECT_EQ(report.remaining, 557962);
  EXPECT_EQ(report.total - report.remaining, 10601270);
}

TEST(GlobalPruning, TiesAreBrokenDeterministicallyByIndex) {
  const NamedTensors scores = {{"a", torch::ones({3, 4})}, {"b", torch::ones({6})}};
  const TensorMap first = pruneByScores(scores, {}, 0.5);
  const TensorMap second = pruneByScores(scores, {}, 0.5);
  EXPECT_TRUE(sameMasks(first, second));
  // 9 of 18 pruned, the earliest flat indices first: all of "a" but its last 3 entries.
  EXPECT_EQ(keptCount(first), 9);
  EXPECT_EQ(first.at("a").reshape(-1).slice(0, 0, 9).sum().item<int64_t>(), 0);
  EXPECT_EQ(first.at("b").sum().item<int64_t>(), 6);
}

TEST(GlobalPruning, RandomIsDeterministicPerSeedAndDiffersAcrossSeeds) {
  auto model = tinyCnn();
  const TensorMap a = globalRandomMasks(*model, {}, 0.5, 7);
  const TensorMap b = globalRandomMasks(*model, {}, 0.5, 7);
  const TensorMap c = globalRandomMasks(*model, {}, 0.5, 8);
  EXPECT_TRUE(sameMasks(a, b));
  EXPECT_FALSE(sameMasks(a, c));
  EXPECT_EQ(keptCount(a), 1368 - 684);
  EXPECT_EQ(keptCount(c), 1368 - 684);
}

TEST(GlobalPruning, LinearWeightsAreUntouchedUnlessAsked) {
  auto model = tinyCnn();
  const TensorMap convOnly = globalMagnitudeMasks(*model, {}, 0.5);
  EXPECT_EQ(convOnly.count("fc.weight"), 0u);
  EXPECT_EQ(convOnly.size(), 2u);
  const TensorMap withLinear = globalMagnitudeMasks(*model, {}, 0.5, {/*includeLinear=*/true});
  ASSERT_EQ(withLinear.count("fc.weight"), 1u);
  EXPECT_EQ(keptCount(withLinear), 1368 + 160 - 764);
}

TEST(GlobalPruning, MasksComposeAlreadyPrunedStayPruned) {
  auto model = tinyCnn();
  const TensorMap first = globalRandomMasks(*model, {}, 0.3, 1);
  // Magnitude pruning of the raw weights would rank the pruned entries by their stored values;
  // the new mask must still be a subset of the old one.
  const TensorMap second = globalMagnitudeMasks(*model, first, 0.3);
  for (const auto& [name, mask] : first) {
    EXPECT_TRUE(torch::equal(second.at(name) * mask, second.at(name))) << name;
  }
  EXPECT_EQ(keptCount(second), keptCount(first) - pruneCount(0.3, keptCount(first)));
}

TEST(GlobalPruning, RatesOutsideTheOpenIntervalAreRefused) {
  auto model = tinyCnn();
  for (const double rate : {0.0, 1.0, -0.1, 1.5, std::nan("")}) {
    EXPECT_THROW(globalMagnitudeMasks(*model, {}, rate), InputError) << rate;
    EXPECT_THROW(validateRate(rate), InputError) << rate;
  }
  EXPECT_THROW(rateForRounds(1.0, 2), InputError);
  EXPECT_THROW(rateForRounds(0.5, 0), InputError);
}

TEST(GlobalPruning, RateForRoundsReachesTheTarget) {
  const double rate = rateForRounds(0.95, 2);
  EXPECT_NEAR(rate, 1.0 - std::sqrt(0.05), 1e-15);
  EXPECT_NEAR(std::pow(1.0 - rate, 2), 0.05, 1e-15);
  EXPECT_DOUBLE_EQ(rateForRounds(0.2, 1), 0.2);
  EXPECT_EQ(describeRounds(0.2, 3),
            "prune 20.00% of the remaining weights in each of 3 rounds: density 51.20% "
            "(sparsity 48.80%) after the last");
}

TEST(GlobalPruning, ModelSparserThanTheTargetIsRefused) {
  auto model = tinyCnn();
  const TensorMap masks = globalMagnitudeMasks(*model, {}, 0.5);
  const double current = sparsityReport(*model, masks).sparsity();
  try {
    requireNotSparserThan(current, 0.3);
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("50.00%"), std::string::npos) << message;
    EXPECT_NE(message.find("30.00%"), std::string::npos) << message;
  }
  EXPECT_NO_THROW(requireNotSparserThan(current, 0.6));
}

TEST(Masks, BadMasksAreRefusedByName) {
  auto model = tinyCnn();
  const auto expectRefused = [&](const TensorMap& masks, const std::string& name) {
    try {
      applyMasks(*model, masks);
      FAIL() << "expected InputError for " << name;
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("'" + name + "'"), std::string::npos)
          << error.what();
    }
  };
  expectRefused({{"conv1.weight", torch::ones({8, 3, 3})}}, "conv1.weight");
  expectRefused({{"conv9.weight", torch::ones({8, 3, 3, 3})}}, "conv9.weight");
  expectRefused({{"conv2.weight", torch::full({16, 8, 3, 3}, 0.5)}}, "conv2.weight");
  EXPECT_THROW(globalMagnitudeMasks(*model, {{"conv1.weight", torch::ones({3})}}, 0.5), InputError);
}

TEST(Masks, ApplyZeroesThePrunedWeightsOnly) {
  auto model = tinyCnn();
  const torch::Tensor before = model->convWeights()[0].second.detach().clone();
  const TensorMap masks = globalMagnitudeMasks(*model, {}, 0.5);
  applyMasks(*model, masks);
  const torch::Tensor after = model->convWeights()[0].second.detach();
  EXPECT_TRUE(torch::equal(after, before * masks.at("conv1.weight")));
  EXPECT_TRUE(model->convWeights()[0].second.requires_grad());
}

TEST(SparsityReport, CountsPerLayerAndTotal) {
  auto model = tinyCnn();
  TensorMap masks = {{"conv1.weight", torch::zeros({8, 3, 3, 3})}};
  masks["conv1.weight"].slice(0, 0, 2).fill_(1);  // 2 of 8 filters: 54 of 216 remain
  const SparsityReport report = sparsityReport(*model, masks);
  ASSERT_EQ(report.layers.size(), 2u);
  EXPECT_EQ(report.layers[0].name, "conv1.weight");
  EXPECT_EQ(report.layers[0].remaining, 54);
  EXPECT_EQ(report.layers[0].total, 216);
  EXPECT_EQ(report.layers[1].remaining, 1152);  // no mask: dense
  EXPECT_EQ(report.remaining, 1206);
  EXPECT_EQ(report.total, 1368);
  EXPECT_NEAR(report.sparsity(), 162.0 / 1368.0, 1e-15);

  const nlohmann::json json = sparsityJson(report);
  EXPECT_EQ(json["remaining"], 1206);
  EXPECT_EQ(json["layers"][0]["name"], "conv1.weight");
  EXPECT_DOUBLE_EQ(json["layers"][0]["remaining_percent"].get<double>(), 25.0);
  EXPECT_NEAR(json["sparsity_percent"].get<double>(), 100.0 * 162.0 / 1368.0, 1e-12);

  const std::string text = formatSparsity(report);
  EXPECT_NE(text.find("conv1.weight             54 of            216 remain ( 25.00%)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("total                 1,206 of          1,368 remain ( 88.16%)"),
            std::string::npos)
      << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
}

// Two bias-free convolutions on a 2x3x3 input: conv1 (3 filters of 2x3x3) maps it to 3 values,
// conv2 (1x1, 4 filters) to the 4 logits. With all weights made positive and an all-ones input,
// R = sum_o sum_h |W2[o,h]| * sum_{c,i,j} |W1[h,c,i,j]|, so by hand
//   score(W1[h,c,i,j]) = |W1[h,c,i,j]| * sum_o |W2[o,h]|
//   score(W2[o,h])     = |W2[o,h]| * sum_{c,i,j} |W1[h,c,i,j]|.
class TwoConvNet : public Classifier {
 public:
  TwoConvNet() {
    conv1 =
        register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 3, 3).bias(false)));
    conv2 =
        register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 4, 1).bias(false)));
  }
  torch::Tensor forward(torch::Tensor x) override {
    return conv2(torch::relu(conv1(x))).flatten(1);
  }
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::Conv2d conv2{nullptr};
};

TEST(Synflow, ScoresMatchTheDirectPathSums) {
  torch::manual_seed(5);
  TwoConvNet model;
  const torch::Tensor w1Before = model.conv1->weight.detach().clone();
  const torch::Tensor w2Before = model.conv2->weight.detach().clone();
  // Mask one conv1 filter entry and one conv2 entry: they must drop out of every path.
  TensorMap masks = {{"conv1.weight", torch::ones({3, 2, 3, 3})},
                     {"conv2.weight", torch::ones({4, 3, 1, 1})}};
  masks["conv1.weight"][1][0][2][2] = 0;
  masks["conv2.weight"][3][0][0][0] = 0;
  model.train();
  const NamedTensors scores = synflowScores(model, masks, {2, 3, 3, 100, {}});

  const torch::Tensor w1 = (w1Before * masks["conv1.weight"]).abs();                  // [3,2,3,3]
  const torch::Tensor w2 = (w2Before * masks["conv2.weight"]).abs().reshape({4, 3});  // [o,h]
  const torch::Tensor expected1 = w1 * w2.sum(0).reshape({3, 1, 1, 1});
  const torch::Tensor expected2 = (w2 * w1.sum({1, 2, 3}).reshape({1, 3})).reshape({4, 3, 1, 1});
  ASSERT_EQ(scores.size(), 2u);
  EXPECT_EQ(scores[0].first, "conv1.weight");
  EXPECT_TRUE(torch::allclose(scores[0].second, expected1, 1e-5, 1e-7));
  EXPECT_TRUE(torch::allclose(scores[1].second, expected2, 1e-5, 1e-7));
  EXPECT_EQ(scores[0].second[1][0][2][2].item<float>(), 0.0f);

  // Signs, masked values and the training mode come back as they were.
  EXPECT_TRUE(torch::equal(model.conv1->weight.detach(), w1Before));
  EXPECT_TRUE(torch::equal(model.conv2->weight.detach(), w2Before));
  EXPECT_TRUE(model.is_training());
  EXPECT_FALSE(model.conv1->weight.grad().defined());
}

TEST(Synflow, IteratedPruningReachesTheRoundedDensity) {
  auto model = tinyCnn();
  const int iterations = 10;
  const TensorMap masks = synflowMasks(*model, {}, 0.9, {3, 8, 8, iterations, {}});
  const double q = rateForRounds(0.9, iterations);
  int64_t remaining = 1368;
  for (int i = 0; i < iterations; ++i) remaining -= pruneCount(q, remaining);
  EXPECT_EQ(keptCount(masks), remaining);
  EXPECT_EQ(masks.size(), 2u);
  // Layer collapse is what SynFlow avoids: both convolutions keep weights.
  for (const auto& [name, mask] : masks) EXPECT_GT(mask.sum().item<int64_t>(), 0) << name;
}

TEST(Masks, PrunedWeightsStayZeroThroughMaskedSgdTraining) {
  auto model = tinyCnn();
  const TensorMap masks = globalMagnitudeMasks(*model, {}, 0.6);
  applyMasks(*model, masks);
  std::vector<std::pair<std::string, torch::Tensor>> parameters;
  for (const auto& item : model->named_parameters())
    parameters.emplace_back(item.key(), item.value());
  MaskedSgd sgd(parameters, {0.1, 0.9, 5e-4}, masks);
  torch::manual_seed(11);
  model->train();
  for (int step = 0; step < 20; ++step) {
    const torch::Tensor images = torch::rand({8, 3, 8, 8});
    const torch::Tensor labels = torch::randint(0, 10, {8}, torch::kLong);
    sgd.zeroGrad();
    torch::nn::functional::cross_entropy(model->forward(images), labels).backward();
    sgd.step();
  }
  for (const auto& [name, weight] : model->convWeights()) {
    const torch::Tensor pruned = weight.detach().masked_select(masks.at(name) == 0);
    ASSERT_GT(pruned.numel(), 0) << name;
    EXPECT_TRUE(torch::equal(pruned, torch::zeros_like(pruned))) << name;
  }
}

}  // namespace
}  // namespace mu
