// Batched augmentation against a direct computation: every augmented image must be one of the
// 2 x (2p+1)^2 crops/flips of the zero-padded original, all of them must occur, and the draw must
// depend only on (seed, epoch, sample id). The device builder (the GPU's, run here on the CPU)
// must give the host builder's batches bit for bit.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/data/augment.h"
#include "pipeline/data/batch_on_device.h"

namespace mu {
namespace {

torch::Tensor randomImages(int64_t count, int channels, int size) {
  torch::manual_seed(0);
  return torch::randint(0, 256, {count, channels, size, size}, torch::kUInt8);
}

TEST(Augment, WithoutAugmentationItIsToTensor) {
  const torch::Tensor images = randomImages(20, 3, 32);
  const std::vector<int64_t> rows = {5, 0, 19, 5};
  const torch::Tensor batch = makeImageBatch(images, rows);
  const torch::Tensor expected =
      images.index_select(0, torch::tensor(rows)).to(torch::kFloat32).div(255);
  EXPECT_TRUE(torch::equal(batch, expected));
}

TEST(Augment, EachImageIsACropAndFlipOfThePaddedOriginal) {
  const int padding = 4;
  const int size = 12;
  const torch::Tensor images = randomImages(400, 2, size);
  std::vector<int64_t> rows(400);
  for (int64_t i = 0; i < 400; ++i) rows[static_cast<size_t>(i)] = i;
  const AugmentOptions options{padding, true};
  const torch::Tensor batch = makeImageBatch(images, rows, rows, options, 11, 3);
  const torch::Tensor padded = torch::constant_pad_nd(images.to(torch::kFloat32).div(255),
                                                      {padding, padding, padding, padding}, 0);
  std::set<std::tuple<int, int, bool>> seen;
  for (int64_t n = 0; n < 400; ++n) {
    int matches = 0;
    for (int dy = 0; dy <= 2 * padding; ++dy) {
      for (int dx = 0; dx <= 2 * padding; ++dx) {
        const torch::Tensor crop = padded[n].narrow(1, dy, size).narrow(2, dx, size);
        for (bool flip : {false, true}) {
          const torch::Tensor candidate = flip ? crop.flip({2}) : crop;
          if (torch::equal(batch[n], candidate)) {
            ++matches;
            seen.insert({dy, dx, flip});
          }
        }
      }
    }
    EXPECT_GE(matches, 1) << "image " << n << " is no crop/flip of its original";
  }
  // 400 draws over 162 outcomes: nearly all occur when the draw is uniform.
  EXPECT_GT(seen.size(), 140u);
}

TEST(Augment, DrawDependsOnlyOnSeedEpochAndSampleId) {
  const torch::Tensor images = randomImages(50, 3, 16);
  const AugmentOptions options{4, true};
  const torch::Tensor alone = makeImageBatch(images, {7}, {7}, options, 5, 2);
  const torch::Tensor inBatch = makeImageBatch(images, {3, 9, 7}, {3, 9, 7}, options, 5, 2);
  EXPECT_TRUE(torch::equal(alone[0], inBatch[2]));
  std::vector<int64_t> all(50);
  for (int64_t i = 0; i < 50; ++i) all[static_cast<size_t>(i)] = i;
  const torch::Tensor epoch2 = makeImageBatch(images, all, all, options, 5, 2);
  const torch::Tensor epoch3 = makeImageBatch(images, all, all, options, 5, 3);
  const torch::Tensor otherSeed = makeImageBatch(images, all, all, options, 6, 2);
  EXPECT_FALSE(torch::equal(epoch2, epoch3));
  EXPECT_FALSE(torch::equal(epoch2, otherSeed));
}

TEST(Augment, FlipAloneMirrorsAboutHalfTheImages) {
  const torch::Tensor images = randomImages(1000, 1, 8);
  std::vector<int64_t> rows(1000);
  for (int64_t i = 0; i < 1000; ++i) rows[static_cast<size_t>(i)] = i;
  const torch::Tensor batch = makeImageBatch(images, rows, rows, AugmentOptions{0, true}, 1, 0);
  const torch::Tensor plain = images.to(torch::kFloat32).div(255);
  int flipped = 0;
  for (int64_t n = 0; n < 1000; ++n) {
    if (torch::equal(batch[n], plain[n].flip({2}))) {
      ++flipped;
    } else {
      EXPECT_TRUE(torch::equal(batch[n], plain[n]));
    }
  }
  EXPECT_GT(flipped, 440);
  EXPECT_LT(flipped, 560);
}

TEST(Augment, DeviceBuilderGivesTheHostBuildersBatchBitForBit) {
  struct Case {
    int channels, height, width;
    AugmentOptions options;
  };
  // CIFAR's crop and flip, Fashion-MNIST's flip alone, none, and a non-square crop.
  for (const Case& c : {Case{3, 32, 32, {4, true}}, Case{1, 28, 28, {0, true}},
                        Case{3, 16, 16, {0, false}}, Case{2, 10, 14, {3, false}}}) {
    torch::manual_seed(1);
    const torch::Tensor images =
        torch::randint(0, 256, {300, c.channels, c.height, c.width}, torch::kUInt8);
    std::vector<int64_t> rows;
    for (int64_t i = 0; i < 200; ++i) rows.push_back((i * 37) % 300);  // repeats some rows
    const std::vector<int64_t> ids(rows.rbegin(), rows.rend());
    for (bool channelsLast : {false, true}) {
      const BatchPlacement placement{torch::kCPU, channelsLast};
      const torch::Tensor host = makeImageBatch(images, rows, ids, c.options, 9, 4, placement);
      const torch::Tensor device =
          makeImageBatchOnDevice(images, rows, ids, c.options, 9, 4, placement);
      const std::string what = std::to_string(c.channels) + "x" + std::to_string(c.height) + "x" +
                               std::to_string(c.width) + " padding " +
                               std::to_string(c.options.cropPadding);
      ASSERT_EQ(device.sizes(), host.sizes()) << what;
      EXPECT_TRUE(torch::equal(device, host)) << what;
      EXPECT_TRUE(device.is_contiguous(channelsLast ? torch::MemoryFormat::ChannelsLast
                                                    : torch::MemoryFormat::Contiguous))
          << what;
    }
  }
}

TEST(Augment, DeviceBuilderRefusesRowsOutsideTheSplit) {
  const torch::Tensor images = randomImages(5, 1, 4);
  EXPECT_THROW(makeImageBatchOnDevice(images, {2, 5}, {2, 5}, {}, 1, 0, {}), InputError);
  EXPECT_THROW(makeImageBatchOnDevice(images, {2}, {2, 3}, {}, 1, 0, {}), InputError);
}

TEST(Augment, LabelBatchIsTheLabelsOfTheRows) {
  const torch::Tensor labels = torch::arange(10, torch::kInt64).mul(3);
  EXPECT_TRUE(torch::equal(makeLabelBatch(labels, {4, 0, 4, 9}, torch::kCPU),
                           torch::tensor({12, 0, 12, 27}, torch::kInt64)));
}

}  // namespace
}  // namespace mu
