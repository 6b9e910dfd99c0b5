#pragma once
// PNG through libpng's simplified API: ImageNet's training set holds one PNG file named .JPEG,
// and an ImageFolder tree may hold PNGs; the converter decodes them and stores them as JPEG.

#include <cstdint>
#include <vector>

#include "pipeline/imaging/image.h"

namespace mu {

// RGB, whatever the PNG's own format (palette, grey; an alpha channel is composited onto black,
// where PIL's convert("RGB") would drop it: no ImageNet image has one). ImageError for damaged
// data.
DecodedImage decodePngRgb(const uint8_t* bytes, size_t size);

// For tests and tools: an 8-bit RGB or grey PNG of `image`.
std::vector<uint8_t> encodePng(const DecodedImage& image);

}  // namespace mu
