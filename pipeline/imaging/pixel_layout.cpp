#include "pipeline/imaging/pixel_layout.h"

#include <algorithm>
#include <string>
#include <vector>

#include "pipeline/imaging/eight_lanes.h"

namespace mu {
namespace {

// The loops below are written so the compiler vectorises them: unit-stride stores, and an
// interleaved (stride-3) or reversed read it turns into byte shuffles. A mirrored row goes
// through planes first, since a reversed stride-3 read does not vectorise.

MU_AVX2_CLONE void splitRow(const uint8_t* __restrict row, size_t width, uint8_t* __restrict red,
                            uint8_t* __restrict green, uint8_t* __restrict blue) {
  for (size_t x = 0; x < width; ++x) {
    red[x] = row[3 * x];
    green[x] = row[3 * x + 1];
    blue[x] = row[3 * x + 2];
  }
}

MU_AVX2_CLONE void reverseRow(const uint8_t* __restrict from, size_t width,
                              uint8_t* __restrict to) {
  for (size_t x = 0; x < width; ++x) to[x] = from[width - 1 - x];
}

MU_AVX2_CLONE void joinReversedRow(const uint8_t* __restrict red, const uint8_t* __restrict green,
                                   const uint8_t* __restrict blue, size_t width,
                                   uint8_t* __restrict out) {
  for (size_t x = 0; x < width; ++x) {
    out[3 * x] = red[width - 1 - x];
    out[3 * x + 1] = green[width - 1 - x];
    out[3 * x + 2] = blue[width - 1 - x];
  }
}

}  // namespace

void writePixels(const DecodedImage& image, bool mirror, PixelLayout layout, uint8_t* out) {
  if (image.channels != 3) {
    throw ImageError("batch layout: " + std::to_string(image.channels) +
                     " channels (RGB expected)");
  }
  if (layout == PixelLayout::kInterleaved && !mirror) {
    std::copy(image.pixels.begin(), image.pixels.end(), out);
    return;
  }
  const auto width = static_cast<size_t>(image.width);
  const auto height = static_cast<size_t>(image.height);
  const size_t plane = width * height;
  std::vector<uint8_t> planes(mirror ? 3 * width : 0);  // one row's channels, when mirroring
  for (size_t y = 0; y < height; ++y) {
    const uint8_t* row = &image.pixels[y * width * 3];
    if (layout == PixelLayout::kInterleaved) {
      splitRow(row, width, &planes[0], &planes[width], &planes[2 * width]);
      joinReversedRow(&planes[0], &planes[width], &planes[2 * width], width, out + y * width * 3);
    } else if (!mirror) {
      splitRow(row, width, out + y * width, out + plane + y * width, out + 2 * plane + y * width);
    } else {
      splitRow(row, width, &planes[0], &planes[width], &planes[2 * width]);
      for (size_t c = 0; c < 3; ++c)
        reverseRow(&planes[c * width], width, out + c * plane + y * width);
    }
  }
}

}  // namespace mu
