#include "datasets/convert/image_preparation.h"

#include <algorithm>
#include <cmath>

#include "pipeline/imaging/image_convert.h"
#include "pipeline/imaging/resample.h"

namespace mu {

std::pair<int, int> fitWithin(int width, int height, int64_t maxSide) {
  const int longer = std::max(width, height);
  if (maxSide <= 0 || longer <= maxSide) return {width, height};
  const double scale = static_cast<double>(maxSide) / longer;
  return {std::max(1, static_cast<int>(std::lround(width * scale))),
          std::max(1, static_cast<int>(std::lround(height * scale)))};
}

PreparedImage prepareImage(std::vector<uint8_t> bytes, const ImagePreparation& preparation,
                           JpegCodec& codec) {
  // A full decode checks the whole file, not just its header.
  const ImageKind kind = sniffImageKind(bytes.data(), bytes.size());
  DecodedImage image = decodeToRgb(bytes.data(), bytes.size(), codec);
  std::string transcoded;
  if (kind == ImageKind::kPng) {
    transcoded = "PNG";
  } else {
    const JpegColorSpace space = codec.header(bytes.data(), bytes.size()).colorSpace;
    if (space == JpegColorSpace::kCmyk || space == JpegColorSpace::kYcck) transcoded = "CMYK JPEG";
  }
  const auto [width, height] = fitWithin(image.width, image.height, preparation.maxSide);
  if (width != image.width || height != image.height) {
    image = resizeBilinear(image, width, height);
    transcoded += (transcoded.empty() ? "" : ", ") + std::string("longer side above --max-side");
  }
  PreparedImage prepared;
  prepared.height = image.height;
  prepared.width = image.width;
  prepared.transcoded = transcoded;
  prepared.bytes =
      transcoded.empty() ? std::move(bytes) : codec.encode(image, preparation.jpegQuality);
  return prepared;
}

}  // namespace mu
