#pragma once
// Writing a decoded RGB image into a batch buffer in the batch's layout, mirrored left to right
// on request: the last step of every streamed sample, so it runs as vectorised row loops (AVX2
// where the CPU has it) rather than byte by byte.

#include <cstdint>

#include "pipeline/imaging/image.h"

namespace mu {

// How an image's bytes lie in a batch: pixel after pixel (H x W x 3, a channels-last batch) or
// channel after channel (3 x H x W, an NCHW batch).
enum class PixelLayout { kInterleaved, kPlanar };

// `image` (3 channels) written at `out` (width * height * 3 bytes) in `layout`, its columns in
// reverse order when `mirror`.
void writePixels(const DecodedImage& image, bool mirror, PixelLayout layout, uint8_t* out);

}  // namespace mu
