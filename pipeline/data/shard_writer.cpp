#include "pipeline/data/shard_writer.h"

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "pipeline/base/code_version.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/hdf5_file.h"

namespace mu {

void writeDatasetAttributes(Hdf5File& file, const DatasetManifest& manifest) {
  file.setAttribute("schema", manifest.schema);
  file.setAttribute("dataset", manifest.dataset);
  file.setAttribute("num_classes", int64_t{manifest.numClasses});
  file.setAttribute("class_names", manifest.classNames);
  file.setAttribute("layout", manifest.layout);
  file.setAttribute("image_shape",
                    std::vector<int64_t>{manifest.channels, manifest.height, manifest.width});
  file.setAttribute("mean", manifest.mean);
  file.setAttribute("std", manifest.std);
  file.setAttribute("source_sha256", manifest.sourceSha256);
  file.setAttribute("encoding", manifest.encoding);
  file.setAttribute("code_version", std::string(codeVersion()));
}

std::vector<std::string> writeSplitShards(const std::string& datasetDir,
                                          const DatasetManifest& manifest, const std::string& split,
                                          const ImageSet& images) {
  const int64_t total = images.size();
  const int64_t shardSize = std::max<int64_t>(1, manifest.shardSize);
  const int64_t shardCount = std::max<int64_t>(1, (total + shardSize - 1) / shardSize);
  std::vector<std::string> names;
  for (int64_t shard = 0; shard < shardCount; ++shard) {
    const int64_t first = shard * shardSize;
    const int64_t count = std::min(shardSize, total - first);
    const std::string name = shards::shardFileName(split, shard);
    AtomicFile output((std::filesystem::path(datasetDir) / name).string());
    {
      Hdf5File file = Hdf5File::create(output.path());
      writeDatasetAttributes(file, manifest);
      file.setAttribute("split", split);
      file.setAttribute("shard_index", shard);
      file.setAttribute("shard_count", shardCount);
      file.setAttribute("split_count", total);
      file.setAttribute("first_id", first);
      const auto rows = static_cast<hsize_t>(count);
      file.writeDataset(shards::kImages, images.pixels.data() + first * images.imageBytes(),
                        {rows, static_cast<hsize_t>(images.channels),
                         static_cast<hsize_t>(images.height), static_cast<hsize_t>(images.width)});
      file.writeDataset(shards::kLabels, images.labels.data() + first, {rows});
      std::vector<int64_t> ids(static_cast<size_t>(count));
      std::iota(ids.begin(), ids.end(), first);
      file.writeDataset(shards::kIds, ids);
    }
    output.commit();
    names.push_back(name);
  }
  return names;
}

DatasetManifest::ValidationSplit writeValidationSplit(const std::string& datasetDir,
                                                      const DatasetManifest& manifest,
                                                      uint32_t seed, double fraction,
                                                      const TrainValSplit& split) {
  const std::string name = shards::validationSplitFileName(seed);
  AtomicFile output((std::filesystem::path(datasetDir) / name).string());
  {
    Hdf5File file = Hdf5File::create(output.path());
    writeDatasetAttributes(file, manifest);
    file.setAttribute("split_seed", int64_t{seed});
    file.setAttribute("val_fraction", fraction);
    file.writeDataset(shards::kTrainIds, split.trainIds);
    file.writeDataset(shards::kValIds, split.valIds);
  }
  output.commit();
  return {seed, fraction, name, static_cast<int64_t>(split.trainIds.size()),
          static_cast<int64_t>(split.valIds.size())};
}

}  // namespace mu
