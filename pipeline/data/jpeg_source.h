#pragma once
// A split of a JPEG dataset (manifest encoding "jpeg"), streamed: only the shards' small indexes
// (offsets, labels, ids, sizes) stay in memory, and each batch reads just its images' bytes. A
// stream's pool of decoder threads (libjpeg-turbo) decodes, crops and flips the batches of its
// plan ahead of the consumer, at most --prefetch-batches of them, into uint8 buffers (pinned
// for a GPU, laid out as the model's batches are) that are scaled to [0, 1] on the device. So
// memory is bounded by the prefetch depth, not by the dataset, and each rank reads only the samples
// of its slice.
//
// The transforms are torchvision's ImageNet ones, on PIL's arithmetic (crop_geometry.h,
// pipeline/imaging/resample.h): RandomResizedCrop(image size) + horizontal flip for training and
// Resize(resize size) + CenterCrop(image size) for evaluation. A sample's crop and flip are drawn
// from (seed, epoch, sample id), so they do not depend on the rank or the thread.

#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pipeline/data/encoded_shards.h"
#include "pipeline/data/sample_source.h"
#include "pipeline/data/shard_schema.h"
#include "pipeline/data/stream_options.h"
#include "pipeline/imaging/jpeg_codec.h"
#include "pipeline/imaging/pixel_layout.h"
#include "pipeline/io/random_access_file.h"

namespace mu {

// What one decoder thread keeps from sample to sample: its codec, and the buffers each sample
// refills. Reused, they stop allocating (and page-faulting fresh memory) once they fit the
// largest image; allocating them per sample cost a sixth of the decode time.
struct DecodeWorkspace {
  JpegCodec codec;
  std::vector<uint8_t> bytes;  // the encoded image
  DecodedImage decoded;        // the decoded crop or image
  DecodedImage resized;        // the sample before the flip
};

class JpegSource : public SampleSource {
 public:
  // Opens the split's shards and checks them against the manifest (InputError naming the shard
  // and field otherwise).
  JpegSource(const std::string& datasetDir, const DatasetManifest& manifest,
             const std::string& split, const StreamOptions& options);

  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  const std::vector<int32_t>& labels() const { return labels_; }
  const StreamOptions& options() const { return options_; }
  std::unique_ptr<BatchStream> stream(std::vector<std::vector<int64_t>> plan,
                                      const BatchRecipe& recipe,
                                      const BatchPlacement& placement) const override;

  // Sample `id` as the recipe makes it, its image-size x image-size x 3 bytes written at `out`
  // in `layout`. Thread-safe given a workspace per thread.
  void decodeSample(int64_t id, const BatchRecipe& recipe, PixelLayout layout, uint8_t* out,
                    DecodeWorkspace& workspace) const;

 private:
  // What a read needs of a shard: its file and where each image's bytes lie.
  struct ShardIndex {
    std::string path;
    std::vector<int64_t> offsets;  // of each image within the encoded bytes
    uint64_t fileOffset = 0;       // where the encoded bytes start in the file
  };

  // Image `id`'s encoded bytes, into `bytes`.
  void readEncoded(int64_t id, std::vector<uint8_t>& bytes) const;
  // Shard `shard`'s file, opened for reading from any thread; the ones used last stay open.
  // Reading the bytes directly (pread) keeps the HDF5 library, which a serial build lets one
  // thread call at a time, out of the decoder threads: checkpoints are written meanwhile.
  std::shared_ptr<const RandomAccessFile> openShard(size_t shard) const;

  StreamOptions options_;
  std::vector<ShardIndex> shards_;  // in id order
  std::vector<int64_t> firstIds_;   // of each shard
  std::vector<int32_t> labels_;     // by id
  mutable std::mutex filesMutex_;   // guards openFiles_ (the reads themselves run in parallel)
  mutable std::list<std::pair<size_t, std::shared_ptr<const RandomAccessFile>>>
      openFiles_;  // most recently used first
};

}  // namespace mu
