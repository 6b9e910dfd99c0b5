#pragma once
// Reads a split of an HDF5 shard dataset into memory once (CIFAR, SVHN and Fashion-MNIST fit in a
// few hundred MB), whatever the number of shards: row i of the tensors is sample id i.

#include <torch/types.h>

#include <string>

#include "pipeline/data/shard_schema.h"
#include "pipeline/data/validation_split.h"

namespace mu {

struct LoadedSplit {
  DatasetManifest manifest;
  std::string split;
  torch::Tensor images;  // uint8 [N, C, H, W]
  torch::Tensor labels;  // int64 [N]

  int64_t size() const { return labels.size(0); }
};

// Throws InputError naming the shard file and field when a shard is missing, corrupt or does not
// belong to the manifest's dataset.
LoadedSplit loadSplit(const std::string& datasetDir, const std::string& split);

// The train/validation split for `seed`: read from its file when mu-data wrote one, otherwise
// drawn from the training labels with the reference algorithm (the same ids either way).
TrainValSplit loadValidationSplit(const std::string& datasetDir, const LoadedSplit& train,
                                  uint32_t seed, double valFraction = 0.1);

}  // namespace mu
