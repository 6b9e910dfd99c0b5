#include "pipeline/data/stream_options.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <string>

#include "pipeline/base/error.h"

namespace mu {

void StreamOptions::registerOptions(OptionTable& table) {
  using Effect = OptionTable::Effect;
  table
      .add("image-size", &imageSize,
           "JPEG datasets: RandomResizedCrop size for training, CenterCrop size otherwise")
      .add("resize-size", &resizeSize,
           "JPEG datasets: shorter side after Resize, before the evaluation CenterCrop")
      .addFlag("square-resize", &squareResize,
               "JPEG datasets: evaluation resizes to resize-size x resize-size, ignoring the "
               "aspect ratio (the reference's ImageNet evaluation)")
      .addFlag("full-size-decode", &fullSizeDecode,
               "JPEG datasets: no DCT-domain downscaling of large images (slower; pixels exactly "
               "torchvision's)")
      .addChoice("sample-order", &sampleOrder, {"exact", "blocks"},
                 "epoch order: exact (one seeded permutation) or blocks (shard-sized runs in a "
                 "seeded order, shuffled within windows of 4: contiguous reads for network "
                 "filesystems)")
      .add("decode-threads", &decodeThreads,
           "JPEG datasets: decoder threads per rank (0: as --threads, the rank's share of the "
           "node's cores)",
           Effect::kOperational)
      .add("prefetch-batches", &prefetchBatches,
           "JPEG datasets: batches decoded ahead (memory is bounded by this)",
           Effect::kOperational);
}

void StreamOptions::validate() const {
  requireOption(imageSize >= 8 && imageSize <= 4096, "image-size", "expected 8..4096 pixels");
  requireOption(resizeSize >= imageSize && resizeSize <= 8192, "resize-size",
                "expected >= --image-size (a centre crop inside the resized image)");
  requireOption(decodeThreads >= 0 && decodeThreads <= 256, "decode-threads", "expected 0..256");
  requireOption(prefetchBatches >= 1 && prefetchBatches <= 64, "prefetch-batches",
                "expected 1..64");
}

SampleOrder StreamOptions::order(int64_t shardSize) const {
  if (sampleOrder != "blocks") return {};
  return {std::max<int64_t>(1, shardSize), 4};
}

int StreamOptions::threads() const {
  if (decodeThreads > 0) return static_cast<int>(decodeThreads);
  // The rank's share of the node's cores, as the stage set it from --threads.
  return std::max(1, at::get_num_threads());
}

}  // namespace mu
