#include "pipeline/data/crop_geometry.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "pipeline/base/seed_mixing.h"

namespace mu {

int roundHalfEven(double value) {
  return static_cast<int>(std::nearbyint(value));
}

double sampleUniform(uint64_t seed, int64_t epoch, int64_t sampleId, uint64_t k) {
  const uint64_t bits =
      mixSeed(seed, {static_cast<uint64_t>(epoch), static_cast<uint64_t>(sampleId), k});
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

CropBox randomResizedCropBox(int width, int height, const std::function<double()>& uniform,
                             const RandomResizedCropRange& range) {
  if (width < 1 || height < 1) throw std::invalid_argument("RandomResizedCrop: an empty image");
  const double area = static_cast<double>(height) * width;
  const double logRatioMin = std::log(range.ratioMin);
  const double logRatioMax = std::log(range.ratioMax);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double targetArea =
        area * (range.scaleMin + uniform() * (range.scaleMax - range.scaleMin));
    const double aspectRatio = std::exp(logRatioMin + uniform() * (logRatioMax - logRatioMin));
    const int w = roundHalfEven(std::sqrt(targetArea * aspectRatio));
    const int h = roundHalfEven(std::sqrt(targetArea / aspectRatio));
    if (0 < w && w <= width && 0 < h && h <= height) {
      const auto pick = [&](int span) {
        return std::min(span - 1, static_cast<int>(std::floor(uniform() * span)));
      };
      const int top = pick(height - h + 1);
      const int left = pick(width - w + 1);
      return {top, left, h, w};
    }
  }
  // Fallback: a central crop of the ratio range's nearest ratio.
  const double inRatio = static_cast<double>(width) / height;
  int w = width, h = height;
  if (inRatio < range.ratioMin) {
    h = roundHalfEven(w / range.ratioMin);
  } else if (inRatio > range.ratioMax) {
    w = roundHalfEven(h * range.ratioMax);
  }
  return {(height - h) / 2, (width - w) / 2, h, w};
}

ResizedCrop resizeAndCenterCrop(int width, int height, int resizeSize, int cropSize, bool square) {
  if (width < 1 || height < 1) throw std::invalid_argument("Resize: an empty image");
  ResizedCrop out;
  const int shorter = std::min(width, height);
  const int longer = std::max(width, height);
  const int newLonger = static_cast<int>(static_cast<double>(resizeSize) * longer / shorter);
  out.resizedWidth = width <= height || square ? resizeSize : newLonger;
  out.resizedHeight = width <= height && !square ? newLonger : resizeSize;
  // CenterCrop: int(round((size - crop) / 2.0)); a crop larger than the image would be padded,
  // which Resize(256) before CenterCrop(224) never needs (cropSize <= resizeSize is checked).
  out.crop.height = std::min(cropSize, out.resizedHeight);
  out.crop.width = std::min(cropSize, out.resizedWidth);
  out.crop.top = roundHalfEven((out.resizedHeight - cropSize) / 2.0);
  out.crop.left = roundHalfEven((out.resizedWidth - cropSize) / 2.0);
  return out;
}

}  // namespace mu
