#pragma once
// Decoded images as the codecs hand them over: 8-bit pixels, rows top to bottom, channels
// interleaved (HWC): 3 for RGB, 1 for greyscale, 4 for CMYK straight from a JPEG.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mu {

struct DecodedImage {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;  // height * width * channels, HWC

  size_t size() const { return pixels.size(); }

  // Takes the given shape, keeping the memory it holds: a decoder thread that reuses one image
  // per step allocates (and page-faults) only while its images still grow.
  void reshape(int newWidth, int newHeight, int newChannels) {
    width = newWidth;
    height = newHeight;
    channels = newChannels;
    pixels.resize(static_cast<size_t>(newWidth) * static_cast<size_t>(newHeight) *
                  static_cast<size_t>(newChannels));
  }
};

// Bytes that do not decode: damaged, truncated, or of a kind we do not read. The caller adds the
// file it came from.
class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The most pixels we decode: PIL's decompression-bomb limit (2 * Image.MAX_IMAGE_PIXELS), so
// torchvision's loader refuses larger images too. A few header bytes may claim 65 535 x 65 535;
// decoding that would ask for 12 GB.
inline constexpr int64_t kMaxImagePixels = 178956970;

// ImageError naming `what` unless a `width` x `height` image is one we decode.
inline void checkImageSize(int64_t width, int64_t height, const std::string& what) {
  if (width < 1 || height < 1 || width * height > kMaxImagePixels) {
    throw ImageError(what + ": " + std::to_string(width) + "x" + std::to_string(height) +
                     " pixels, expected 1.." + std::to_string(kMaxImagePixels) +
                     " (a decompression bomb, as PIL calls it)");
  }
}

}  // namespace mu
