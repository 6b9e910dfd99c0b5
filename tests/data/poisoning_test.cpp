// The backdoor as a data transformation (pipeline/data/poisoning.h): the trigger lands exactly
// where the reference's slice puts it, poisoned rows and only they are changed and relabelled,
// the poisoned ids are numpy's own draw, and the options travel through a run's configuration
// and a forget set unchanged.

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pipeline/base/error.h"
#include "pipeline/data/forget_set.h"
#include "pipeline/data/poisoning.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

// n images of 3 x 32 x 32 whose every pixel is distinct from 0 (so a stamped 0 shows) and from
// each other across positions; labels i % 10.
LoadedSplit knownImages(int64_t n) {
  LoadedSplit split;
  split.manifest.dataset = "cifar10";
  split.manifest.numClasses = 10;
  split.split = "train";
  split.images = (torch::arange(n * 3 * 32 * 32, torch::kInt64).remainder(250) + 1)
                     .to(torch::kUInt8)
                     .reshape({n, 3, 32, 32});
  split.labels = torch::arange(n, torch::kInt64).remainder(10);
  split.source = std::make_shared<InMemorySource>(split.images);
  return split;
}

TrainValSplit everyIdTrains(int64_t n) {
  TrainValSplit split;
  for (int64_t id = 0; id < n; ++id) split.trainIds.push_back(id);
  return split;
}

TEST(Poisoning, TheReferencesTriggerPixelForPixel) {
  // data[:, -2-s:-2, -2-s:-2, :] *= 0 with s = 4 on 32 x 32: rows and columns 26..29.
  const LoadedSplit clean = knownImages(6);
  Poisoning poisoning;
  poisoning.options.count = 2;
  poisoning.options.target = 7;
  poisoning.ids = {1, 4};
  const LoadedSplit poisoned = poisonRows(clean, poisoning.ids, poisoning);
  const auto before = clean.images.accessor<uint8_t, 4>();
  const auto after = poisoned.images.accessor<uint8_t, 4>();
  for (int64_t image = 0; image < 6; ++image) {
    const bool isPoisoned = image == 1 || image == 4;
    EXPECT_EQ(poisoned.labels[image].item<int64_t>(), isPoisoned ? 7 : image % 10) << image;
    for (int64_t c = 0; c < 3; ++c) {
      for (int64_t y = 0; y < 32; ++y) {
        for (int64_t x = 0; x < 32; ++x) {
          const bool inPatch = y >= 26 && y <= 29 && x >= 26 && x <= 29;
          const int expected = isPoisoned && inPatch ? 0 : before[image][c][y][x];
          ASSERT_EQ(after[image][c][y][x], expected)
              << "image " << image << " channel " << c << " at " << y << "," << x;
        }
      }
    }
  }
  // The clean split is left as it was, and the batches come from the poisoned pixels.
  EXPECT_EQ(clean.images.index({1, 0, 27, 27}).item<int>(), before[1][0][27][27]);
  EXPECT_EQ(clean.labels[1].item<int64_t>(), 1);
  const torch::Tensor batch = poisoned.source->batch({4}, {}, {});
  EXPECT_EQ(batch.index({0, 2, 28, 28}).item<float>(), 0.0f);
}

TEST(Poisoning, SizeMarginAndValueAreOptions) {
  LoadedSplit clean = knownImages(1);
  TriggerPatch patch{3, 0, 255};  // a white 3 x 3 square in the very corner
  torch::Tensor images = clean.images.clone();
  patch.stamp(images);
  const torch::Tensor changed = images.ne(clean.images).any(1)[0];
  EXPECT_EQ(changed.sum().item<int64_t>(), 9);
  EXPECT_TRUE(images
                  .index({0, torch::indexing::Slice(), torch::indexing::Slice(29, 32),
                          torch::indexing::Slice(29, 32)})
                  .eq(255)
                  .all()
                  .item<bool>());
  TriggerPatch tooLarge{31, 2, 0};
  EXPECT_THROW(tooLarge.stamp(images), InputError);
}

TEST(Poisoning, TriggeringTheTestSetKeepsItsLabels) {
  const LoadedSplit test = knownImages(4);
  Poisoning poisoning;
  poisoning.options.count = 1;
  const LoadedSplit triggered = triggerAll(test, poisoning);
  EXPECT_TRUE(triggered.labels.equal(test.labels));
  EXPECT_TRUE(triggered.images
                  .index({torch::indexing::Slice(), torch::indexing::Slice(),
                          torch::indexing::Slice(26, 30), torch::indexing::Slice(26, 30)})
                  .eq(0)
                  .all()
                  .item<bool>());
}

// numpy's RandomState(seed - 1).choice over the positions of D_tr, as the reference draws its
// random forget set, printed by numpy itself.
std::vector<int64_t> numpyDraw(const std::vector<int64_t>& trainIds, int64_t count, int64_t seed) {
  std::ostringstream ids;
  for (const int64_t id : trainIds) ids << id << ",";
  const test::CommandResult result = test::runCommand(
      "/usr/bin/python3 -c \"import numpy as np; ids = np.array([" + ids.str() +
      "]); pos = np.random.RandomState(" + std::to_string(seed - 1) + ").choice(np.arange(" +
      std::to_string(trainIds.size()) + "), " + std::to_string(count) +
      ", replace=False); print(' '.join(str(i) for i in sorted(ids[pos])))\"");
  EXPECT_EQ(result.exitCode, 0) << result.output;
  std::istringstream in(result.output);
  std::vector<int64_t> drawn;
  for (int64_t id; in >> id;) drawn.push_back(id);
  return drawn;
}

TEST(Poisoning, ThePoisonedIdsAreNumpysDraw) {
  const LoadedSplit train = knownImages(500);
  TrainValSplit split = everyIdTrains(500);
  // A validation split takes ids out of D_tr: the draw is over positions in what is left.
  split.trainIds.erase(std::remove_if(split.trainIds.begin(), split.trainIds.end(),
                                      [](int64_t id) { return id % 7 == 3; }),
                       split.trainIds.end());
  PoisonOptions options;
  options.count = 45;
  options.seed = 5;
  const Poisoning poisoning = selectPoisoning(options, train, split);
  ASSERT_EQ(poisoning.ids.size(), 45u);
  EXPECT_EQ(poisoning.ids, numpyDraw(split.trainIds, 45, 5));
  // The reference's defaults: seed 2, i.e. RandomState(1).
  options.seed = 2;
  EXPECT_EQ(selectPoisoning(options, train, split).ids, numpyDraw(split.trainIds, 45, 2));
}

TEST(Poisoning, BadOptionsNameTheOption) {
  const LoadedSplit train = knownImages(20);
  const TrainValSplit split = everyIdTrains(20);
  PoisonOptions options;
  options.count = 21;
  try {
    selectPoisoning(options, train, split);
    FAIL() << "more poisoned samples than D_tr";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("--poison-count"), std::string::npos) << error.what();
  }
  options.count = 3;
  options.target = 10;
  try {
    selectPoisoning(options, train, split);
    FAIL() << "a target beyond the classes";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("--poison-target"), std::string::npos) << error.what();
  }
  options.target = 0;
  options.trigger.value = 256;
  EXPECT_THROW(options.validate(), InputError);
}

TEST(Poisoning, TravelsThroughARunsOptionsAndAForgetSet) {
  const nlohmann::json runOptions{
      {"poison-count", 9},   {"poison-target", 3},   {"poison-seed", 4}, {"trigger-size", 2},
      {"trigger-margin", 1}, {"trigger-value", 255}, {"epochs", 3}};
  const PoisonOptions options = PoisonOptions::fromRunOptions(runOptions);
  EXPECT_TRUE(options.enabled());
  EXPECT_EQ(options.count, 9);
  EXPECT_EQ(options.target, 3);
  EXPECT_EQ(options.seed, 4);
  EXPECT_EQ(options.trigger.size, 2);
  EXPECT_EQ(options.trigger.margin, 1);
  EXPECT_EQ(options.trigger.value, 255);
  EXPECT_FALSE(PoisonOptions::fromRunOptions({{"epochs", 3}}).enabled()) << "a clean run";

  // --forget poisoned forgets exactly the poisoned rows, and forget_set.json keeps the poisoning.
  const LoadedSplit train = knownImages(40);
  const TrainValSplit split = everyIdTrains(40);
  const Poisoning poisoning = selectPoisoning(options, train, split);
  ForgetRequest request;
  request.mode = "poisoned";
  request.poisonedIds = poisoning.ids;
  ForgetSet set = selectForgetSet(request, train, split, 1, 0.1);
  set.poisoning = poisoning;
  EXPECT_EQ(set.forgetIds, poisoning.ids);
  EXPECT_EQ(set.retainIds.size(), 31u);
  EXPECT_FALSE(set.wholeClass);
  test::ScratchDir dir("poisoning");
  writeForgetSet(dir.file("forget_set.json"), set);
  const ForgetSet read = readForgetSet(dir.file("forget_set.json"));
  EXPECT_EQ(read.poisoning.ids, poisoning.ids);
  EXPECT_EQ(poisoningJson(read.poisoning), poisoningJson(poisoning));

  // A clean original has nothing to forget.
  request.poisonedIds.clear();
  EXPECT_THROW(selectForgetSet(request, train, split, 1, 0.1), InputError);

  // Integer fields hold whole numbers in range: a fraction was cut and 1e99 was undefined
  // behaviour (nlohmann's float-to-integer conversion), now each is named.
  const nlohmann::json good = forgetSetJson(read);
  const auto expectNamed = [&](const std::function<void(nlohmann::json&)>& damage,
                               const std::string& field) {
    nlohmann::json document = good;
    damage(document);
    std::ofstream(dir.file("forget_set.json")) << document.dump();
    try {
      readForgetSet(dir.file("forget_set.json"));
      FAIL() << "accepted: " << document.dump();
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find(field + ": expected a whole number"),
                std::string::npos)
          << error.what();
    }
  };
  expectNamed([](nlohmann::json& d) { d["count"] = 1e99; }, "count");
  expectNamed([](nlohmann::json& d) { d["split_seed"] = -1; }, "split_seed");
  expectNamed([](nlohmann::json& d) { d["forget_ids"][0] = 2.5; }, "forget_ids");
  expectNamed([](nlohmann::json& d) { d["poisoning"]["trigger"]["size"] = 1e300; },
              "poisoning.size");
}

}  // namespace
}  // namespace mu
