#pragma once
// What turns any image the datasets hold into RGB, the one pixel format the stages train on:
// greyscale repeated over three channels and CMYK mixed down, as torchvision's ImageFolder does
// through PIL's convert("RGB"); and what recognises a file by its bytes, not its name (ImageNet
// names a PNG file .JPEG).

#include <cstdint>
#include <string>

#include "pipeline/imaging/image.h"
#include "pipeline/imaging/jpeg_codec.h"

namespace mu {

enum class ImageKind { kJpeg, kPng, kUnknown };

ImageKind sniffImageKind(const uint8_t* bytes, size_t size);
std::string imageKindName(ImageKind kind);

// Greyscale (1 channel) or CMYK as a JPEG stores it (4 channels, Adobe's inverted convention:
// 255 = no ink), to RGB: r = c' k' / 255 for inverted c', k', PIL's cmyk2rgb after its Adobe
// inversion. RGB images come back unchanged.
DecodedImage toRgb(DecodedImage image);

// A JPEG or PNG file's bytes as RGB, whatever the file's name says: what torchvision's loader
// gives for Image.open(path).convert("RGB"). ImageError for anything else or damaged data.
DecodedImage decodeToRgb(const uint8_t* bytes, size_t size, JpegCodec& codec);

}  // namespace mu
