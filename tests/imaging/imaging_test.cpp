// Decoding and resampling hold to PIL bit for bit: tests/imaging/pil_reference.py writes JPEG
// (colour, greyscale, CMYK, 4:4:4) and PNG files with PIL and what PIL's convert("RGB"),
// crop and resize(BILINEAR) make of them; our codecs and resampler must give the same bytes.

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/imaging/image_convert.h"
#include "pipeline/imaging/jpeg_codec.h"
#include "pipeline/imaging/jpeg_region.h"
#include "pipeline/imaging/pixel_layout.h"
#include "pipeline/imaging/png_codec.h"
#include "pipeline/imaging/resample.h"
#include "pipeline/io/text_file.h"
#include "tests/support/test_support.h"

namespace mu {
namespace {

// A ".rgb" file of the reference script: "width height\n" and the RGB bytes.
DecodedImage readReference(const std::string& path) {
  const std::string bytes = readTextFile(path);
  DecodedImage image;
  image.channels = 3;
  std::istringstream header(bytes.substr(0, bytes.find('\n')));
  header >> image.width >> image.height;
  image.pixels.assign(bytes.begin() + static_cast<std::ptrdiff_t>(bytes.find('\n') + 1),
                      bytes.end());
  EXPECT_EQ(image.pixels.size(), static_cast<size_t>(image.width) * image.height * 3) << path;
  return image;
}

// The largest difference between two images of the same shape.
int maxDifference(const DecodedImage& a, const DecodedImage& b) {
  int largest = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    largest = std::max(largest, std::abs(int{a.pixels[i]} - int{b.pixels[i]}));
  }
  return largest;
}

double meanDifference(const DecodedImage& a, const DecodedImage& b) {
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) sum += std::abs(int{a.pixels[i]} - int{b.pixels[i]});
  return sum / static_cast<double>(a.pixels.size());
}

void expectSameImage(const DecodedImage& ours, const DecodedImage& pil, const std::string& what) {
  ASSERT_EQ(ours.width, pil.width) << what;
  ASSERT_EQ(ours.height, pil.height) << what;
  ASSERT_EQ(ours.channels, 3) << what;
  EXPECT_EQ(maxDifference(ours, pil), 0) << what;
}

class ImagingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir("imaging");
    const test::CommandResult made =
        test::runCommand("/usr/bin/python3 " + std::string(MU_SOURCE_DIR) +
                         "/tests/imaging/pil_reference.py " + dir_->path());
    ASSERT_EQ(made.exitCode, 0) << made.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string file(const std::string& name) { return dir_->file(name); }

  DecodedImage decode(const std::string& name) {
    const std::vector<uint8_t> bytes = readBinaryFile(file(name));
    return decodeToRgb(bytes.data(), bytes.size(), codec_);
  }

  JpegCodec codec_;
  static test::ScratchDir* dir_;
};

test::ScratchDir* ImagingTest::dir_ = nullptr;

TEST_F(ImagingTest, EveryKindOfFileDecodesToPilsRgb) {
  for (const char* name : {"rgb.jpg", "grey.jpg", "cmyk.jpg", "png.JPEG", "q100-444.jpg"}) {
    expectSameImage(decode(name), readReference(file(std::string(name) + ".rgb")), name);
  }
}

TEST_F(ImagingTest, FilesAreRecognisedByTheirBytesNotTheirNames) {
  const std::vector<uint8_t> png = readBinaryFile(file("png.JPEG"));
  EXPECT_EQ(sniffImageKind(png.data(), png.size()), ImageKind::kPng);
  const std::vector<uint8_t> jpeg = readBinaryFile(file("cmyk.jpg"));
  EXPECT_EQ(sniffImageKind(jpeg.data(), jpeg.size()), ImageKind::kJpeg);
  EXPECT_EQ(codec_.header(jpeg.data(), jpeg.size()).colorSpace, JpegColorSpace::kCmyk);
  const std::vector<uint8_t> grey = readBinaryFile(file("grey.jpg"));
  EXPECT_EQ(codec_.decodeNative(grey.data(), grey.size()).channels, 1);
}

TEST_F(ImagingTest, ResizesAndCropsMatchPilsBilinearFilter) {
  const DecodedImage source = decode("rgb.jpg");
  expectSameImage(resizeBilinear(source, 64, 48), readReference(file("rgb.jpg.down.rgb")), "down");
  expectSameImage(resizeBilinear(source, 300, 211), readReference(file("rgb.jpg.up.rgb")), "up");
  expectSameImage(resizeBilinear(source, 100, 103), readReference(file("rgb.jpg.width-only.rgb")),
                  "one axis");
  expectSameImage(resizeBilinear(cropImage(source, 13, 7, 107, 88), 56, 56),
                  readReference(file("rgb.jpg.crop.rgb")), "crop then shrink");
  expectSameImage(resizeBilinear(cropImage(source, 40, 30, 30, 20), 64, 64),
                  readReference(file("rgb.jpg.crop-up.rgb")), "crop then enlarge");
  const std::vector<uint8_t> grey = readBinaryFile(file("grey.jpg"));
  expectSameImage(toRgb(resizeBilinear(codec_.decodeNative(grey.data(), grey.size()), 64, 48)),
                  readReference(file("grey.jpg.down.rgb")), "one channel");
}

TEST_F(ImagingTest, AResizeIntoAReusedImageMatchesAFreshOne) {
  // The loader's decoder threads resize every sample into the same image.
  const DecodedImage source = decode("rgb.jpg");
  DecodedImage reused;
  resizeBilinear(source, 300, 211, reused);
  resizeBilinear(source, 64, 48, reused);
  expectSameImage(reused, readReference(file("rgb.jpg.down.rgb")), "smaller after larger");
  resizeThenCrop(source, 200, 131, 30, 20, 96, 64, reused);
  expectSameImage(reused, readReference(file("rgb.jpg.resize-crop.rgb")), "then resize + crop");
}

TEST_F(ImagingTest, ResizeThenCropComputesOnlyTheCropOfPilsResize) {
  const DecodedImage source = decode("rgb.jpg");
  expectSameImage(resizeThenCrop(source, 200, 131, 30, 20, 96, 64),
                  readReference(file("rgb.jpg.resize-crop.rgb")), "both axes");
  expectSameImage(resizeThenCrop(source, 157, 80, 11, 3, 128, 64),
                  readReference(file("rgb.jpg.resize-height-crop.rgb")), "height only");
  EXPECT_THROW(resizeThenCrop(source, 100, 100, 50, 0, 64, 64), ImageError);
}

TEST_F(ImagingTest, RegionDecodesAreTheSamePixelsAsAFullDecode) {
  for (const char* name : {"rgb.jpg", "grey.jpg", "q100-444.jpg"}) {
    const std::vector<uint8_t> bytes = readBinaryFile(file(name));
    for (const int scale : {1, 2}) {
      const DecodedImage whole = codec_.decodeRgb(bytes.data(), bytes.size(), 1, scale);
      const PixelRegion regions[] = {{0, 0, whole.width, whole.height},
                                     {13, 7, 40, 30},
                                     {whole.width - 17, whole.height - 9, 17, 9},
                                     {1, 20, whole.width - 2, 1},
                                     {31, 0, 1, whole.height}};
      std::vector<PixelRegion> all(std::begin(regions), std::end(regions));
      std::mt19937 random(7);
      for (int i = 0; i < 60; ++i) {  // and regions anywhere, of any size
        const int width = 1 + static_cast<int>(random() % static_cast<unsigned>(whole.width));
        const int height = 1 + static_cast<int>(random() % static_cast<unsigned>(whole.height));
        all.push_back(
            {static_cast<int>(random() % static_cast<unsigned>(whole.width - width + 1)),
             static_cast<int>(random() % static_cast<unsigned>(whole.height - height + 1)), width,
             height});
      }
      for (const PixelRegion& region : all) {
        expectSameImage(decodeJpegRegion(bytes.data(), bytes.size(), region, scale),
                        cropImage(whole, region.left, region.top, region.width, region.height),
                        std::string(name) + " at 1/" + std::to_string(scale) + ", region " +
                            std::to_string(region.left) + "," + std::to_string(region.top));
      }
    }
  }
  const std::vector<uint8_t> bytes = readBinaryFile(file("rgb.jpg"));
  EXPECT_THROW(decodeJpegRegion(bytes.data(), bytes.size(), {150, 0, 20, 10}), ImageError);
  const std::vector<uint8_t> cmyk = readBinaryFile(file("cmyk.jpg"));
  EXPECT_THROW(decodeJpegRegion(cmyk.data(), cmyk.size(), {0, 0, 10, 10}), ImageError);
  std::vector<uint8_t> damaged = bytes;
  damaged.resize(damaged.size() / 3);
  EXPECT_THROW(decodeJpegRegion(damaged.data(), damaged.size(), {0, 90, 150, 10}), ImageError);
}

TEST_F(ImagingTest, CropsOutsideTheImageAreBlackAsPilsAre) {
  const DecodedImage source = decode("rgb.jpg");
  const DecodedImage crop = cropImage(source, -2, source.height - 1, 4, 3);
  ASSERT_EQ(crop.pixels.size(), 4u * 3u * 3u);
  // Only row 0, columns 2 and 3, lie inside the image.
  for (int x = 0; x < 4; ++x) {
    for (int c = 0; c < 3; ++c) {
      const uint8_t expected =
          x >= 2 ? source.pixels[((source.height - 1) * source.width + (x - 2)) * 3 + c] : 0;
      EXPECT_EQ(crop.pixels[x * 3 + c], expected) << x << "," << c;
      EXPECT_EQ(crop.pixels[(4 + x) * 3 + c], 0);
    }
  }
}

TEST_F(ImagingTest, DctScalingShrinksByLibjpegsFactors) {
  const std::vector<uint8_t> bytes = readBinaryFile(file("rgb.jpg"));
  const DecodedImage half = codec_.decodeRgb(bytes.data(), bytes.size(), 1, 2);
  EXPECT_EQ(half.width, 79);  // ceil(157 / 2)
  EXPECT_EQ(half.height, 52);
  const DecodedImage eighth = codec_.decodeRgb(bytes.data(), bytes.size(), 1, 8);
  EXPECT_EQ(eighth.width, 20);
  EXPECT_EQ(eighth.height, 13);
  // A scaled decode approximates the filtered image; it is not noise.
  EXPECT_LT(meanDifference(half, resizeBilinear(decode("rgb.jpg"), 79, 52)), 8.0);
}

TEST_F(ImagingTest, EncodingRoundTripsCloselyAndPngExactly) {
  // A smooth picture, as photographs are (the reference pattern's pixel noise is not).
  const DecodedImage source = resizeBilinear(resizeBilinear(decode("png.JPEG"), 20, 13), 157, 103);
  const std::vector<uint8_t> jpeg = codec_.encode(source, 95);
  const DecodedImage back = codec_.decodeRgb(jpeg.data(), jpeg.size());
  EXPECT_EQ(back.width, source.width);
  EXPECT_LT(meanDifference(back, source), 2.0);
  const std::vector<uint8_t> png = encodePng(source);
  expectSameImage(decodePngRgb(png.data(), png.size()), source, "PNG round trip");
}

TEST_F(ImagingTest, DamagedFilesAreErrorsNotGreyPatches) {
  std::vector<uint8_t> truncated = readBinaryFile(file("rgb.jpg"));
  truncated.resize(truncated.size() / 2);
  EXPECT_THROW(decodeToRgb(truncated.data(), truncated.size(), codec_), ImageError);
  std::vector<uint8_t> png = readBinaryFile(file("png.JPEG"));
  png.resize(png.size() / 2);
  EXPECT_THROW(decodeToRgb(png.data(), png.size(), codec_), ImageError);
  const std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o'};
  EXPECT_THROW(decodeToRgb(text.data(), text.size(), codec_), ImageError);
  EXPECT_THROW(decodeToRgb(text.data(), 0, codec_), ImageError);
}

// Found by fuzzing (tests/fuzz/corpus/image_file/regression-huge-jpeg): a 1 KB JPEG whose header
// claims 65000 x 65000 pixels made the decoder allocate 12.7 GB (std::bad_alloc, or the converter
// killed for memory). Headers over PIL's decompression-bomb limit are refused before decoding.
TEST_F(ImagingTest, AHeaderClaimingMorePixelsThanPilDecodesIsRefused) {
  for (const char* name : {"rgb.jpg", "png.JPEG"}) {
    std::vector<uint8_t> bytes = readBinaryFile(file(name));
    const bool png = sniffImageKind(bytes.data(), bytes.size()) == ImageKind::kPng;
    // JPEG: the SOF0 marker's height and width (16 bits each); PNG: IHDR's (32 bits each).
    const std::vector<uint8_t> marker =
        png ? std::vector<uint8_t>{'I', 'H', 'D', 'R'} : std::vector<uint8_t>{0xFF, 0xC0};
    const auto at = std::search(bytes.begin(), bytes.end(), marker.begin(), marker.end());
    ASSERT_NE(at, bytes.end()) << name;
    const size_t size = static_cast<size_t>(at - bytes.begin()) + (png ? 4 : 5);
    for (size_t i = 0; i < (png ? 8u : 4u); ++i) bytes[size + i] = png && i % 4 < 2 ? 0 : 0xFD;
    if (png) {  // IHDR's CRC (over its type and 13 data bytes), or libpng stops there
      uint32_t crc = 0xFFFFFFFF;
      for (size_t i = size - 4; i < size + 13; ++i) {
        crc ^= bytes[i];
        for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
      }
      crc = ~crc;
      for (size_t i = 0; i < 4; ++i)
        bytes[size + 13 + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
    }
    try {
      decodeToRgb(bytes.data(), bytes.size(), codec_);
      FAIL() << name << ": a decompression bomb was decoded";
    } catch (const ImageError& error) {
      EXPECT_NE(std::string(error.what()).find("decompression bomb"), std::string::npos)
          << name << ": " << error.what();
    }
  }
  // Found by fuzz_image_file (tests/fuzz/corpus/image_file/regression-png-chunk-past-end): a
  // 900-byte PNG whose tEXt chunk claimed 1.3 GB made libpng allocate that before failing.
  std::vector<uint8_t> png = readBinaryFile(file("png.JPEG"));
  const std::vector<uint8_t> text = {0x4E, 0x00, 0x00, 0x00, 't', 'E', 'X', 't'};
  png.insert(png.begin() + 33, text.begin(), text.end());  // after the signature and IHDR
  try {
    decodeToRgb(png.data(), png.size(), codec_);
    FAIL() << "a chunk past the end of the file was read";
  } catch (const ImageError& error) {
    EXPECT_NE(std::string(error.what()).find("chunk 'tEXt' at byte 33 claims 1308622848 bytes"),
              std::string::npos)
        << error.what();
  }
  // The largest size PIL decodes is still one we decode (the header alone, not its pixels).
  EXPECT_NO_THROW(checkImageSize(kMaxImagePixels, 1, "limit"));
  EXPECT_THROW(checkImageSize(kMaxImagePixels + 1, 1, "limit"), ImageError);
}

}  // namespace
TEST(PixelLayoutTest, WritesEveryLayoutAndMirrorAsTheDefinitionSays) {
  // Widths past and between the vector lengths, so the loops' remainders run too.
  for (const int width : {1, 7, 37, 224}) {
    DecodedImage image;
    image.reshape(width, 3, 3);
    for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 7);
    for (const bool mirror : {false, true}) {
      std::vector<uint8_t> planar(image.size()), interleaved(image.size());
      writePixels(image, mirror, PixelLayout::kPlanar, planar.data());
      writePixels(image, mirror, PixelLayout::kInterleaved, interleaved.data());
      for (int y = 0; y < image.height; ++y) {
        for (int x = 0; x < width; ++x) {
          const int from = mirror ? width - 1 - x : x;
          for (int c = 0; c < 3; ++c) {
            const uint8_t expected = image.pixels[static_cast<size_t>((y * width + from) * 3 + c)];
            ASSERT_EQ(planar[static_cast<size_t>((c * image.height + y) * width + x)], expected)
                << width << " " << mirror << " planar " << x << "," << y << "," << c;
            ASSERT_EQ(interleaved[static_cast<size_t>((y * width + x) * 3 + c)], expected)
                << width << " " << mirror << " interleaved " << x << "," << y << "," << c;
          }
        }
      }
    }
  }
}

}  // namespace mu
