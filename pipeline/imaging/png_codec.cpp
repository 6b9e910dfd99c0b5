#include "pipeline/imaging/png_codec.h"

#include <png.h>

#include <cstring>
#include <string>

namespace mu {

DecodedImage decodePngRgb(const uint8_t* bytes, size_t size) {
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
