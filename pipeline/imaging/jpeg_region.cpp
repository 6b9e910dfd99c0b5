#include "pipeline/imaging/jpeg_region.h"

// jpeglib.h needs FILE and size_t declared first.
#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>

#include <jpeglib.h>

namespace mu {
namespace {

// libjpeg reports errors by calling error_exit, which must not return: it jumps back to
// decodeInto. Warnings (corrupt data libjpeg would paper over) jump there too.
struct ErrorManager {
  jpeg_error_mgr base;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void jumpOnError(j_common_ptr info) {
  auto* manager = reinterpret_cast<ErrorManager*>(info->err);
  (*info->err->format_message)(info, manager->message);
  std::longjmp(manager->jump, 1);
}

void jumpOnWarning(j_common_ptr info, int level) {
  if (level < 0) jumpOnError(info);  // level -1: a warning; others are trace messages
}

// The libjpeg calls, with nothing here that owns memory: a longjmp out of them skips no
// destructor. Writes the region's RGB rows to `out` (region.width * 3 bytes each); returns false
// with `message` set on failure.
bool decodeInto(const uint8_t* bytes, size_t size, const PixelRegion& region, int denominator,
                uint8_t* out, char* message) {
  jpeg_decompress_struct info;
  ErrorManager errors;
  info.err = jpeg_std_error(&errors.base);
  errors.base.error_exit = jumpOnError;
  errors.base.emit_message = jumpOnWarning;
  if (setjmp(errors.jump) != 0) {
    std::memcpy(message, errors.message, JMSG_LENGTH_MAX);
    jpeg_destroy_decompress(&info);
    return false;
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, bytes, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    std::snprintf(message, JMSG_LENGTH_MAX, "a CMYK JPEG has no direct RGB decode");
    jpeg_destroy_decompress(&info);
    return false;
  }
  info.out_color_space = JCS_RGB;
  info.dct_method = JDCT_ISLOW;  // TurboJPEG's TJFLAG_ACCURATEDCT, and PIL's default
  info.scale_num = 1;
  info.scale_denom = static_cast<unsigned int>(denominator);
  jpeg_start_decompress(&info);
  if (region.left < 0 || region.top < 0 || region.width < 1 || region.height < 1 ||
      static_cast<JDIMENSION>(region.left + region.width) > info.output_width ||
      static_cast<JDIMENSION>(region.top + region.height) > info.output_height) {
    std::snprintf(message, JMSG_LENGTH_MAX, "region outside the %ux%u image", info.output_width,
                  info.output_height);
    jpeg_destroy_decompress(&info);
    return false;
  }
  // Fancy upsampling of subsampled chroma reads the neighbouring chroma samples: decoding a
  // margin of a whole iMCU (16 pixels) around the region keeps its edge pixels those of a full
  // decode.
  const int margin = 16;
  const int left = std::max(0, region.left - margin);
  const int right =
      std::min(static_cast<int>(info.output_width), region.left + region.width + margin);
  const int top = std::max(0, region.top - margin);
  JDIMENSION firstColumn = static_cast<JDIMENSION>(left);
  JDIMENSION columns = static_cast<JDIMENSION>(right - left);
  jpeg_crop_scanline(&info, &firstColumn, &columns);  // widened to iMCU boundaries
  if (top > 0) jpeg_skip_scanlines(&info, static_cast<JDIMENSION>(top));
  // Several rows per call: libjpeg's per-call work is not negligible at one row.
  constexpr JDIMENSION kRowsPerRead = 16;
  JSAMPARRAY rows = (*info.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&info), JPOOL_IMAGE,
                                              info.output_width * 3, kRowsPerRead);
  const size_t skip = (static_cast<size_t>(region.left) - firstColumn) * 3;
  const size_t rowBytes = static_cast<size_t>(region.width) * 3;
  const auto end = static_cast<JDIMENSION>(region.top + region.height);
  while (info.output_scanline < end) {
    const JDIMENSION first = info.output_scanline;
    const JDIMENSION read = jpeg_read_scanlines(&info, rows, std::min(kRowsPerRead, end - first));
    if (read == 0) {  // a memory source never suspends: no rows means no more data
      std::snprintf(message, JMSG_LENGTH_MAX, "the data ends at row %u", first);
      jpeg_destroy_decompress(&info);
      return false;
    }
    for (JDIMENSION r = 0; r < read; ++r) {
      const auto y = static_cast<int>(first + r);
      if (y < region.top) continue;
      std::memcpy(out + static_cast<size_t>(y - region.top) * rowBytes, rows[r] + skip, rowBytes);
    }
  }
  jpeg_abort_decompress(&info);  // the rows below the region are never decoded
  jpeg_destroy_decompress(&info);
  return true;
}

}  // namespace

void decodeJpegRegion(const uint8_t* bytes, size_t size, const PixelRegion& region,
                      int scaleDenominator, DecodedImage& out) {
  if (scaleDenominator != 1 && scaleDenominator != 2 && scaleDenominator != 4 &&
      scaleDenominator != 8) {
    throw ImageError("JPEG region decode: scale 1/" + std::to_string(scaleDenominator));
  }
  out.reshape(std::max(region.width, 0), std::max(region.height, 0), 3);
  char message[JMSG_LENGTH_MAX] = {};
  if (!decodeInto(bytes, size, region, scaleDenominator, out.pixels.data(), message)) {
    throw ImageError(std::string("JPEG decode: ") + message);
  }
}

DecodedImage decodeJpegRegion(const uint8_t* bytes, size_t size, const PixelRegion& region,
                              int scaleDenominator) {
  DecodedImage image;
  decodeJpegRegion(bytes, size, region, scaleDenominator, image);
  return image;
}

}  // namespace mu
