#pragma once
// What the conversion does to one image file of a tree: a JPEG the loader can decode as it is
// stays byte for byte; anything else becomes a JPEG of its RGB pixels: a PNG (ImageNet names one
// .JPEG), a CMYK JPEG (ImageNet has 22), and with --max-side an image whose longer side exceeds
// it, shrunk to that side with PIL's bilinear filter (as FFCV caps ImageNet). A file that does not
// decode completely (truncated, empty, another format) is an ImageError.

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/imaging/jpeg_codec.h"

namespace mu {

struct ImagePreparation {
  int64_t maxSide = 0;   // 0: keep every size
  int jpegQuality = 90;  // of what is re-encoded
};

struct PreparedImage {
  std::vector<uint8_t> bytes;  // a JPEG
  int32_t height = 0;
  int32_t width = 0;
  std::string transcoded;  // why it was re-encoded ("" when kept as it was)
};

PreparedImage prepareImage(std::vector<uint8_t> bytes, const ImagePreparation& preparation,
                           JpegCodec& codec);

// The size that fits `width` x `height` into `maxSide` on the longer side, keeping the aspect
// ratio (rounded, at least 1).
std::pair<int, int> fitWithin(int width, int height, int64_t maxSide);

}  // namespace mu
