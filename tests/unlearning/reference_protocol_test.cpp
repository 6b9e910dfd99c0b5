// The reference protocol's rules on forget sets (pipeline/unlearning/reference_protocol.h), each
// against the reference's hard-coded counts (docs/reference-behaviour.md §3.2, §6.5), and the
// statistics passes' fresh augmentation draws (§6.7). The stage-level wiring of every rule is in
// tests/stages/reference_protocol_cli_test.cpp.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <memory>

#include "pipeline/data/forget_set.h"
#include "pipeline/unlearning/gradient_statistics.h"
#include "pipeline/unlearning/reference_protocol.h"

namespace mu {
namespace {

ForgetSet forgetting(const std::string& dataset, const std::string& mode, int64_t count,
                     int64_t forgottenClass = 3) {
  ForgetSet set;
  set.dataset = dataset;
  set.request.mode = mode;
  set.request.count = count;
  if (mode == "class") set.request.forgetClasses = ClassList(forgottenClass);
  return set;
}

TEST(ReferenceProtocol, TheTestSetDropsTheClassOnlyAtTheReferencesCounts) {
  // n absent, or n equal to the hard-coded full-class count of the dataset.
  EXPECT_TRUE(referenceDropsForgottenClasses(forgetting("cifar10", "class", 0)));
  EXPECT_TRUE(referenceDropsForgottenClasses(forgetting("cifar10", "class", 4500)));
  EXPECT_TRUE(referenceDropsForgottenClasses(forgetting("cifar100", "class", 450)));
  EXPECT_TRUE(referenceDropsForgottenClasses(forgetting("svhn", "class", 4454)));
  EXPECT_TRUE(referenceDropsForgottenClasses(forgetting("tinyimagenet", "class", 500)));
  EXPECT_TRUE(referenceDropsForgottenClasses(forgetting("fashion-mnist", "class", 0)));
  // Any other n keeps the class, even one that happens to be the whole class here.
  EXPECT_FALSE(referenceDropsForgottenClasses(forgetting("cifar10", "class", 4499)));
  EXPECT_FALSE(referenceDropsForgottenClasses(forgetting("cifar100", "class", 4500)));
  EXPECT_FALSE(referenceDropsForgottenClasses(forgetting("fashion-mnist", "class", 5400)));
  // Random forgetting never filters.
  EXPECT_FALSE(referenceDropsForgottenClasses(forgetting("cifar10", "random", 4500)));
}

TEST(ReferenceProtocol, FisherForgettingZeroesTheRowsTheReferenceZeroes) {
  EXPECT_EQ(referenceFisherZeroedRows(forgetting("cifar10", "class", 4500), 10),
            (std::vector<int64_t>{3}));
  EXPECT_EQ(referenceFisherZeroedRows(forgetting("cifar100", "class", 450, 42), 100),
            (std::vector<int64_t>{42}));
  // Random forgetting of those sizes: class_to_replace = -1, the last row.
  EXPECT_EQ(referenceFisherZeroedRows(forgetting("cifar10", "random", 4500), 10),
            (std::vector<int64_t>{9}));
  EXPECT_EQ(referenceFisherZeroedRows(forgetting("cifar100", "random", 450), 100),
            (std::vector<int64_t>{99}));
  // Never on other datasets or sizes, n absent included.
  EXPECT_TRUE(referenceFisherZeroedRows(forgetting("cifar10", "class", 0), 10).empty());
  EXPECT_TRUE(referenceFisherZeroedRows(forgetting("cifar10", "class", 450), 10).empty());
  EXPECT_TRUE(referenceFisherZeroedRows(forgetting("svhn", "class", 4454), 10).empty());
  EXPECT_TRUE(referenceFisherZeroedRows(forgetting("fashion-mnist", "random", 4500), 10).empty());
}

TEST(ReferenceProtocol, EachStatisticsPassDrawsItsOwnAugmentations) {
  LoadedSplit train;
  train.manifest.numClasses = 10;
  train.images = torch::randint(0, 256, {8, 3, 32, 32}, torch::kUInt8);
  train.labels = torch::zeros({8}, torch::kInt64);
  train.source = std::make_shared<InMemorySource>(train.images);
  const std::vector<int64_t> rows{0, 1, 2, 3, 4, 5, 6, 7};
  const AugmentOptions cropFlip{4, true};
  const torch::Device cpu(torch::kCPU);
  const torch::Tensor first = statisticsImages(train, rows, cropFlip, 7, 0, cpu);
  EXPECT_TRUE(first.equal(statisticsImages(train, rows, cropFlip, 7, 0, cpu))) << "reproducible";
  EXPECT_FALSE(first.equal(statisticsImages(train, rows, cropFlip, 7, 1, cpu)))
      << "the next pass draws new crops and flips";
  // Without augmentation every pass sees the same images.
  EXPECT_TRUE(statisticsImages(train, rows, {}, 7, 0, cpu)
                  .equal(statisticsImages(train, rows, {}, 7, 1, cpu)));
}

}  // namespace
}  // namespace mu
