#include "pipeline/imaging/resample.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/imaging/eight_lanes.h"

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

// A sum of weighted 8-bit pixels as a pixel. Bilinear weights are non-negative and their
// fixed-point sum exceeds 1 << kPrecisionBits by at most half a unit per tap, so the sum fits 32
// bits and its shifted value always lies in 0..255: PIL's clip to 0..255 never changes one, and
// is left out (a clip keeps the loops below from vectorising).
inline uint8_t pixelOf(int32_t sum) {
  return static_cast<uint8_t>(sum >> kPrecisionBits);
}

constexpr int32_t kRounding = int32_t{1} << (kPrecisionBits - 1);

// Buffers the passes reuse from call to call on one thread (a decoder thread resamples thousands
// of images of similar sizes).
struct Scratch {
  std::vector<int32_t> lanes;
  std::vector<uint64_t> packed;
  std::vector<int32_t> sums;
  DecodedImage rows;  // the horizontal pass's output when the vertical pass follows
};

Scratch& threadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// Rows resampled along x a block of kLanes at a time. The block is first interleaved and widened
// (value j of row r at lanes[j * kLanes + r]) so that each tap multiplies kLanes contiguous
// values: the same integer sums as PIL's pixel-by-pixel loop, computed kLanes rows at once. The
// results come out interleaved too (byte r of packed[j] is row r's value j) and are transposed
// back eight values at a time.
template <int Channels>
MU_INLINE void horizontalRows(const DecodedImage& in, const AxisWeights& axis, int width,
                              int rowBegin, int rowEnd, uint8_t* out) {
  const size_t inRow = static_cast<size_t>(in.width) * Channels;
  const size_t outRow = static_cast<size_t>(width) * Channels;
  std::vector<int32_t>& lanes = threadScratch().lanes;
  std::vector<uint64_t>& packed = threadScratch().packed;
  lanes.resize(inRow * kLanes);
  packed.resize(outRow);
  for (int blockBegin = rowBegin; blockBegin < rowEnd; blockBegin += kLanes) {
    const int rows = std::min(kLanes, rowEnd - blockBegin);
    const uint8_t* source[kLanes];
    for (int r = 0; r < kLanes; ++r) {  // a short block repeats its last row
      source[r] = &in.pixels[static_cast<size_t>(blockBegin + std::min(r, rows - 1)) * inRow];
    }
    for (size_t j = 0; j < inRow; ++j) {
      for (int r = 0; r < kLanes; ++r) lanes[j * kLanes + r] = source[r][j];
    }
    for (int x = 0; x < width; ++x) {
      const int32_t* k = &axis.weights[static_cast<size_t>(x) * static_cast<size_t>(axis.taps)];
      const int32_t* pixel =
          &lanes[static_cast<size_t>(axis.first[static_cast<size_t>(x)]) * Channels * kLanes];
      Int32x8 sums[Channels];
      for (Int32x8& sum : sums) sum = Int32x8{} + kRounding;
      for (int i = 0; i < axis.count[static_cast<size_t>(x)]; ++i, pixel += Channels * kLanes) {
        for (int c = 0; c < Channels; ++c) {
          Int32x8 values;
          load8(pixel + c * kLanes, values);
          sums[c] += values * k[i];
        }
      }
      for (int c = 0; c < Channels; ++c) {
        packed[static_cast<size_t>(x) * Channels + static_cast<size_t>(c)] =
            packedBytes(sums[c], kPrecisionBits);
      }
    }
    uint8_t* target = out + static_cast<size_t>(blockBegin - rowBegin) * outRow;
    size_t j = 0;
    for (; j + 8 <= outRow && rows == kLanes; j += 8) {
      uint64_t square[8];
      std::copy_n(&packed[j], 8, square);
      transpose8x8(square);
      for (int r = 0; r < kLanes; ++r) std::memcpy(target + r * outRow + j, &square[r], 8);
    }
    for (; j < outRow; ++j) {
      for (int r = 0; r < rows; ++r)
        target[r * outRow + j] = static_cast<uint8_t>(packed[j] >> (8 * r));
    }
  }
}

// The horizontal pass over the rows the vertical pass will read, [rowBegin, rowEnd).
MU_AVX2_CLONE void horizontal(const DecodedImage& in, const AxisWeights& axis, int width,
                              int rowBegin, int rowEnd, DecodedImage& out) {
  out.reshape(width, rowEnd - rowBegin, in.channels);
  uint8_t* pixels = out.pixels.data();
  switch (in.channels) {
    case 1:
      horizontalRows<1>(in, axis, width, rowBegin, rowEnd, pixels);
      break;
    case 2:
      horizontalRows<2>(in, axis, width, rowBegin, rowEnd, pixels);
      break;
    case 3:
      horizontalRows<3>(in, axis, width, rowBegin, rowEnd, pixels);
      break;
    case 4:
      horizontalRows<4>(in, axis, width, rowBegin, rowEnd, pixels);
      break;
    default:
      throw ImageError("resample: " + std::to_string(in.channels) + " channels (1 to 4 expected)");
  }
}

// `in` holds the source rows from `rowOffset` on; each output row accumulates whole input rows,
// a loop the compiler vectorises.
MU_AVX2_CLONE void vertical(const DecodedImage& in, const AxisWeights& axis, int height,
                            int rowOffset, DecodedImage& out) {
  out.reshape(in.width, height, in.channels);
  const size_t rowBytes = static_cast<size_t>(in.width) * static_cast<size_t>(in.channels);
  std::vector<int32_t>& sums = threadScratch().sums;
  sums.resize(rowBytes);
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
    for (size_t j = 0; j < rowBytes; ++j) target[j] = pixelOf(sums[j]);
  }
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
void resampleAxes(const DecodedImage& image, const AxisWeights* xAxis, int width,
                  const AxisWeights* yAxis, int height, DecodedImage& out) {
  if (xAxis == nullptr) return vertical(image, *yAxis, height, 0, out);
  if (yAxis == nullptr) return horizontal(image, *xAxis, width, 0, image.height, out);
  const auto [rowBegin, rowEnd] = rowsRead(*yAxis);
  DecodedImage& rows = threadScratch().rows;
  horizontal(image, *xAxis, width, rowBegin, rowEnd, rows);
  vertical(rows, *yAxis, height, rowBegin, out);
}

void resample(const DecodedImage& image, const ResampleBox& box, int width, int height,
              DecodedImage& out) {
  if (width < 1 || height < 1 || image.width < 1 || image.height < 1) {
    throw ImageError("resample: empty image or target (" + std::to_string(width) + "x" +
                     std::to_string(height) + ")");
  }
  const bool resizeX = width != image.width || box.left != 0 || box.right != image.width;
  const bool resizeY = height != image.height || box.top != 0 || box.bottom != image.height;
  if (!resizeX && !resizeY) {
    out = image;
    return;
  }
  const AxisWeights xAxis = axisWeights(image.width, box.left, box.right, width, 0, width);
  const AxisWeights yAxis = axisWeights(image.height, box.top, box.bottom, height, 0, height);
  resampleAxes(image, resizeX ? &xAxis : nullptr, width, resizeY ? &yAxis : nullptr, height, out);
}

}  // namespace

DecodedImage resampleBilinear(const DecodedImage& image, const ResampleBox& box, int width,
                              int height) {
  DecodedImage out;
  resample(image, box, width, height, out);
  return out;
}

void resizeThenCrop(const DecodedImage& image, int resizedWidth, int resizedHeight, int left,
                    int top, int width, int height, DecodedImage& out) {
  if (left < 0 || top < 0 || width < 1 || height < 1 || left + width > resizedWidth ||
      top + height > resizedHeight) {
    throw ImageError("resize then crop: the window lies outside the resized image");
  }
  // As resampleBilinear: an axis the resize leaves alone is only cropped.
  const bool resizeX = resizedWidth != image.width, resizeY = resizedHeight != image.height;
  if (!resizeX && !resizeY) {
    out = cropImage(image, left, top, width, height);
    return;
  }
  const AxisWeights xAxis = axisWeights(image.width, 0, image.width, resizedWidth, left, width);
  const AxisWeights yAxis = axisWeights(image.height, 0, image.height, resizedHeight, top, height);
  if (!resizeY) {
    resampleAxes(cropImage(image, 0, top, image.width, height), &xAxis, width, nullptr, height,
                 out);
  } else if (!resizeX) {
    resampleAxes(cropImage(image, left, 0, width, image.height), nullptr, width, &yAxis, height,
                 out);
  } else {
    resampleAxes(image, &xAxis, width, &yAxis, height, out);
  }
}

DecodedImage resizeThenCrop(const DecodedImage& image, int resizedWidth, int resizedHeight,
                            int left, int top, int width, int height) {
  DecodedImage out;
  resizeThenCrop(image, resizedWidth, resizedHeight, left, top, width, height, out);
  return out;
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

void resizeBilinear(const DecodedImage& image, int width, int height, DecodedImage& out) {
  resample(image, {0, 0, static_cast<double>(image.width), static_cast<double>(image.height)},
           width, height, out);
}

DecodedImage resizeBilinear(const DecodedImage& image, int width, int height) {
  DecodedImage out;
  resizeBilinear(image, width, height, out);
  return out;
}

}  // namespace mu
