#pragma once
// JPEG through libjpeg-turbo's TurboJPEG API: the header alone (size, colour space), a full or
// DCT-downscaled decode, and encoding. A decoder warning (a truncated file, corrupt data that
// libjpeg would paper over with grey) is an error here: a dataset must hold exactly the images
// its sources hold, or say it does not.

#include <cstdint>
#include <memory>
#include <vector>

#include "pipeline/imaging/image.h"

namespace mu {

enum class JpegColorSpace { kRgb, kYCbCr, kGray, kCmyk, kYcck };

struct JpegHeader {
  int width = 0;
  int height = 0;
  JpegColorSpace colorSpace = JpegColorSpace::kYCbCr;
};

// One TurboJPEG decompressor and compressor; not thread-safe, so a thread keeps its own.
class JpegCodec {
 public:
  JpegCodec();
  ~JpegCodec();
  JpegCodec(const JpegCodec&) = delete;
  JpegCodec& operator=(const JpegCodec&) = delete;

  JpegHeader header(const uint8_t* bytes, size_t size);
  // The whole image as RGB (greyscale and colour JPEGs; CMYK ones are refused, see
  // decodeNative), scaled by `scaleNumerator / scaleDenominator` in the DCT domain (libjpeg-
  // turbo's factors: 1/1, 7/8, ..., 1/8; the size rounds up as TJSCALED does).
  DecodedImage decodeRgb(const uint8_t* bytes, size_t size, int scaleNumerator = 1,
                         int scaleDenominator = 1);
  // The same into `out`, reusing the memory it holds.
  void decodeRgb(const uint8_t* bytes, size_t size, int scaleNumerator, int scaleDenominator,
                 DecodedImage& out);
  // The image in its own colour model: 1 channel for greyscale, 4 for CMYK/YCCK (the values as
  // stored, which Adobe's CMYK files keep inverted), 3 (RGB) otherwise.
  DecodedImage decodeNative(const uint8_t* bytes, size_t size);
  // Baseline JPEG, 4:2:0 chroma for RGB, at `quality` (1-100).
  std::vector<uint8_t> encode(const DecodedImage& image, int quality);

 private:
  void* decompressor_;
  void* compressor_;
};

}  // namespace mu
