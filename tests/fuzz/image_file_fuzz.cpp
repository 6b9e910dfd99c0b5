// One image file of a tree as the conversion prepares it (JPEG kept or re-encoded, PNG and CMYK
// JPEG transcoded, --max-side shrinking), and the streaming loader's region decode of a JPEG.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "datasets/convert/image_preparation.h"
#include "pipeline/base/error.h"
#include "pipeline/imaging/image.h"
#include "pipeline/imaging/jpeg_codec.h"
#include "pipeline/imaging/jpeg_region.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static mu::JpegCodec codec;
  try {
    // A small --max-side, so the resampling runs on most images.
    mu::prepareImage(std::vector<uint8_t>(data, data + size), {/*maxSide=*/24, /*jpegQuality=*/90},
                     codec);
  } catch (const mu::ImageError&) {
    // Bytes that do not decode: the converter names the file and refuses or skips it.
  }
  try {
    // The crop a RandomResizedCrop might take: the middle of the image at half scale.
    const mu::JpegHeader header = codec.header(data, size);
    const int width = (header.width + 1) / 2, height = (header.height + 1) / 2;
    const mu::PixelRegion region{width / 4, height / 4, std::max(1, width / 2),
                                 std::max(1, height / 2)};
    mu::decodeJpegRegion(data, size, region, 2);
  } catch (const mu::ImageError&) {
    // As above: the loader names the shard and sample.
  }
  return 0;
}
