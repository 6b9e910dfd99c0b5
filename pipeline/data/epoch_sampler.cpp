#include "pipeline/data/epoch_sampler.h"

#include <algorithm>
#include <numeric>

#include "pipeline/base/error.h"
#include "pipeline/base/seed_mixing.h"
#include "pipeline/data/numpy_random.h"

namespace mu {

EpochSampler::EpochSampler(int64_t sampleCount, int64_t globalBatch, uint64_t seed, int rank,
                           int worldSize, bool shuffle, SampleOrder order)
    : sampleCount_(sampleCount),
      globalBatch_(globalBatch),
      seed_(seed),
      rank_(rank),
      worldSize_(worldSize),
      shuffle_(shuffle),
      order_(order) {
  if (globalBatch <= 0) throw InputError("--batch-size must be positive");
  if (worldSize <= 0 || rank < 0 || rank >= worldSize) {
    throw InputError("rank " + std::to_string(rank) + " is outside world size " +
                     std::to_string(worldSize));
  }
}

int64_t EpochSampler::batchesPerEpoch() const {
  return (sampleCount_ + globalBatch_ - 1) / globalBatch_;
}

int64_t EpochSampler::globalBatchSize(int64_t batch) const {
  return std::max<int64_t>(0, std::min(globalBatch_, sampleCount_ - batch * globalBatch_));
}

std::vector<int64_t> EpochSampler::epochOrder(int64_t epoch) const {
  if (!shuffle_) {
    std::vector<int64_t> order(static_cast<size_t>(sampleCount_));
    std::iota(order.begin(), order.end(), 0);
    return order;
  }
  NumpyRandomState random(
      static_cast<uint32_t>(mixSeed(seed_, {static_cast<uint64_t>(epoch)}) & 0xFFFFFFFFu));
  if (order_.blockSize <= 0) return random.permutation(sampleCount_);
  const int64_t blocks = (sampleCount_ + order_.blockSize - 1) / order_.blockSize;
  std::vector<int64_t> order;
  order.reserve(static_cast<size_t>(sampleCount_));
  for (const int64_t block : random.permutation(blocks)) {
    const int64_t first = block * order_.blockSize;
    for (int64_t i = first; i < std::min(sampleCount_, first + order_.blockSize); ++i) {
      order.push_back(i);
    }
  }
  const int64_t window = order_.blockSize * std::max<int64_t>(1, order_.windowBlocks);
  for (int64_t first = 0; first < sampleCount_; first += window) {
    const int64_t count = std::min(window, sampleCount_ - first);
    const std::vector<int64_t> shuffled = random.permutation(count);
    const std::vector<int64_t> original(order.begin() + first, order.begin() + first + count);
    for (int64_t i = 0; i < count; ++i) {
      order[static_cast<size_t>(first + i)] =
          original[static_cast<size_t>(shuffled[static_cast<size_t>(i)])];
    }
  }
  return order;
}

std::pair<int64_t, int64_t> EpochSampler::sliceBounds(int64_t batchSize, int rank, int worldSize) {
  const int64_t base = batchSize / worldSize;
  const int64_t extra = batchSize % worldSize;
  const int64_t begin = rank * base + std::min<int64_t>(rank, extra);
  return {begin, begin + base + (rank < extra ? 1 : 0)};
}

std::vector<int64_t> EpochSampler::rankSlice(const std::vector<int64_t>& order,
                                             int64_t batch) const {
  const auto [begin, end] = sliceBounds(globalBatchSize(batch), rank_, worldSize_);
  const auto offset = static_cast<std::ptrdiff_t>(batch * globalBatch_);
  return std::vector<int64_t>(order.begin() + offset + begin, order.begin() + offset + end);
}

}  // namespace mu
