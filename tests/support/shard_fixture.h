#pragma once
// A small synthetic dataset written as real HDF5 shards, for the reader and sampler tests.

#include <string>

#include "pipeline/data/image_set.h"
#include "pipeline/data/shard_schema.h"

namespace mu::test {

// `count` images of 3x8x6 whose pixels encode (id, channel, row, column), labels id % classes.
ImageSet makePatternImages(int64_t count, int numClasses);

// Writes `images` as the train split of dataset `name` in `dir` with `shardSize` per shard.
DatasetManifest writePatternDataset(const std::string& dir, const ImageSet& images, int numClasses,
                                    int64_t shardSize, const std::string& name = "pattern");

}  // namespace mu::test
