#include "pipeline/imaging/jpeg_codec.h"

#include <turbojpeg.h>

#include <string>

namespace mu {
namespace {

[[noreturn]] void fail(void* handle, const char* what) {
  throw ImageError(std::string(what) + ": " + tjGetErrorStr2(handle));
}

JpegColorSpace colorSpaceOf(int code) {
  switch (code) {
    case TJCS_RGB:
      return JpegColorSpace::kRgb;
    case TJCS_GRAY:
      return JpegColorSpace::kGray;
    case TJCS_CMYK:
      return JpegColorSpace::kCmyk;
    case TJCS_YCCK:
      return JpegColorSpace::kYcck;
    default:
      return JpegColorSpace::kYCbCr;
  }
}

// Decodes into `image`, failing on errors and on warnings alike.
void decodeInto(void* handle, const uint8_t* bytes, size_t size, DecodedImage& image,
                int pixelFormat) {
  image.reshape(image.width, image.height, image.channels);
  const int status = tjDecompress2(handle, bytes, static_cast<unsigned long>(size),
                                   image.pixels.data(), image.width, 0, image.height, pixelFormat,
                                   TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING);
  if (status != 0) fail(handle, "JPEG decode");
}

}  // namespace

JpegCodec::JpegCodec() : decompressor_(tjInitDecompress()), compressor_(tjInitCompress()) {
  if (decompressor_ == nullptr || compressor_ == nullptr) {
    throw ImageError("TurboJPEG: cannot create a codec");
  }
}

JpegCodec::~JpegCodec() {
  tjDestroy(decompressor_);
  tjDestroy(compressor_);
}

JpegHeader JpegCodec::header(const uint8_t* bytes, size_t size) {
  int width = 0, height = 0, subsampling = 0, colorSpace = 0;
  if (tjDecompressHeader3(decompressor_, bytes, static_cast<unsigned long>(size), &width, &height,
                          &subsampling, &colorSpace) != 0) {
    fail(decompressor_, "JPEG header");
  }
  checkImageSize(width, height, "JPEG header");
  return {width, height, colorSpaceOf(colorSpace)};
}

void JpegCodec::decodeRgb(const uint8_t* bytes, size_t size, int scaleNumerator,
                          int scaleDenominator, DecodedImage& out) {
  const JpegHeader head = header(bytes, size);
  if (head.colorSpace == JpegColorSpace::kCmyk || head.colorSpace == JpegColorSpace::kYcck) {
    throw ImageError("JPEG decode: a CMYK image has no direct RGB decode");
  }
  const tjscalingfactor factor{scaleNumerator, scaleDenominator};
  out.width = TJSCALED(head.width, factor);
  out.height = TJSCALED(head.height, factor);
  out.channels = 3;
  decodeInto(decompressor_, bytes, size, out, TJPF_RGB);
}

DecodedImage JpegCodec::decodeRgb(const uint8_t* bytes, size_t size, int scaleNumerator,
                                  int scaleDenominator) {
  DecodedImage image;
  decodeRgb(bytes, size, scaleNumerator, scaleDenominator, image);
  return image;
}

DecodedImage JpegCodec::decodeNative(const uint8_t* bytes, size_t size) {
  const JpegHeader head = header(bytes, size);
  DecodedImage image;
  image.width = head.width;
  image.height = head.height;
  int pixelFormat = TJPF_RGB;
  image.channels = 3;
  if (head.colorSpace == JpegColorSpace::kGray) {
    pixelFormat = TJPF_GRAY;
    image.channels = 1;
  } else if (head.colorSpace == JpegColorSpace::kCmyk || head.colorSpace == JpegColorSpace::kYcck) {
    pixelFormat = TJPF_CMYK;
    image.channels = 4;
  }
  decodeInto(decompressor_, bytes, size, image, pixelFormat);
  return image;
}

std::vector<uint8_t> JpegCodec::encode(const DecodedImage& image, int quality) {
  int pixelFormat = TJPF_RGB;
  int subsampling = TJSAMP_420;
  if (image.channels == 1) {
    pixelFormat = TJPF_GRAY;
    subsampling = TJSAMP_GRAY;
  } else if (image.channels == 4) {
    pixelFormat = TJPF_CMYK;
    subsampling = TJSAMP_444;
  } else if (image.channels != 3) {
    throw ImageError("JPEG encode: " + std::to_string(image.channels) + " channels");
  }
  unsigned char* buffer = nullptr;
  unsigned long bytes = 0;
  if (tjCompress2(compressor_, image.pixels.data(), image.width, 0, image.height, pixelFormat,
                  &buffer, &bytes, subsampling, quality, TJFLAG_ACCURATEDCT) != 0) {
    tjFree(buffer);
    fail(compressor_, "JPEG encode");
  }
  std::vector<uint8_t> encoded(buffer, buffer + bytes);
  tjFree(buffer);
  return encoded;
}

}  // namespace mu
