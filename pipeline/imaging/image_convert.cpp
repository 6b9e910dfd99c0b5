#include "pipeline/imaging/image_convert.h"

#include <cstring>

#include "pipeline/imaging/png_codec.h"

namespace mu {

ImageKind sniffImageKind(const uint8_t* bytes, size_t size) {
  static const uint8_t kJpeg[] = {0xFF, 0xD8, 0xFF};
  static const uint8_t kPng[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (size >= sizeof kJpeg && std::memcmp(bytes, kJpeg, sizeof kJpeg) == 0) return ImageKind::kJpeg;
  if (size >= sizeof kPng && std::memcmp(bytes, kPng, sizeof kPng) == 0) return ImageKind::kPng;
  return ImageKind::kUnknown;
}

std::string imageKindName(ImageKind kind) {
  switch (kind) {
    case ImageKind::kJpeg:
      return "JPEG";
    case ImageKind::kPng:
      return "PNG";
    case ImageKind::kUnknown:
      break;
  }
  return "unknown";
}

DecodedImage toRgb(DecodedImage image) {
  if (image.channels == 3) return image;
  DecodedImage rgb;
  rgb.width = image.width;
  rgb.height = image.height;
  rgb.channels = 3;
  const size_t pixels = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
  rgb.pixels.resize(pixels * 3);
  if (image.channels == 1) {
    for (size_t i = 0; i < pixels; ++i) {
      rgb.pixels[3 * i] = rgb.pixels[3 * i + 1] = rgb.pixels[3 * i + 2] = image.pixels[i];
    }
    return rgb;
  }
  if (image.channels != 4) {
    throw ImageError("RGB conversion: " + std::to_string(image.channels) + " channels");
  }
  for (size_t i = 0; i < pixels; ++i) {
    const unsigned k = image.pixels[4 * i + 3];
    for (size_t c = 0; c < 3; ++c) {
      // Rounded like PIL's MULDIV255: (a * b + 128) with the carry folded back in.
      const unsigned product = image.pixels[4 * i + c] * k + 128;
      rgb.pixels[3 * i + c] = static_cast<uint8_t>((product + (product >> 8)) >> 8);
    }
  }
  return rgb;
}

DecodedImage decodeToRgb(const uint8_t* bytes, size_t size, JpegCodec& codec) {
  if (size == 0) throw ImageError("an empty file");
  switch (sniffImageKind(bytes, size)) {
    case ImageKind::kJpeg:
      return toRgb(codec.decodeNative(bytes, size));
    case ImageKind::kPng:
      return decodePngRgb(bytes, size);
    case ImageKind::kUnknown:
      break;
  }
  throw ImageError("neither JPEG nor PNG data (the formats this pipeline decodes)");
}

}  // namespace mu
