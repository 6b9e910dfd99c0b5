#include "pipeline/imaging/resample.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace mu {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

// For each output position along one axis: the first input index and the fixed-point weights of
// the inputs it averages.
struct AxisWeights {
  std::vector<int> first;
  std::vector<int> count;
  std::vector<int32_t> weights;  // `taps` per output position
  int taps = 0;
};

double triangle(double x) {
  x = std::fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

// Weights of output positions [window, window + count) of a resample of [begin, end) to
// `outputSize` positions (PIL's precompute_coeffs, evaluated on a window of its output).
AxisWeights axisWeights(int inputSize, double begin, double end, int outputSize, int window,
                        int count) {
  const double scale = (end - begin) / outputSize;
  const double filterScale = std::max(scale, 1.0);
  const double support = 1.0 * filterScale;
  AxisWeights axis;
  axis.taps = static_cast<int>(std::ceil(support)) * 2 + 1;
  axis.first.resize(static_cast<size_t>(count));
  axis.count.resize(static_cast<size_t>(count));
  axis.weights.assign(static_cast<size_t>(count) * static_cast<size_t>(axis.taps), 0);
  std::vector<double> weights(static_cast<size_t>(axis.taps));
  for (int out = 0; out < count; ++out) {
    const double center = begin + (window + out + 0.5) * scale;
    const int first = std::max(static_cast<int>(center - support + 0.5), 0);
    const int taps = std::min(static_cast<int>(center + support + 0.5), inputSize) - first;
    double sum = 0;
    for (int i = 0; i < taps; ++i) {
      weights[static_cast<size_t>(i)] = triangle((i + first - center + 0.5) / filterScale);
      sum += weights[static_cast<size_t>(i)];
    }
    int32_t* fixed = &axis.weights[static_cast<size_t>(out) * static_cast<size_t>(axis.taps)];
    for (int i = 0; i < taps; ++i) {
      const double weight = sum != 0 ? weights[static_cast<size_t>(i)] / sum : 0;
      const double scaled = weight * (1 << kPrecisionBits);
      fixed[i] = static_cast<int32_t>(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
    }
    axis.first[static_cast<size_t>(out)] = first;
    axis.count[static_cast<size_t>(out)] = std::max(taps, 0);
  }
  return axis;
}

uint8_t clip8(int64_t value) {
  const int64_t shifted = value >> kPrecisionBits;
  return static_cast<uint8_t>(std::clamp<int64_t>(shifted, 0, 255));
}

DecodedImage horizontal(const DecodedImage& in, const AxisWeights& axis, int width) {
  DecodedImage out{width, in.height, in.channels, {}};
  out.pixels.resize(static_cast<size_t>(width) * in.height * in.channels);
  const size_t channels = static_cast<size_t>(in.channels);
  for (int y = 0; y < in.height; ++y) {
    const uint8_t* row = &in.pixels[static_cast<size_t>(y) * in.width * channels];
    uint8_t* target = &out.pixels[static_cast<size_t>(y) * width * channels];
    for (int x = 0; x < width; ++x) {
      const int32_t* k = &axis.weights[static_cast<size_t>(x) * axis.taps];
      const size_t first = static_cast<size_t>(axis.first[static_cast<size_t>(x)]);
      for (size_t c = 0; c < channels; ++c) {
        int64_t sum = int64_t{1} << (kPrecisionBits - 1);
        for (int i = 0; i < axis.count[static_cast<size_t>(x)]; ++i) {
          sum += int64_t{row[(first + static_cast<size_t>(i)) * channels + c]} * k[i];
        }
        target[static_cast<size_t>(x) * channels + c] = clip8(sum);
      }
    }
  }
  return out;
}

DecodedImage vertical(const DecodedImage& in, const AxisWeights& axis, int height) {
  DecodedImage out{in.width, height, in.channels, {}};
  const size_t rowBytes = static_cast<size_t>(in.width) * static_cast<size_t>(in.channels);
  out.pixels.resize(static_cast<size_t>(height) * rowBytes);
  for (int y = 0; y < height; ++y) {
    const int32_t* k = &axis.weights[static_cast<size_t>(y) * axis.taps];
    const size_t first = static_cast<size_t>(axis.first[static_cast<size_t>(y)]);
    uint8_t* target = &out.pixels[static_cast<size_t>(y) * rowBytes];
    for (size_t j = 0; j < rowBytes; ++j) {
      int64_t sum = int64_t{1} << (kPrecisionBits - 1);
      for (int i = 0; i < axis.count[static_cast<size_t>(y)]; ++i) {
        sum += int64_t{in.pixels[(first + static_cast<size_t>(i)) * rowBytes + j]} * k[i];
      }
      target[j] = clip8(sum);
    }
  }
  return out;
}

}  // namespace

DecodedImage resampleBilinear(const DecodedImage& image, const ResampleBox& box, int width,
                              int height) {
  if (width < 1 || height < 1 || image.width < 1 || image.height < 1) {
    throw ImageError("resample: empty image or target (" + std::to_string(width) + "x" +
                     std::to_string(height) + ")");
  }
  const bool resizeX = width != image.width || box.left != 0 || box.right != image.width;
  const bool resizeY = height != image.height || box.top != 0 || box.bottom != image.height;
  DecodedImage result = image;
  if (resizeX) {
    result =
        horizontal(result, axisWeights(image.width, box.left, box.right, width, 0, width), width);
  }
  if (resizeY) {
    result =
        vertical(result, axisWeights(image.height, box.top, box.bottom, height, 0, height), height);
  }
  return result;
}

DecodedImage resizeThenCrop(const DecodedImage& image, int resizedWidth, int resizedHeight,
                            int left, int top, int width, int height) {
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > resizedWidth ||
      top + height > resizedHeight) {
    throw ImageError("resize then crop: the window lies outside the resized image");
  }
  DecodedImage result = image;
  // As resampleBilinear: an axis the resize leaves alone is only cropped.
  if (resizedWidth != image.width) {
    result = horizontal(result, axisWeights(image.width, 0, image.width, resizedWidth, left, width),
                        width);
  } else {
    result = cropImage(result, left, 0, width, result.height);
  }
  if (resizedHeight != image.height) {
    result = vertical(
        result, axisWeights(image.height, 0, image.height, resizedHeight, top, height), height);
  } else {
    result = cropImage(result, 0, top, result.width, height);
  }
  return result;
}

DecodedImage cropImage(const DecodedImage& image, int left, int top, int width, int height) {
  if (width < 1 || height < 1) {
    throw ImageError("crop: empty region (" + std::to_string(width) + "x" + std::to_string(height) +
                     ")");
  }
  DecodedImage out{width, height, image.channels, {}};
  const size_t channels = static_cast<size_t>(image.channels);
  out.pixels.assign(static_cast<size_t>(width) * static_cast<size_t>(height) * channels, 0);
  const int x0 = std::max(left, 0);
  const int x1 = std::min(left + width, image.width);
  for (int y = std::max(top, 0); y < std::min(top + height, image.height) && x0 < x1; ++y) {
    std::copy_n(&image.pixels[(static_cast<size_t>(y) * image.width + x0) * channels],
                static_cast<size_t>(x1 - x0) * channels,
                &out.pixels[(static_cast<size_t>(y - top) * width + (x0 - left)) * channels]);
  }
  return out;
}

DecodedImage resizeBilinear(const DecodedImage& image, int width, int height) {
  return resampleBilinear(
      image, {0, 0, static_cast<double>(image.width), static_cast<double>(image.height)}, width,
      height);
}

}  // namespace mu
