#include "pipeline/imaging/resample.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
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

uint8_t clip8(int32_t value) {
  // Bilinear weights are non-negative and sum to 1 << kPrecisionBits, so an 8-bit pixel's sum
  // fits 32 bits, as in PIL.
  return static_cast<uint8_t>(std::clamp(value >> kPrecisionBits, 0, 255));
}

constexpr int32_t kRounding = int32_t{1} << (kPrecisionBits - 1);

// Rows [rowBegin, rowEnd) of `in` resampled along x to `width` columns, `Channels` interleaved.
template <int Channels>
void horizontalRows(const DecodedImage& in, const AxisWeights& axis, int width, int rowBegin,
                    int rowEnd, uint8_t* out) {
  const int channels = Channels > 0 ? Channels : in.channels;
  for (int y = rowBegin; y < rowEnd; ++y) {
    const uint8_t* row = &in.pixels[static_cast<size_t>(y) * in.width * channels];
    uint8_t* target = out + static_cast<size_t>(y - rowBegin) * width * channels;
    for (int x = 0; x < width; ++x) {
      const int32_t* k = &axis.weights[static_cast<size_t>(x) * axis.taps];
      const uint8_t* first = row + static_cast<size_t>(axis.first[static_cast<size_t>(x)]) *
                                       static_cast<size_t>(channels);
      const int count = axis.count[static_cast<size_t>(x)];
      if constexpr (Channels == 3) {
        // One pass over the taps for all three channels.
        int32_t red = kRounding, green = kRounding, blue = kRounding;
        for (int i = 0; i < count; ++i) {
          const uint8_t* pixel = first + 3 * i;
          red += int32_t{pixel[0]} * k[i];
          green += int32_t{pixel[1]} * k[i];
          blue += int32_t{pixel[2]} * k[i];
        }
        target[3 * x] = clip8(red);
        target[3 * x + 1] = clip8(green);
        target[3 * x + 2] = clip8(blue);
      } else {
        for (int c = 0; c < channels; ++c) {
          int32_t sum = kRounding;
          for (int i = 0; i < count; ++i) sum += int32_t{first[i * channels + c]} * k[i];
          target[x * channels + c] = clip8(sum);
        }
      }
    }
  }
}

// The horizontal pass over the rows the vertical pass will read, [rowBegin, rowEnd).
DecodedImage horizontal(const DecodedImage& in, const AxisWeights& axis, int width, int rowBegin,
                        int rowEnd) {
  DecodedImage out{width, rowEnd - rowBegin, in.channels, {}};
  out.pixels.resize(static_cast<size_t>(width) * static_cast<size_t>(out.height) *
                    static_cast<size_t>(in.channels));
  // A fixed channel count lets the compiler unroll the channel loop.
  if (in.channels == 3) {
    horizontalRows<3>(in, axis, width, rowBegin, rowEnd, out.pixels.data());
  } else {
    horizontalRows<0>(in, axis, width, rowBegin, rowEnd, out.pixels.data());
  }
  return out;
}

// `in` holds the source rows from `rowOffset` on; each output row accumulates whole input rows,
// a loop the compiler vectorises.
DecodedImage vertical(const DecodedImage& in, const AxisWeights& axis, int height, int rowOffset) {
  DecodedImage out{in.width, height, in.channels, {}};
  const size_t rowBytes = static_cast<size_t>(in.width) * static_cast<size_t>(in.channels);
  out.pixels.resize(static_cast<size_t>(height) * rowBytes);
  std::vector<int32_t> sums(rowBytes);
  for (int y = 0; y < height; ++y) {
    const int32_t* k = &axis.weights[static_cast<size_t>(y) * axis.taps];
    const size_t first = static_cast<size_t>(axis.first[static_cast<size_t>(y)] - rowOffset);
    std::fill(sums.begin(), sums.end(), kRounding);
    for (int i = 0; i < axis.count[static_cast<size_t>(y)]; ++i) {
      const uint8_t* source = &in.pixels[(first + static_cast<size_t>(i)) * rowBytes];
      const int32_t weight = k[i];
      for (size_t j = 0; j < rowBytes; ++j) sums[j] += int32_t{source[j]} * weight;
    }
    uint8_t* target = &out.pixels[static_cast<size_t>(y) * rowBytes];
    for (size_t j = 0; j < rowBytes; ++j) target[j] = clip8(sums[j]);
  }
  return out;
}

// The input rows a vertical pass reads: [first, end).
std::pair<int, int> rowsRead(const AxisWeights& axis) {
  int begin = std::numeric_limits<int>::max(), end = 0;
  for (size_t out = 0; out < axis.first.size(); ++out) {
    if (axis.count[out] == 0) continue;
    begin = std::min(begin, axis.first[out]);
    end = std::max(end, axis.first[out] + axis.count[out]);
  }
  return {std::min(begin, end), end};
}

// Both passes, PIL's order: x first (only over the rows y needs), then y; an axis left alone
// (no weights) is skipped.
DecodedImage resampleAxes(const DecodedImage& image, const AxisWeights* xAxis, int width,
                          const AxisWeights* yAxis, int height) {
  if (xAxis == nullptr) return vertical(image, *yAxis, height, 0);
  if (yAxis == nullptr) return horizontal(image, *xAxis, width, 0, image.height);
  const auto [rowBegin, rowEnd] = rowsRead(*yAxis);
  return vertical(horizontal(image, *xAxis, width, rowBegin, rowEnd), *yAxis, height, rowBegin);
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
  if (!resizeX && !resizeY) return image;
  const AxisWeights xAxis = axisWeights(image.width, box.left, box.right, width, 0, width);
  const AxisWeights yAxis = axisWeights(image.height, box.top, box.bottom, height, 0, height);
  return resampleAxes(image, resizeX ? &xAxis : nullptr, width, resizeY ? &yAxis : nullptr, height);
}

DecodedImage resizeThenCrop(const DecodedImage& image, int resizedWidth, int resizedHeight,
                            int left, int top, int width, int height) {
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > resizedWidth ||
      top + height > resizedHeight) {
    throw ImageError("resize then crop: the window lies outside the resized image");
  }
  // As resampleBilinear: an axis the resize leaves alone is only cropped.
  const bool resizeX = resizedWidth != image.width, resizeY = resizedHeight != image.height;
  if (!resizeX && !resizeY) return cropImage(image, left, top, width, height);
  const AxisWeights xAxis = axisWeights(image.width, 0, image.width, resizedWidth, left, width);
  const AxisWeights yAxis = axisWeights(image.height, 0, image.height, resizedHeight, top, height);
  if (!resizeY) {
    return resampleAxes(cropImage(image, 0, top, image.width, height), &xAxis, width, nullptr,
                        height);
  }
  if (!resizeX) {
    return resampleAxes(cropImage(image, left, 0, width, image.height), nullptr, width, &yAxis,
                        height);
  }
  return resampleAxes(image, &xAxis, width, &yAxis, height);
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
