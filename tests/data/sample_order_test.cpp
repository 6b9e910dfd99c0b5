// The epoch orders: the exact seeded permutation, and the block order for network filesystems,
// which is still a seeded permutation of every sample but reads long contiguous runs.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "pipeline/data/epoch_sampler.h"

namespace mu {
namespace {

bool isPermutation(std::vector<int64_t> order, int64_t count) {
  std::sort(order.begin(), order.end());
  for (int64_t i = 0; i < count; ++i) {
    if (order[static_cast<size_t>(i)] != i) return false;
  }
  return static_cast<int64_t>(order.size()) == count;
}

TEST(SampleOrder, BlocksAreASeededPermutationThatKeepsEachWindowInAFewBlocks) {
  const int64_t count = 10'003, block = 250;
  const EpochSampler sampler(count, 256, 5, 0, 1, true, {block, 4});
  const std::vector<int64_t> order = sampler.epochOrder(3);
  ASSERT_TRUE(isPermutation(order, count));
  EXPECT_EQ(order, EpochSampler(count, 256, 5, 0, 1, true, {block, 4}).epochOrder(3));
  EXPECT_NE(order, sampler.epochOrder(4));
  // Every global batch reads at most the 4 blocks of its window (5 where it straddles two).
  for (int64_t batch = 0; batch < sampler.batchesPerEpoch(); ++batch) {
    std::set<int64_t> blocks;
    for (int64_t i = batch * 256; i < std::min(count, (batch + 1) * 256); ++i) {
      blocks.insert(order[static_cast<size_t>(i)] / block);
    }
    EXPECT_LE(blocks.size(), 8u) << "batch " << batch;
  }
  // Shuffled within windows: not the blocks in order.
  EXPECT_NE(order[1], order[0] + 1);
}

TEST(SampleOrder, TheExactOrderTouchesEveryBlockInABatch) {
  const EpochSampler sampler(10'000, 256, 5, 0, 1);
  const std::vector<int64_t> order = sampler.epochOrder(0);
  ASSERT_TRUE(isPermutation(order, 10'000));
  std::set<int64_t> blocks;
  for (size_t i = 0; i < 256; ++i) blocks.insert(order[i] / 250);
  EXPECT_GE(blocks.size(), 30u);  // nearly all 40 blocks: random reads
}

}  // namespace
}  // namespace mu
