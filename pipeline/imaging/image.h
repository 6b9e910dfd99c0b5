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

}  // namespace mu
