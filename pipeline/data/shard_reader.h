#pragma once
// Opens a split of an HDF5 shard dataset. Decoded pixels (CIFAR, SVHN and Fashion-MNIST fit in a
// few hundred MB) are read into memory once, whatever the number of shards: row i of the tensors
// is sample id i. A JPEG dataset (ImageNet) keeps only its labels and shard indexes in memory and
// streams its images (jpeg_source.h). Either way stages take batches from `source`.

#include <torch/types.h>

#include <memory>
#include <string>

#include "pipeline/data/sample_source.h"
#include "pipeline/data/shard_schema.h"
#include "pipeline/data/stream_options.h"
#include "pipeline/data/validation_split.h"
#include "pipeline/io/hdf5_file.h"

namespace mu {

struct LoadedSplit {
  DatasetManifest manifest;
  std::string split;
  torch::Tensor images;  // uint8 [N, C, H, W]; undefined for a streamed (JPEG) dataset
  torch::Tensor labels;  // int64 [N]
  std::shared_ptr<const SampleSource> source;  // the images, however they are stored

  int64_t size() const { return labels.size(0); }
};

// Throws InputError naming the shard file and field when a shard is missing, corrupt or does not
// belong to the manifest's dataset.
// InputError naming the shard unless its dataset, source digest and split are the manifest's
// (a shard copied in from another conversion).
void checkShardBelongsTo(const Hdf5File& file, const DatasetManifest& manifest,
                         const std::string& split);

// `stream` says how a JPEG dataset's images are decoded and cut (the others ignore it).
LoadedSplit loadSplit(const std::string& datasetDir, const std::string& split,
                      const StreamOptions& stream = {});

// The train/validation split for `seed`: read from its file when mu-data wrote one, otherwise
// drawn from the training labels with the reference algorithm (the same ids either way).
TrainValSplit loadValidationSplit(const std::string& datasetDir, const LoadedSplit& train,
                                  uint32_t seed, double valFraction = 0.1);

}  // namespace mu
