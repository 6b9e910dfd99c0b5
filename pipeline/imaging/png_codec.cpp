#include "pipeline/imaging/png_codec.h"

#include <png.h>

#include <cstdint>
#include <cstring>
#include <string>

namespace mu {

namespace {

// libpng allocates a chunk's claimed length before reading it: a 900-byte file whose tEXt chunk
// claims 1.3 GB made it ask for that. The whole file is in memory, so every chunk up to IEND
// must fit in it. (A bad signature is left to libpng, which names it.)
void checkChunksFit(const uint8_t* bytes, size_t size) {
  constexpr size_t kSignature = 8, kChunkFrame = 12;  // length, type and CRC around the data
  if (size < kSignature || png_sig_cmp(bytes, 0, kSignature) != 0) return;
  size_t offset = kSignature;
  while (offset + kChunkFrame <= size) {
    const uint8_t* chunk = bytes + offset;
    const uint64_t length = uint64_t{chunk[0]} << 24 | uint64_t{chunk[1]} << 16 |
                            uint64_t{chunk[2]} << 8 | uint64_t{chunk[3]};
    const std::string type(reinterpret_cast<const char*>(chunk + 4), 4);
    if (offset + kChunkFrame + length > size) {
      throw ImageError("PNG: chunk '" + type + "' at byte " + std::to_string(offset) + " claims " +
                       std::to_string(length) + " bytes, past the end of the " +
                       std::to_string(size) + "-byte file (truncated or corrupt)");
    }
    if (type == "IEND") return;
    offset += kChunkFrame + length;
  }
}

}  // namespace

DecodedImage decodePngRgb(const uint8_t* bytes, size_t size) {
  checkChunksFit(bytes, size);
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&png, bytes, size) == 0) {
    throw ImageError(std::string("PNG header: ") + png.message);
  }
  try {
    checkImageSize(png.width, png.height, "PNG header");
  } catch (const ImageError&) {
    png_image_free(&png);
    throw;
  }
  png.format = PNG_FORMAT_RGB;
  DecodedImage image;
  image.width = static_cast<int>(png.width);
  image.height = static_cast<int>(png.height);
  image.channels = 3;
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  if (png_image_finish_read(&png, nullptr, image.pixels.data(), 0, nullptr) == 0) {
    const std::string message = png.message;
    png_image_free(&png);
    throw ImageError("PNG decode: " + message);
  }
  return image;
}

std::vector<uint8_t> encodePng(const DecodedImage& image) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  png_alloc_size_t bytes = 0;
  if (png_image_write_get_memory_size(png, bytes, 0, image.pixels.data(), 0, nullptr) == 0) {
    throw ImageError(std::string("PNG encode: ") + png.message);
  }
  std::vector<uint8_t> encoded(bytes);
  if (png_image_write_to_memory(&png, encoded.data(), &bytes, 0, image.pixels.data(), 0, nullptr) ==
      0) {
    throw ImageError(std::string("PNG encode: ") + png.message);
  }
  encoded.resize(bytes);
  return encoded;
}

}  // namespace mu
