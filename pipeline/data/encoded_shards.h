#pragma once
// Shards of encoded images (manifest encoding "jpeg", docs/SCHEMA.md): the JPEG files' bytes end
// to end in one uint8 dataset with an offsets index, each image's label, decoded size and place
// in the sorted source listing. One image is one contiguous read, so a loader that reads the
// samples of its slice of a batch reads only their bytes, however large the dataset.
//
// A conversion writes each shard in two steps: the shard itself (everything but the sample ids,
// which depend on how many images earlier shards dropped, and the source digest of the whole
// dataset), then, once every shard exists, those (finishEncodedShard).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/data/shard_schema.h"
#include "pipeline/io/hdf5_file.h"

namespace mu {

struct EncodedImage {
  std::vector<uint8_t> bytes;
  int32_t label = 0;
  int32_t height = 0;  // of the decoded image
  int32_t width = 0;
  int64_t sourceIndex = 0;  // position in the sorted source listing of its split
};

// Writes `images` (in source order) as shard `shardIndex` of `split`, atomically at `path`.
// `attributes` adds string attributes (the conversion's own facts about the shard).
void writeEncodedShard(const std::string& path, const DatasetManifest& manifest,
                       const std::string& split, int64_t shardIndex, int64_t shardCount,
                       const std::vector<EncodedImage>& images,
                       const std::vector<std::pair<std::string, std::string>>& attributes);

// Gives the shard's images the ids firstId, firstId + 1, ... of a split of `splitCount`, and the
// dataset's source digest (known once every shard is written). Idempotent: a conversion that
// stopped here does it again.
void finishEncodedShard(const std::string& path, int64_t firstId, int64_t splitCount,
                        const std::string& sourceSha256);

// One shard, open for reading single images.
class EncodedShard {
 public:
  explicit EncodedShard(const std::string& path);

  const std::string& path() const { return file_.path(); }
  const Hdf5File& file() const { return file_; }
  int64_t size() const { return static_cast<int64_t>(labels_.size()); }
  const std::vector<int32_t>& labels() const { return labels_; }
  const std::vector<int64_t>& ids() const { return ids_; }  // empty before finishEncodedShard
  const std::vector<int32_t>& heights() const { return heights_; }
  const std::vector<int32_t>& widths() const { return widths_; }
  const std::vector<int64_t>& sourceIndices() const { return sourceIndices_; }
  const std::vector<int64_t>& offsets() const { return offsets_; }  // n + 1, into the bytes
  // The encoded bytes of row `row`.
  std::vector<uint8_t> bytes(int64_t row) const;
  // Where the encoded bytes start in the file (they are written in one contiguous run), for
  // readers that read the file directly; empty if a tool rewrote them chunked or compressed.
  std::optional<uint64_t> encodedFileOffset() const {
    return file_.contiguousOffset(shards::kEncoded);
  }
  std::string stringAttribute(const std::string& name) const { return file_.stringAttribute(name); }

 private:
  Hdf5File file_;
  std::vector<int64_t> offsets_;
  std::vector<int32_t> labels_;
  std::vector<int64_t> ids_;
  std::vector<int32_t> heights_;
  std::vector<int32_t> widths_;
  std::vector<int64_t> sourceIndices_;
};

}  // namespace mu
