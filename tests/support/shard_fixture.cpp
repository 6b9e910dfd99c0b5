#include "tests/support/shard_fixture.h"

#include "pipeline/data/shard_writer.h"
#include "pipeline/io/file_digest.h"

namespace mu::test {

ImageSet makePatternImages(int64_t count, int numClasses) {
  ImageSet images;
  images.channels = 3;
  images.height = 8;
  images.width = 6;
  images.pixels.resize(static_cast<size_t>(count * images.imageBytes()));
  for (int64_t n = 0; n < count; ++n) {
    images.labels.push_back(static_cast<int32_t>(n % numClasses));
    for (int64_t i = 0; i < images.imageBytes(); ++i) {
      images.pixels[static_cast<size_t>(n * images.imageBytes() + i)] =
          static_cast<uint8_t>((n * 31 + i * 7) % 251);
    }
  }
  return images;
}

DatasetManifest writePatternDataset(const std::string& dir, const ImageSet& images, int numClasses,
                                    int64_t shardSize, const std::string& name) {
  DatasetManifest manifest;
  manifest.dataset = name;
  manifest.numClasses = numClasses;
  for (int c = 0; c < numClasses; ++c) manifest.classNames.push_back("class" + std::to_string(c));
  manifest.channels = images.channels;
  manifest.height = images.height;
  manifest.width = images.width;
  manifest.mean = {0.5, 0.5, 0.5};
  manifest.std = {0.25, 0.25, 0.25};
  manifest.sources = {{"synthetic", sha256OfString(name)}};
  manifest.sourceSha256 = combinedSourceSha256(manifest.sources);
  manifest.shardSize = shardSize;
  manifest.splits["train"] = {images.size(), writeSplitShards(dir, manifest, "train", images)};
  writeManifest(dir, manifest);
  return manifest;
}

}  // namespace mu::test
