#include "pipeline/data/encoded_shards.h"

#include "pipeline/base/error.h"
#include "pipeline/data/shard_writer.h"
#include "pipeline/io/atomic_output.h"

namespace mu {

void writeEncodedShard(const std::string& path, const DatasetManifest& manifest,
                       const std::string& split, int64_t shardIndex, int64_t shardCount,
                       const std::vector<EncodedImage>& images,
                       const std::vector<std::pair<std::string, std::string>>& attributes) {
  std::vector<uint8_t> encoded;
  std::vector<int64_t> offsets{0};
  std::vector<int32_t> labels, heights, widths;
  std::vector<int64_t> sources;
  for (const EncodedImage& image : images) {
    encoded.insert(encoded.end(), image.bytes.begin(), image.bytes.end());
    offsets.push_back(static_cast<int64_t>(encoded.size()));
    labels.push_back(image.label);
    heights.push_back(image.height);
    widths.push_back(image.width);
    sources.push_back(image.sourceIndex);
  }
  AtomicFile output(path);
  {
    Hdf5File file = Hdf5File::create(output.path());
    writeDatasetAttributes(file, manifest);
    file.setAttribute("split", split);
    file.setAttribute("shard_index", shardIndex);
    file.setAttribute("shard_count", shardCount);
    for (const auto& [name, value] : attributes) file.setAttribute(name, value);
    file.writeDataset(shards::kEncoded, encoded);
    file.writeDataset(shards::kOffsets, offsets);
    file.writeDataset(shards::kLabels, labels);
    file.writeDataset(shards::kHeights, heights);
    file.writeDataset(shards::kWidths, widths);
    file.writeDataset(shards::kSourceIndex, sources);
  }
  output.commit();
}

void finishEncodedShard(const std::string& path, int64_t firstId, int64_t splitCount,
                        const std::string& sourceSha256) {
  Hdf5File file = Hdf5File::openReadWrite(path);
  const auto rows = static_cast<int64_t>(file.datasetShape(shards::kLabels).at(0));
  std::vector<int64_t> ids(static_cast<size_t>(rows));
  for (int64_t row = 0; row < rows; ++row) ids[static_cast<size_t>(row)] = firstId + row;
  if (file.exists(shards::kIds)) file.remove(shards::kIds);
  file.writeDataset(shards::kIds, ids);
  file.setAttribute("first_id", firstId);
  file.setAttribute("split_count", splitCount);
  file.setAttribute("source_sha256", sourceSha256);
  file.flush();
}

EncodedShard::EncodedShard(const std::string& path) : file_(Hdf5File::openReadOnly(path)) {
  offsets_ = file_.readVector<int64_t>(shards::kOffsets);
  labels_ = file_.readVector<int32_t>(shards::kLabels);
  heights_ = file_.readVector<int32_t>(shards::kHeights);
  widths_ = file_.readVector<int32_t>(shards::kWidths);
  sourceIndices_ = file_.readVector<int64_t>(shards::kSourceIndex);
  if (file_.exists(shards::kIds)) ids_ = file_.readVector<int64_t>(shards::kIds);
  const size_t rows = labels_.size();
  const auto total = static_cast<int64_t>(file_.datasetShape(shards::kEncoded).at(0));
  if (offsets_.size() != rows + 1 || heights_.size() != rows || widths_.size() != rows ||
      sourceIndices_.size() != rows || (!ids_.empty() && ids_.size() != rows)) {
    throw InputError(path, shards::kOffsets,
                     "one entry per image (and one more offset): the shard is damaged");
  }
  for (size_t row = 0; row < rows; ++row) {
    if (offsets_[row] > offsets_[row + 1]) {
      throw InputError(path, shards::kOffsets, "ascending offsets: the shard is damaged");
    }
  }
  if (offsets_.front() != 0 || offsets_.back() != total) {
    throw InputError(
        path, shards::kOffsets,
        "offsets from 0 to the " + std::to_string(total) + " encoded bytes: the shard is damaged");
  }
}

std::vector<uint8_t> EncodedShard::bytes(int64_t row) const {
  if (row < 0 || row >= size()) {
    throw InputError(path(), "row",
                     std::to_string(row) + " outside [0, " + std::to_string(size()) + ")");
  }
  const auto first = static_cast<hsize_t>(offsets_[static_cast<size_t>(row)]);
  const auto count = static_cast<hsize_t>(offsets_[static_cast<size_t>(row) + 1]) - first;
  std::vector<uint8_t> encoded(count);
  if (count > 0) file_.readRange(shards::kEncoded, first, count, encoded.data());
  return encoded;
}

}  // namespace mu
