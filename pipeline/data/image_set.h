#pragma once
// Decoded images of one split, as the format readers produce them and the shard writer takes
// them: uint8 pixels in NCHW order and one integer class label per image. Sample id i is the
// image's position in the source's own order.

#include <cstdint>
#include <string>
#include <vector>

namespace mu {

struct ImageSet {
  int channels = 0;
  int height = 0;
  int width = 0;
  std::vector<uint8_t> pixels;  // size() * channels * height * width, NCHW
  std::vector<int32_t> labels;  // one per image, in [0, numClasses)

  int64_t size() const { return static_cast<int64_t>(labels.size()); }
  int64_t imageBytes() const { return int64_t{channels} * height * width; }
};

// A source file the images came from and its SHA-256, recorded in every shard.
struct SourceFile {
  std::string path;
  std::string sha256;
};

// A whole dataset as read from its source files.
struct SourceDataset {
  std::string name;  // registry name, e.g. "fashion-mnist"
  int numClasses = 0;
  std::vector<std::string> classNames;
  ImageSet train;
  ImageSet test;
  std::vector<SourceFile> sources;
};

}  // namespace mu
