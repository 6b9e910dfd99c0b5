#pragma once
// Which samples each MPI rank takes in each step. Every epoch has one global order, a seeded
// permutation of the sample list that all ranks compute identically; global batch b is cut into
// world-size contiguous slices, one per rank. So a global batch of B on n ranks contains exactly
// the samples of batch B on one rank, which is what makes n-rank training equal 1-rank training.

#include <cstdint>
#include <vector>

namespace mu {

// How an epoch's global order is drawn. The default is one seeded permutation of every sample.
// With blockSize > 0 the order reads long contiguous runs, as FFCV's quasi-random order does for
// network filesystems: blocks of blockSize consecutive positions in a seeded order, then the
// samples shuffled within windows of `windowBlocks` blocks, so a batch touches a few blocks (a
// few shards) instead of one sample from every shard.
struct SampleOrder {
  int64_t blockSize = 0;
  int64_t windowBlocks = 4;
};

class EpochSampler {
 public:
  // `sampleCount` positions 0..sampleCount-1 (callers map positions to sample ids). The last
  // batch of an epoch may be smaller than globalBatch (drop_last=false, as the reference).
  EpochSampler(int64_t sampleCount, int64_t globalBatch, uint64_t seed, int rank, int worldSize,
               bool shuffle = true, SampleOrder order = {});

  int64_t sampleCount() const { return sampleCount_; }
  int64_t globalBatch() const { return globalBatch_; }
  int64_t batchesPerEpoch() const;
  // Samples in global batch `batch` (all ranks together).
  int64_t globalBatchSize(int64_t batch) const;

  // The epoch's global order: a permutation of 0..sampleCount-1 (identity without shuffle).
  std::vector<int64_t> epochOrder(int64_t epoch) const;
  // This rank's positions in global batch `batch` of an order from epochOrder().
  std::vector<int64_t> rankSlice(const std::vector<int64_t>& order, int64_t batch) const;
  // [begin, end) offsets of `rank`'s slice within a global batch of `batchSize` samples.
  static std::pair<int64_t, int64_t> sliceBounds(int64_t batchSize, int rank, int worldSize);

 private:
  int64_t sampleCount_;
  int64_t globalBatch_;
  uint64_t seed_;
  int rank_;
  int worldSize_;
  bool shuffle_;
  SampleOrder order_;
};

}  // namespace mu
