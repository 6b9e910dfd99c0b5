#pragma once
// Writes one split of decoded images as HDF5 shards of at most manifest.shardSize samples, each
// self-describing (attributes repeat the dataset facts), each written under a temporary name.

#include <string>
#include <vector>

#include "pipeline/data/image_set.h"
#include "pipeline/data/shard_schema.h"
#include "pipeline/data/validation_split.h"
#include "pipeline/io/hdf5_file.h"

namespace mu {

// Every shard carries the dataset's facts (dataset, classes, layout, normalisation, sources,
// encoding, code version), so a single file is understandable on its own.
void writeDatasetAttributes(Hdf5File& file, const DatasetManifest& manifest);

// Returns the shard file names, in order.
std::vector<std::string> writeSplitShards(const std::string& datasetDir,
                                          const DatasetManifest& manifest, const std::string& split,
                                          const ImageSet& images);

// Writes the split's id lists; returns the manifest entry describing the file.
DatasetManifest::ValidationSplit writeValidationSplit(const std::string& datasetDir,
                                                      const DatasetManifest& manifest,
                                                      uint32_t seed, double fraction,
                                                      const TrainValSplit& split);

}  // namespace mu
