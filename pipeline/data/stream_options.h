#pragma once
// How a stage streams a JPEG dataset (encoding "jpeg"): the image geometry, which changes
// results and so is part of a run's identity, and the decoding resources, which do not. Declared
// once here; every stage that reads data registers them. The small in-memory formats ignore them.

#include <cstdint>

#include <string>

#include "pipeline/cli/option_table.h"
#include "pipeline/data/epoch_sampler.h"

namespace mu {

struct StreamOptions {
  int64_t imageSize = 224;    // RandomResizedCrop(size) for training, CenterCrop(size) otherwise
  int64_t resizeSize = 256;   // Resize(size) of the shorter side before the centre crop
  bool squareResize = false;  // Resize((size, size)) instead: the reference's ImageNet evaluation
  // Decode every image at full size. Off: large images decode at 1/2, 1/4 or 1/8 scale (in the
  // DCT domain, libjpeg-turbo) when the crop still has at least the output's pixels.
  bool fullSizeDecode = false;
  // exact: one seeded permutation per epoch; blocks: shard-sized runs in a seeded order, shuffled
  // within windows of 4 (epoch_sampler.h), for network filesystems.
  std::string sampleOrder = "exact";
  int64_t decodeThreads = 0;    // 0: the rank's --threads (its share of the node's cores)
  int64_t prefetchBatches = 3;  // batches decoded ahead of the consumer

  void registerOptions(OptionTable& table);
  void validate() const;  // InputError naming the option
  // decodeThreads, with 0 resolved.
  int threads() const;
  // The epoch order for a dataset written in shards of `shardSize`.
  SampleOrder order(int64_t shardSize) const;
};

}  // namespace mu
