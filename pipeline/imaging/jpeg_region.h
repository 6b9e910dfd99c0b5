#pragma once
// Decoding only the part of a JPEG a crop keeps, through libjpeg-turbo's libjpeg API: whole
// rows above the region are skipped (jpeg_skip_scanlines), decoding stops below it, and only the
// iMCU columns around it are decoded (jpeg_crop_scanline). A RandomResizedCrop keeps about half
// of an image on average, so this about halves the decode. The pixels are those of a full decode
// (same IDCT, same fancy upsampling; imaging_test holds them to it). Decoder warnings are errors,
// as in jpeg_codec.h.

#include <cstddef>
#include <cstdint>

#include "pipeline/imaging/image.h"

namespace mu {

struct PixelRegion {
  int left = 0;
  int top = 0;
  int width = 0;
  int height = 0;
};

// `region` of the image decoded at 1 / `scaleDenominator` (1, 2, 4 or 8; coordinates in the
// scaled image), as RGB. Greyscale JPEGs come out as RGB; CMYK ones are refused (ImageError), as
// is a region outside the scaled image.
DecodedImage decodeJpegRegion(const uint8_t* bytes, size_t size, const PixelRegion& region,
                              int scaleDenominator = 1);
// The same into `out`, reusing the memory it holds.
void decodeJpegRegion(const uint8_t* bytes, size_t size, const PixelRegion& region,
                      int scaleDenominator, DecodedImage& out);

}  // namespace mu
