// Writes the binary seed files of the fuzz corpora that no program of ours writes: source files
// (IDX, CIFAR, SVHN .mat) and images (JPEG, PNG), tiny and valid. tests/fuzz/make_seeds.sh runs
// it, then the real programs on them (mu-data convert, mu-train), and joins each harness's parts.
//
//   fuzz_seeds OUT_DIR

#include <matio.h>
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "pipeline/imaging/image.h"
#include "pipeline/imaging/jpeg_codec.h"
#include "pipeline/imaging/png_codec.h"

namespace {
namespace fs = std::filesystem;

void writeFile(const fs::path& path, const std::vector<uint8_t>& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void appendU32(std::vector<uint8_t>& bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<uint8_t>(value >> shift));
}

// An IDX pair of `count` 4x4 images and their labels.
void writeIdx(const fs::path& dir, const std::string& prefix, uint32_t count) {
  std::vector<uint8_t> images;
  appendU32(images, 0x00000803);
  for (uint32_t dim : {count, 4u, 4u}) appendU32(images, dim);
  for (uint32_t i = 0; i < count * 16; ++i) images.push_back(static_cast<uint8_t>(i * 7));
  std::vector<uint8_t> labels;
  appendU32(labels, 0x00000801);
  appendU32(labels, count);
  for (uint32_t i = 0; i < count; ++i) labels.push_back(static_cast<uint8_t>(i % 10));
  writeFile(dir / (prefix + "-images-idx3-ubyte"), images);
  writeFile(dir / (prefix + "-labels-idx1-ubyte"), labels);
}

// The same bytes gzip-compressed, as the distributions ship IDX files.
void gzipFile(const fs::path& plain, const fs::path& compressed) {
  std::ifstream in(plain, std::ios::binary);
  const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
  fs::create_directories(compressed.parent_path());
  gzFile out = gzopen(compressed.c_str(), "wb9");
  gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(out);
}

// One CIFAR record per file: `labelBytes` label bytes, then 3x32x32 pixels.
std::vector<uint8_t> cifarRecord(size_t labelBytes, uint8_t label) {
  std::vector<uint8_t> record(labelBytes, label);
  for (int i = 0; i < 3 * 32 * 32; ++i) record.push_back(static_cast<uint8_t>(i));
  return record;
}

// SVHN's variables: X uint8 32x32x3x`count`, y double `count`x1 in 1..10.
void writeSvhnMat(const fs::path& path, mat_ft version, matio_compression compression,
                  size_t count) {
  fs::create_directories(path.parent_path());
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, version);
  if (!mat) throw std::runtime_error("matio cannot write " + path.string());
  std::vector<uint8_t> pixels(32 * 32 * 3 * count);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i);
  size_t xDims[4] = {32, 32, 3, count};
  matvar_t* x = Mat_VarCreate("X", MAT_C_UINT8, MAT_T_UINT8, 4, xDims, pixels.data(), 0);
  Mat_VarWrite(mat, x, compression);
  Mat_VarFree(x);
  std::vector<double> labels;
  for (size_t i = 0; i < count; ++i) labels.push_back(static_cast<double>(i % 10 + 1));
  size_t yDims[2] = {count, 1};
  matvar_t* y = Mat_VarCreate("y", MAT_C_DOUBLE, MAT_T_DOUBLE, 2, yDims, labels.data(), 0);
  Mat_VarWrite(mat, y, compression);
  Mat_VarFree(y);
  Mat_Close(mat);
}

mu::DecodedImage gradient(int width, int height, int channels) {
  mu::DecodedImage image;
  image.reshape(width, height, channels);
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 5);
  return image;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seeds OUT_DIR\n";
    return 2;
  }
  const fs::path out = argv[1];
  // IDX: a 6-image train split (the converter's validation split needs a few) and a 2-image test.
  writeIdx(out / "idx", "train", 6);
  writeIdx(out / "idx", "t10k", 2);
  gzipFile(out / "idx/train-images-idx3-ubyte", out / "idx-gz/train-images-idx3-ubyte.gz");
  writeFile(out / "cifar10/record.bin", cifarRecord(1, 3));
  writeFile(out / "cifar100/record.bin", cifarRecord(2, 42));
  writeSvhnMat(out / "svhn/v5.mat", MAT_FT_MAT5, MAT_COMPRESSION_NONE, 2);
  writeSvhnMat(out / "svhn/v5-zlib.mat", MAT_FT_MAT5, MAT_COMPRESSION_ZLIB, 1);
  writeSvhnMat(out / "svhn/v73.mat", MAT_FT_MAT73, MAT_COMPRESSION_NONE, 1);
  mu::JpegCodec codec;
  writeFile(out / "images/rgb.jpg", codec.encode(gradient(40, 30, 3), 90));
  writeFile(out / "images/grey.jpg", codec.encode(gradient(9, 17, 1), 75));
  writeFile(out / "images/rgb.png", mu::encodePng(gradient(12, 8, 3)));
  writeFile(out / "images/grey.png", mu::encodePng(gradient(5, 5, 1)));
  // An ImageFolder tree for the JPEG shards: two classes, train and val.
  for (const char* split : {"train", "val"}) {
    for (int label = 0; label < 2; ++label) {
      writeFile(out / "tree" / split / ("c" + std::to_string(label)) / "a.jpg",
                codec.encode(gradient(10 + label, 8, 3), 80));
    }
  }
  std::cout << "seeds written to " << out.string() << "\n";
  return 0;
}
