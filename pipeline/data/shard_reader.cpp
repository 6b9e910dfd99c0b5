#include "pipeline/data/shard_reader.h"

#include <cstring>
#include <filesystem>

#include "pipeline/base/error.h"
#include "pipeline/data/jpeg_source.h"
#include "pipeline/io/hdf5_file.h"
#include "pipeline/runs/run_folder.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

// Copies one shard into the rows of `images`/`labels` given by its ids; `seen` catches ids that
// appear twice across shards.
// The number of images in a shard, after checking their shape is the manifest's.
size_t shardRows(const Hdf5File& file, const DatasetManifest& manifest) {
  const std::vector<hsize_t> shape = file.datasetShape(shards::kImages);
  if (shape.size() != 4 || shape[1] != static_cast<hsize_t>(manifest.channels) ||
      shape[2] != static_cast<hsize_t>(manifest.height) ||
      shape[3] != static_cast<hsize_t>(manifest.width)) {
    throw InputError(file.path(), shards::kImages,
                     "expected shape [n, " + std::to_string(manifest.channels) + ", " +
                         std::to_string(manifest.height) + ", " + std::to_string(manifest.width) +
                         "]");
  }
  return static_cast<size_t>(shape[0]);
}

void readShardInto(const Hdf5File& file, const DatasetManifest& manifest, int64_t splitCount,
                   uint8_t* images, int64_t* labels, std::vector<bool>& seen) {
  const int64_t imageBytes = int64_t{manifest.channels} * manifest.height * manifest.width;
  const size_t rows = shardRows(file, manifest);
  std::vector<int64_t> ids(rows);
  file.readDataset(shards::kIds, ids.data(), rows);
  std::vector<int32_t> shardLabels(rows);
  file.readDataset(shards::kLabels, shardLabels.data(), rows);
  std::vector<uint8_t> pixels(rows * static_cast<size_t>(imageBytes));
  file.readDataset(shards::kImages, pixels.data(), pixels.size());
  for (size_t row = 0; row < rows; ++row) {
    const int64_t id = ids[row];
    if (id < 0 || id >= splitCount || seen[static_cast<size_t>(id)]) {
      throw InputError(file.path(), shards::kIds,
                       "id " + std::to_string(id) + " is out of range [0, " +
                           std::to_string(splitCount) + ") or appears twice");
    }
    if (shardLabels[row] < 0 || shardLabels[row] >= manifest.numClasses) {
      throw InputError(file.path(), shards::kLabels,
                       "label " + std::to_string(shardLabels[row]) + " of id " +
                           std::to_string(id) + " is outside [0, " +
                           std::to_string(manifest.numClasses) + ")");
    }
    seen[static_cast<size_t>(id)] = true;
    labels[id] = shardLabels[row];
    std::memcpy(images + id * imageBytes, pixels.data() + row * static_cast<size_t>(imageBytes),
                static_cast<size_t>(imageBytes));
  }
}

}  // namespace

void checkShardBelongsTo(const Hdf5File& file, const DatasetManifest& manifest,
                         const std::string& split) {
  const std::pair<const char*, const std::string*> expected[] = {
      {"dataset", &manifest.dataset}, {"source_sha256", &manifest.sourceSha256}, {"split", &split}};
  for (const auto& [name, value] : expected) {
    const std::string found = file.stringAttribute(name);
    if (found != *value) {
      throw InputError(file.path(), name,
                       "expected '" + *value + "' (from manifest.json), found '" + found + "'");
    }
  }
}

LoadedSplit loadSplit(const std::string& datasetDir, const std::string& split,
                      const StreamOptions& stream) {
  LoadedSplit loaded;
  loaded.manifest = readManifest(datasetDir);
  loaded.split = split;
  const DatasetManifest& manifest = loaded.manifest;
  const std::string manifestPath = runs::DatasetFolder(datasetDir).manifest();
  if (manifest.encoded()) {
    auto source = std::make_shared<JpegSource>(datasetDir, manifest, split, stream);
    loaded.labels = torch::tensor(source->labels(), torch::kInt32).to(torch::kInt64);
    loaded.source = std::move(source);
    return loaded;
  }
  const DatasetManifest::Split& entry = manifest.split(split, manifestPath);
  // Every shard is opened and checked before anything is allocated: the images the split holds
  // are what its shards hold, never a count the manifest alone claims (a damaged count would
  // otherwise ask for terabytes, or a negative size).
  // (Each is opened again to be read: a split of many small shards must not hold them all open.)
  std::vector<std::string> paths;
  uint64_t rows = 0;
  for (const std::string& shardName : entry.shards) {
    paths.push_back((fs::path(datasetDir) / shardName).string());
    if (!fs::exists(paths.back()))
      throw InputError(paths.back(), "file", "shard listed in manifest.json is missing");
    const Hdf5File file = Hdf5File::openReadOnly(paths.back());
    checkShardBelongsTo(file, manifest, split);
    rows += shardRows(file, manifest);
  }
  if (entry.count < 0 || static_cast<uint64_t>(entry.count) != rows) {
    throw InputError(
        manifestPath, "splits." + split + ".count",
        std::to_string(entry.count) + ", but its shards hold " + std::to_string(rows) + " images");
  }
  loaded.images = torch::empty({entry.count, manifest.channels, manifest.height, manifest.width},
                               torch::kUInt8);
  loaded.labels = torch::empty({entry.count}, torch::kInt64);
  std::vector<bool> seen(static_cast<size_t>(entry.count), false);
  for (const std::string& path : paths) {
    readShardInto(Hdf5File::openReadOnly(path), manifest, entry.count,
                  loaded.images.data_ptr<uint8_t>(), loaded.labels.data_ptr<int64_t>(), seen);
  }
  for (size_t id = 0; id < seen.size(); ++id) {
    if (!seen[id]) {
      throw InputError(manifestPath, "splits." + split,
                       "sample id " + std::to_string(id) + " is in no shard (expected ids 0.." +
                           std::to_string(entry.count - 1) + ")");
    }
  }
  loaded.source = std::make_shared<InMemorySource>(loaded.images);
  return loaded;
}

TrainValSplit loadValidationSplit(const std::string& datasetDir, const LoadedSplit& train,
                                  uint32_t seed, double valFraction) {
  if (const auto* stored = train.manifest.findValidationSplit(seed)) {
    if (stored->fraction == valFraction) {
      const Hdf5File file = Hdf5File::openReadOnly((fs::path(datasetDir) / stored->file).string());
      return {file.readVector<int64_t>(shards::kTrainIds),
              file.readVector<int64_t>(shards::kValIds)};
    }
  }
  const torch::Tensor labels = train.labels.to(torch::kInt32).contiguous();
  const int32_t* data = labels.data_ptr<int32_t>();
  return makeValidationSplit(std::vector<int32_t>(data, data + labels.numel()),
                             train.manifest.numClasses, seed, valFraction);
}

}  // namespace mu
