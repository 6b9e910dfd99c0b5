// The data path on real MPI ranks (run by tests/support/run_mpi_test.sh under mpirun -np 2): every
// rank reads the same shards, and the ranks' slices of each epoch are disjoint and cover it
// exactly.

#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "pipeline/data/epoch_sampler.h"
#include "pipeline/data/shard_reader.h"
#include "tests/support/mpi_test_main.h"
#include "tests/support/shard_fixture.h"

namespace mu {
namespace {

int worldRank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int worldSize() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

// Gathers every rank's vector on rank 0 (concatenated in rank order); other ranks get {}.
std::vector<int64_t> gatherOnRankZero(const std::vector<int64_t>& local) {
  const int size = worldSize();
  int count = static_cast<int>(local.size());
  std::vector<int> counts(static_cast<size_t>(size));
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::vector<int> offsets(static_cast<size_t>(size), 0);
  std::partial_sum(counts.begin(), counts.end() - 1, offsets.begin() + 1);
  std::vector<int64_t> all(worldRank() == 0 ? static_cast<size_t>(offsets.back() + counts.back())
                                            : 0);
  MPI_Gatherv(local.data(), count, MPI_INT64_T, all.data(), counts.data(), offsets.data(),
              MPI_INT64_T, 0, MPI_COMM_WORLD);
  return all;
}

TEST(DataMpi, RankSlicesAreDisjointAndCoverEachEpoch) {
  const int64_t samples = 103;  // not a multiple of the batch: the last batch is short
  const int64_t batch = 16;
  EpochSampler sampler(samples, batch, 42, worldRank(), worldSize());
  for (int64_t epoch = 0; epoch < 3; ++epoch) {
    const std::vector<int64_t> order = sampler.epochOrder(epoch);
    std::vector<int64_t> mine;
    for (int64_t b = 0; b < sampler.batchesPerEpoch(); ++b) {
      const std::vector<int64_t> slice = sampler.rankSlice(order, b);
      mine.insert(mine.end(), slice.begin(), slice.end());
      // Gathered in rank order, the slices of batch b are exactly one-rank batch b.
      const std::vector<int64_t> gathered = gatherOnRankZero(slice);
      if (worldRank() == 0) {
        const auto first = order.begin() + b * batch;
        const std::vector<int64_t> expected(first, first + sampler.globalBatchSize(b));
        EXPECT_EQ(gathered, expected) << "epoch " << epoch << " batch " << b;
      }
    }
    std::vector<int64_t> all = gatherOnRankZero(mine);
    if (worldRank() == 0) {
      std::sort(all.begin(), all.end());
      std::vector<int64_t> expected(static_cast<size_t>(samples));
      std::iota(expected.begin(), expected.end(), 0);
      EXPECT_EQ(all, expected) << "epoch " << epoch << ": slices overlap or miss samples";
    }
  }
}

TEST(DataMpi, EveryRankComputesTheSameOrder) {
  EpochSampler sampler(1000, 64, 7, worldRank(), worldSize());
  std::vector<int64_t> order = sampler.epochOrder(5);
  std::vector<int64_t> rankZeroOrder = order;
  MPI_Bcast(rankZeroOrder.data(), static_cast<int>(rankZeroOrder.size()), MPI_INT64_T, 0,
            MPI_COMM_WORLD);
  EXPECT_EQ(order, rankZeroOrder);
  EXPECT_NE(order, sampler.epochOrder(6));
}

TEST(DataMpi, EveryRankReadsTheSameShards) {
  // Rank 0 writes; the folder name travels to the others.
  int pid = static_cast<int>(::getpid());
  MPI_Bcast(&pid, 1, MPI_INT, 0, MPI_COMM_WORLD);
  const std::string dir =
      (std::filesystem::current_path() / ("data-mpi-" + std::to_string(pid))).string();
  if (worldRank() == 0) {
    std::filesystem::create_directories(dir);
    test::writePatternDataset(dir, test::makePatternImages(57, 5), 5, 10);
  }
  MPI_Barrier(MPI_COMM_WORLD);
  const LoadedSplit loaded = loadSplit(dir, "train");
  int64_t checksum = loaded.images.to(torch::kInt64).sum().item<int64_t>() * 1000 +
                     loaded.labels.sum().item<int64_t>();
  int64_t minimum = 0;
  int64_t maximum = 0;
  MPI_Allreduce(&checksum, &minimum, 1, MPI_INT64_T, MPI_MIN, MPI_COMM_WORLD);
  MPI_Allreduce(&checksum, &maximum, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
  EXPECT_EQ(minimum, maximum);
  EXPECT_EQ(loaded.size(), 57);
  MPI_Barrier(MPI_COMM_WORLD);
  if (worldRank() == 0) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mu

MU_MPI_TEST_MAIN()
