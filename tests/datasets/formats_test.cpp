// Source-format readers: small files written here in the real on-disk formats (IDX plain and
// gzip, CIFAR binary, SVHN MATLAB v5) must come back pixel-exact as NCHW with the right labels,
// bad files must fail with a message naming the file and the problem, and the Fashion-MNIST
// that Debian installs must load completely.

#include <gtest/gtest.h>
#include <matio.h>
#include <zlib.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "datasets/formats/format_registry.h"
#include "pipeline/base/error.h"
#include "pipeline/io/file_digest.h"

namespace mu {
namespace {

namespace fs = std::filesystem;

// ---- Known contents --------------------------------------------------------------------------

// A pixel value that differs when any coordinate (or the split) is swapped with another, so a
// transposed or misordered read cannot pass.
uint8_t patternPixel(int split, size_t n, int c, int h, int w) {
  return static_cast<uint8_t>(split * 101 + n * 37 + c * 59 + h * 11 + w * 3 + 1);
}

// The NCHW pixels a reader must return for `count` images of the pattern.
std::vector<uint8_t> patternNchw(int split, size_t count, int channels, int height, int width) {
  std::vector<uint8_t> pixels;
  for (size_t n = 0; n < count; ++n) {
    for (int c = 0; c < channels; ++c) {
      for (int h = 0; h < height; ++h) {
        for (int w = 0; w < width; ++w) pixels.push_back(patternPixel(split, n, c, h, w));
      }
    }
  }
  return pixels;
}

// Image n of the pattern alone (CHW), as CIFAR stores it after the label bytes.
std::vector<uint8_t> patternImage(int split, size_t n, int channels, int height, int width) {
  std::vector<uint8_t> image;
  for (int c = 0; c < channels; ++c) {
    for (int h = 0; h < height; ++h) {
      for (int w = 0; w < width; ++w) image.push_back(patternPixel(split, n, c, h, w));
    }
  }
  return image;
}

// ---- Writing files in the source formats -----------------------------------------------------

void writeFile(const std::string& path, const std::vector<uint8_t>& bytes, bool gzip = false) {
  if (gzip) {
    gzFile file = gzopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr) << path;
    ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
              static_cast<int>(bytes.size()));
    ASSERT_EQ(gzclose(file), Z_OK);
    return;
  }
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

void appendBigEndian(std::vector<uint8_t>& bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    bytes.push_back(static_cast<uint8_t>(value >> shift));
}

constexpr uint32_t kIdxImagesMagic = 0x00000803;
constexpr uint32_t kIdxLabelsMagic = 0x00000801;

std::vector<uint8_t> idxFile(uint32_t magic, const std::vector<uint32_t>& dims,
                             const std::vector<uint8_t>& data) {
  std::vector<uint8_t> bytes;
  appendBigEndian(bytes, magic);
  for (uint32_t dim : dims) appendBigEndian(bytes, dim);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

// One IDX split as it will be written: `prefix` is "train" or "t10k".
struct IdxSplit {
  std::string prefix;
  int split;  // pattern seed
  int height;
  int width;
  std::vector<uint8_t> labels;

  std::string imagesName() const { return prefix + "-images-idx3-ubyte"; }
  std::string labelsName() const { return prefix + "-labels-idx1-ubyte"; }
  std::vector<uint8_t> pixels() const {
    return patternNchw(split, labels.size(), 1, height, width);
  }
};

// Non-square images so that a height/width swap shows.
const IdxSplit kIdxTrain{"train", 0, 5, 4, {0, 9, 3, 7}};
const IdxSplit kIdxTest{"t10k", 1, 5, 4, {5, 1, 9}};

void writeIdxSplit(const fs::path& dir, const IdxSplit& split, bool gzip) {
  const std::string suffix = gzip ? ".gz" : "";
  const auto count = static_cast<uint32_t>(split.labels.size());
  writeFile(
      dir / (split.imagesName() + suffix),
      idxFile(kIdxImagesMagic,
              {count, static_cast<uint32_t>(split.height), static_cast<uint32_t>(split.width)},
              split.pixels()),
      gzip);
  writeFile(dir / (split.labelsName() + suffix), idxFile(kIdxLabelsMagic, {count}, split.labels),
            gzip);
}

constexpr int kCifarSide = 32;
constexpr size_t kCifarImageBytes = 3 * kCifarSide * kCifarSide;

// CIFAR records: each record's label bytes, then pattern image firstSample + i of `split`.
std::vector<uint8_t> cifarFile(const std::vector<std::vector<uint8_t>>& labelBytes, int split,
                               size_t firstSample) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < labelBytes.size(); ++i) {
    bytes.insert(bytes.end(), labelBytes[i].begin(), labelBytes[i].end());
    const std::vector<uint8_t> image =
        patternImage(split, firstSample + i, 3, kCifarSide, kCifarSide);
    bytes.insert(bytes.end(), image.begin(), image.end());
  }
  return bytes;
}

std::vector<std::vector<uint8_t>> cifar10Labels(const std::vector<uint8_t>& labels) {
  std::vector<std::vector<uint8_t>> records;
  for (uint8_t label : labels) records.push_back({label});
  return records;
}

// CIFAR-10 train labels per batch (batches of different sizes, to check concatenation order).
const std::array<std::vector<uint8_t>, 5> kCifar10Batches = {
    std::vector<uint8_t>{0, 1}, {2}, {3, 4, 5}, {6}, {7, 8, 9}};
const std::vector<uint8_t> kCifar10Test = {9, 0, 4};

void writeCifar10(const fs::path& folder, int numBatches = 5) {
  fs::create_directories(folder);
  size_t first = 0;
  for (int b = 0; b < numBatches; ++b) {
    writeFile(folder / ("data_batch_" + std::to_string(b + 1) + ".bin"),
              cifarFile(cifar10Labels(kCifar10Batches[b]), 0, first));
    first += kCifar10Batches[b].size();
  }
  writeFile(folder / "test_batch.bin", cifarFile(cifar10Labels(kCifar10Test), 1, 0));
}

struct MatCloser {
  void operator()(mat_t* mat) const { Mat_Close(mat); }
};

// One variable for writeMat: matio does not copy `data`, which must outlive the write.
struct MatVariable {
  std::string name;
  matio_classes classType;
  matio_types dataType;
  std::vector<size_t> dims;
  void* data;
};

void writeMat(const std::string& path, std::vector<MatVariable> variables,
              matio_compression compression = MAT_COMPRESSION_NONE) {
  std::unique_ptr<mat_t, MatCloser> mat(Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5));
  ASSERT_TRUE(mat) << path;
  for (MatVariable& variable : variables) {
    matvar_t* var = Mat_VarCreate(variable.name.c_str(), variable.classType, variable.dataType,
                                  static_cast<int>(variable.dims.size()), variable.dims.data(),
                                  variable.data, MAT_F_DONT_COPY_DATA);
    ASSERT_NE(var, nullptr) << variable.name;
    EXPECT_EQ(Mat_VarWrite(mat.get(), var, compression), 0) << variable.name;
    Mat_VarFree(var);
  }
}

// SVHN's X in MATLAB's column-major layout: X(h, w, c, n) at h + 32 w + 1024 c + 3072 n.
std::vector<uint8_t> svhnColumnMajor(int split, size_t count) {
  std::vector<uint8_t> x(count * kCifarImageBytes);
  for (size_t n = 0; n < count; ++n) {
    for (int c = 0; c < 3; ++c) {
      for (int w = 0; w < kCifarSide; ++w) {
        for (int h = 0; h < kCifarSide; ++h) {
          x[h + 32 * w + 1024 * c + 3072 * n] = patternPixel(split, n, c, h, w);
        }
      }
    }
  }
  return x;
}

// A well-formed SVHN file: uint8 X 32x32x3xN and double y Nx1.
void writeSvhn(const std::string& path, int split, std::vector<double> labels,
               matio_compression compression = MAT_COMPRESSION_NONE) {
  std::vector<uint8_t> x = svhnColumnMajor(split, labels.size());
  writeMat(path,
           {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, labels.size()}, x.data()},
            {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {labels.size(), 1}, labels.data()}},
           compression);
}

// ---- Fixture and checks ----------------------------------------------------------------------

// Each test gets a fresh folder under the working directory (ctest runs in build/test-data).
class FormatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::current_path() / (std::string("formats_test.") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  SourceDataset load(const std::string& format) const {
    return findSourceFormat(format).load(dir_.string());
  }
  // The message of the InputError loading `format` from the test folder throws ("" if none).
  std::string loadError(const std::string& format) const {
    try {
      load(format);
    } catch (const InputError& error) {
      return error.what();
    }
    ADD_FAILURE() << "loading " << format << " did not throw InputError";
    return "";
  }

  fs::path dir_;
};

void expectContainsAll(const std::string& message, std::initializer_list<std::string> fragments) {
  for (const std::string& fragment : fragments) {
    EXPECT_NE(message.find(fragment), std::string::npos)
        << "message \"" << message << "\" lacks \"" << fragment << "\"";
  }
}

void expectImages(const ImageSet& set, int channels, int height, int width,
                  const std::vector<uint8_t>& pixels, const std::vector<int32_t>& labels) {
  EXPECT_EQ(set.channels, channels);
  EXPECT_EQ(set.height, height);
  EXPECT_EQ(set.width, width);
  EXPECT_EQ(set.labels, labels);
  EXPECT_TRUE(set.pixels == pixels) << "pixels differ from the NCHW pattern";
}

std::vector<int32_t> asLabels(const std::vector<uint8_t>& bytes) {
  return std::vector<int32_t>(bytes.begin(), bytes.end());
}

// Sources are the files read, as joined from the folder given, each with its true SHA-256.
void expectSources(const SourceDataset& dataset, const std::vector<std::string>& paths) {
  ASSERT_EQ(dataset.sources.size(), paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    EXPECT_EQ(dataset.sources[i].path, paths[i]);
    EXPECT_EQ(dataset.sources[i].sha256, sha256OfFile(paths[i]));
  }
}

// ---- Registry --------------------------------------------------------------------------------

TEST(FormatRegistry, ListsEveryFormatWithAReader) {
  std::vector<std::string> names;
  for (const SourceFormat& format : sourceFormats()) {
    names.push_back(format.name);
    // Exactly one way in: files read into memory, or a tree of image files listed.
    EXPECT_NE(format.load == nullptr, format.listTree == nullptr) << format.name;
    EXPECT_FALSE(format.description.empty()) << format.name;
    EXPECT_EQ(&findSourceFormat(format.name), &format);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"fashion-mnist", "mnist", "cifar10", "cifar100",
                                             "svhn", "imagenet", "tinyimagenet", "imagefolder"}));
  EXPECT_EQ(findSourceFormat("fashion-mnist").defaultSource, "/usr/share/datasets/fashion-mnist");
}

TEST(FormatRegistry, UnknownNameListsValidNames) {
  try {
    findSourceFormat("foo");
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_STREQ(error.what(),
                 "unknown format 'foo' (valid: fashion-mnist, mnist, cifar10, cifar100, svhn, "
                 "imagenet, tinyimagenet, imagefolder)");
  }
}

// ---- IDX -------------------------------------------------------------------------------------

TEST_F(FormatsTest, MnistPlainIdxRoundTrip) {
  writeIdxSplit(dir_, kIdxTrain, false);
  writeIdxSplit(dir_, kIdxTest, false);
  const SourceDataset dataset = load("mnist");
  EXPECT_EQ(dataset.name, "mnist");
  EXPECT_EQ(dataset.numClasses, 10);
  EXPECT_EQ(dataset.classNames.front(), "0");
  EXPECT_EQ(dataset.classNames.back(), "9");
  expectImages(dataset.train, 1, 5, 4, kIdxTrain.pixels(), asLabels(kIdxTrain.labels));
  expectImages(dataset.test, 1, 5, 4, kIdxTest.pixels(), asLabels(kIdxTest.labels));
  expectSources(dataset, {path("train-images-idx3-ubyte"), path("train-labels-idx1-ubyte"),
                          path("t10k-images-idx3-ubyte"), path("t10k-labels-idx1-ubyte")});
}

TEST_F(FormatsTest, FashionMnistGzipIdxRoundTrip) {
  writeIdxSplit(dir_, kIdxTrain, true);
  writeIdxSplit(dir_, kIdxTest, true);
  const SourceDataset dataset = load("fashion-mnist");
  EXPECT_EQ(dataset.name, "fashion-mnist");
  ASSERT_EQ(dataset.classNames.size(), 10u);
  EXPECT_EQ(dataset.classNames.front(), "T-shirt/top");
  EXPECT_EQ(dataset.classNames.back(), "Ankle boot");
  expectImages(dataset.train, 1, 5, 4, kIdxTrain.pixels(), asLabels(kIdxTrain.labels));
  expectImages(dataset.test, 1, 5, 4, kIdxTest.pixels(), asLabels(kIdxTest.labels));
  // The recorded digest is that of the compressed file, the bytes actually on disk.
  expectSources(dataset, {path("train-images-idx3-ubyte.gz"), path("train-labels-idx1-ubyte.gz"),
                          path("t10k-images-idx3-ubyte.gz"), path("t10k-labels-idx1-ubyte.gz")});
}

TEST_F(FormatsTest, IdxPrefersPlainFileOverGzip) {
  writeIdxSplit(dir_, kIdxTrain, false);
  writeIdxSplit(dir_, kIdxTest, false);
  writeFile(path("train-images-idx3-ubyte.gz"), {1, 2, 3});  // never read
  const SourceDataset dataset = load("mnist");
  EXPECT_EQ(dataset.sources.front().path, path("train-images-idx3-ubyte"));
  expectImages(dataset.train, 1, 5, 4, kIdxTrain.pixels(), asLabels(kIdxTrain.labels));
}

TEST_F(FormatsTest, IdxMissingFileIsNamed) {
  writeIdxSplit(dir_, kIdxTrain, false);
  writeIdxSplit(dir_, kIdxTest, false);
  fs::remove(path("t10k-labels-idx1-ubyte"));
  expectContainsAll(loadError("mnist"),
                    {path("t10k-labels-idx1-ubyte"), "not found", "t10k-labels-idx1-ubyte.gz"});
}

TEST_F(FormatsTest, IdxTruncatedImagesFile) {
  writeIdxSplit(dir_, kIdxTrain, false);
  writeIdxSplit(dir_, kIdxTest, false);
  // Header says 4 images of 5x4 (80 bytes); cut the last image in half.
  fs::resize_file(path("train-images-idx3-ubyte"), 16 + 70);
  expectContainsAll(loadError("mnist"),
                    {path("train-images-idx3-ubyte"), "truncated", "4x5x4", "80 bytes", "70"});
}

TEST_F(FormatsTest, IdxTruncatedHeader) {
  writeIdxSplit(dir_, kIdxTrain, false);
  writeIdxSplit(dir_, kIdxTest, false);
  fs::resize_file(path("t10k-labels-idx1-ubyte"), 6);
  expectContainsAll(loadError("mnist"), {path("t10k-labels-idx1-ubyte"), "header", "truncated"});
}

TEST_F(FormatsTest, IdxTruncatedGzipStream) {
  writeIdxSplit(dir_, kIdxTrain, true);
  writeIdxSplit(dir_, kIdxTest, true);
  const std::string file = path("train-images-idx3-ubyte.gz");
  fs::resize_file(file, fs::file_size(file) - 12);  // loses the deflate end and the trailer
  expectContainsAll(loadError("fashion-mnist"), {file, "truncated"});
}

TEST_F(FormatsTest, IdxWrongMagicNumber) {
  writeIdxSplit(dir_, kIdxTrain, false);
  writeIdxSplit(dir_, kIdxTest, false);
  // A labels file where the images file belongs, a classic mix-up.
  fs::copy_file(path("t10k-labels-idx1-ubyte"), path("t10k-images-idx3-ubyte"),
                fs::copy_options::overwrite_existing);
  expectContainsAll(loadError("mnist"), {path("t10k-images-idx3-ubyte"), "magic number",
                                         "expected 0x00000803, got 0x00000801"});
}

TEST_F(FormatsTest, IdxImageLabelCountMismatch) {
  writeIdxSplit(dir_, kIdxTrain, false);
  writeIdxSplit(dir_, kIdxTest, false);
  writeFile(path("train-labels-idx1-ubyte"), idxFile(kIdxLabelsMagic, {3}, {0, 1, 2}));
  expectContainsAll(loadError("mnist"), {path("train-labels-idx1-ubyte"), "count", "3 labels",
                                         "expected 4", path("train-images-idx3-ubyte")});
}

TEST_F(FormatsTest, IdxLabelOutOfRange) {
  IdxSplit badTrain = kIdxTrain;
  badTrain.labels[2] = 10;
  writeIdxSplit(dir_, badTrain, false);
  writeIdxSplit(dir_, kIdxTest, false);
  expectContainsAll(loadError("mnist"),
                    {path("train-labels-idx1-ubyte"), "sample 2", "label 10", "0..9"});
}

TEST_F(FormatsTest, IdxTrainTestImageDimsDiffer) {
  IdxSplit tallTest = kIdxTest;
  tallTest.height = 6;
  writeIdxSplit(dir_, kIdxTrain, true);
  writeIdxSplit(dir_, tallTest, true);
  expectContainsAll(loadError("fashion-mnist"),
                    {path("t10k-images-idx3-ubyte.gz"), "dims", "6x4", "expected 5x4"});
}

// ---- CIFAR -----------------------------------------------------------------------------------

std::vector<int32_t> cifar10TrainLabels() {
  std::vector<int32_t> labels;
  for (const std::vector<uint8_t>& batch : kCifar10Batches) {
    labels.insert(labels.end(), batch.begin(), batch.end());
  }
  return labels;
}

TEST_F(FormatsTest, Cifar10RoundTripFromArchiveFolder) {
  const fs::path folder = dir_ / "cifar-10-batches-bin";
  writeCifar10(folder);
  std::string names;
  for (int i = 0; i < 10; ++i) names += "class " + std::to_string(i) + "\n";
  writeText((folder / "batches.meta.txt").string(), names + "\n\n");  // as shipped: blank tail

  const SourceDataset dataset = load("cifar10");  // the parent of cifar-10-batches-bin
  EXPECT_EQ(dataset.name, "cifar10");
  EXPECT_EQ(dataset.numClasses, 10);
  EXPECT_EQ(dataset.classNames.front(), "class 0");
  EXPECT_EQ(dataset.classNames.back(), "class 9");
  const std::vector<int32_t> trainLabels = cifar10TrainLabels();
  expectImages(dataset.train, 3, 32, 32, patternNchw(0, trainLabels.size(), 3, 32, 32),
               trainLabels);
  expectImages(dataset.test, 3, 32, 32, patternNchw(1, kCifar10Test.size(), 3, 32, 32),
               asLabels(kCifar10Test));
  std::vector<std::string> sources;
  for (int b = 1; b <= 5; ++b) {
    sources.push_back((folder / ("data_batch_" + std::to_string(b) + ".bin")).string());
  }
  sources.push_back((folder / "test_batch.bin").string());
  sources.push_back((folder / "batches.meta.txt").string());
  expectSources(dataset, sources);
}

TEST_F(FormatsTest, Cifar10FolderItselfUsesBuiltInClassNames) {
  writeCifar10(dir_);
  const SourceDataset dataset = load("cifar10");
  ASSERT_EQ(dataset.classNames.size(), 10u);
  EXPECT_EQ(dataset.classNames.front(), "airplane");
  EXPECT_EQ(dataset.classNames.back(), "truck");
  EXPECT_EQ(dataset.train.size(), 10);
  EXPECT_EQ(dataset.sources.size(), 6u);
}

TEST_F(FormatsTest, Cifar10MissingBatchIsNamed) {
  writeCifar10(dir_);
  fs::remove(path("data_batch_3.bin"));
  expectContainsAll(loadError("cifar10"), {path("data_batch_3.bin"), "not found"});
}

TEST_F(FormatsTest, Cifar10PartialRecord) {
  writeCifar10(dir_);
  fs::resize_file(path("test_batch.bin"), 2 * 3073 + 100);
  expectContainsAll(loadError("cifar10"), {path("test_batch.bin"), "6246 bytes",
                                           "not a whole number of 3073-byte records"});
}

TEST_F(FormatsTest, Cifar10LabelOutOfRange) {
  writeCifar10(dir_);
  writeFile(path("data_batch_4.bin"), cifarFile(cifar10Labels({10}), 0, 0));
  expectContainsAll(loadError("cifar10"),
                    {path("data_batch_4.bin"), "sample 0", "label 10", "0..9"});
}

// CIFAR-100 records: (coarse, fine); coarse labels differ from fine ones so a mix-up shows.
const std::vector<std::vector<uint8_t>> kCifar100Train = {{3, 99}, {19, 0}, {0, 42}, {7, 58}};
const std::vector<std::vector<uint8_t>> kCifar100Test = {{4, 17}, {11, 99}};

std::vector<int32_t> fineLabels(const std::vector<std::vector<uint8_t>>& records) {
  std::vector<int32_t> labels;
  for (const std::vector<uint8_t>& record : records) labels.push_back(record[1]);
  return labels;
}

TEST_F(FormatsTest, Cifar100UsesFineLabels) {
  writeFile(path("train.bin"), cifarFile(kCifar100Train, 0, 0));
  writeFile(path("test.bin"), cifarFile(kCifar100Test, 1, 0));
  const SourceDataset dataset = load("cifar100");
  EXPECT_EQ(dataset.name, "cifar100");
  EXPECT_EQ(dataset.numClasses, 100);
  ASSERT_EQ(dataset.classNames.size(), 100u);
  EXPECT_EQ(dataset.classNames[42], "42");
  expectImages(dataset.train, 3, 32, 32, patternNchw(0, kCifar100Train.size(), 3, 32, 32),
               fineLabels(kCifar100Train));
  expectImages(dataset.test, 3, 32, 32, patternNchw(1, kCifar100Test.size(), 3, 32, 32),
               fineLabels(kCifar100Test));
  expectSources(dataset, {path("train.bin"), path("test.bin")});
}

TEST_F(FormatsTest, Cifar100ArchiveFolderWithFineLabelNames) {
  const fs::path folder = dir_ / "cifar-100-binary";
  fs::create_directories(folder);
  writeFile((folder / "train.bin").string(), cifarFile(kCifar100Train, 0, 0));
  writeFile((folder / "test.bin").string(), cifarFile(kCifar100Test, 1, 0));
  std::string names;
  for (int i = 0; i < 100; ++i) names += "fine_" + std::to_string(i) + "\n";
  writeText((folder / "fine_label_names.txt").string(), names);
  const SourceDataset dataset = load("cifar100");
  EXPECT_EQ(dataset.classNames[99], "fine_99");
  EXPECT_EQ(dataset.train.labels, fineLabels(kCifar100Train));
  EXPECT_EQ(dataset.sources.back().path, (folder / "fine_label_names.txt").string());
}

TEST_F(FormatsTest, Cifar100FineLabelOutOfRange) {
  writeFile(path("train.bin"), cifarFile(kCifar100Train, 0, 0));
  writeFile(path("test.bin"), cifarFile({{1, 5}, {2, 100}}, 1, 0));
  expectContainsAll(loadError("cifar100"), {path("test.bin"), "sample 1", "label 100", "0..99"});
}

TEST_F(FormatsTest, Cifar100PartialRecord) {
  writeFile(path("train.bin"), cifarFile(kCifar100Train, 0, 0));
  writeFile(path("test.bin"), {1, 2, 3});
  expectContainsAll(loadError("cifar100"),
                    {path("test.bin"), "not a whole number of 3074-byte records"});
}

// ---- SVHN ------------------------------------------------------------------------------------

// Found by fuzzing (tests/fuzz/corpus/image_tree/regression-nul-wnid): a wnid holding a NUL byte
// named train/ itself, so the listing walked train/<NUL>/<NUL>/... until the stack ran out.
TEST_F(FormatsTest, TinyImageNetWnidThatIsNoFolderNameIsNamed) {
  fs::create_directories(path("train/n01/images"));
  writeText(path("train/n01/images/a.JPEG"), "");
  fs::create_directories(path("val/images"));
  for (const std::string& bad :
       {std::string("n01\n\0\1\n", 7), std::string("n01\n../n01\n"), std::string("..\n")}) {
    writeText(path("wnids.txt"), bad);
    try {
      findSourceFormat("tinyimagenet").listTree(dir_.string());
      FAIL() << "a wnid that is no folder name was listed";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("wnids.txt: wnids: folder names"), std::string::npos)
          << error.what();
    }
  }
}

// Found by fuzzing (tests/fuzz/corpus/image_tree/regression-long-wnid): a wnid longer than the
// longest file name (255 bytes) made looking up train/<wnid> fail, and the listing ended in a
// filesystem_error that named no class.
TEST_F(FormatsTest, TinyImageNetWnidTooLongForAFileNameIsNamed) {
  fs::create_directories(path("train/n01/images"));
  fs::create_directories(path("val/images"));
  const std::string wnid(300, 'n');
  writeText(path("wnids.txt"), "n01\n" + wnid + "\n");
  try {
    findSourceFormat("tinyimagenet").listTree(dir_.string());
    FAIL() << "a class folder the file system cannot look up was listed";
  } catch (const InputError& error) {
    expectContainsAll(error.what(), {path("train/" + wnid), "the images of class " + wnid});
  }
}

TEST_F(FormatsTest, SvhnRoundTripMapsTenToZero) {
  writeSvhn(path("train_32x32.mat"), 0, {1, 10, 5, 9}, MAT_COMPRESSION_ZLIB);
  writeSvhn(path("test_32x32.mat"), 1, {10, 3});
  const SourceDataset dataset = load("svhn");
  EXPECT_EQ(dataset.name, "svhn");
  EXPECT_EQ(dataset.numClasses, 10);
  EXPECT_EQ(dataset.classNames.front(), "0");
  expectImages(dataset.train, 3, 32, 32, patternNchw(0, 4, 3, 32, 32), {1, 0, 5, 9});
  expectImages(dataset.test, 3, 32, 32, patternNchw(1, 2, 3, 32, 32), {0, 3});
  expectSources(dataset, {path("train_32x32.mat"), path("test_32x32.mat")});
}

TEST_F(FormatsTest, SvhnAcceptsIntegerLabelClass) {
  std::vector<uint8_t> x = svhnColumnMajor(0, 3);
  std::vector<uint8_t> y = {10, 2, 7};
  writeMat(path("train_32x32.mat"), {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, 3}, x.data()},
                                     {"y", MAT_C_UINT8, MAT_T_UINT8, {3, 1}, y.data()}});
  writeSvhn(path("test_32x32.mat"), 1, {4});
  const SourceDataset dataset = load("svhn");
  expectImages(dataset.train, 3, 32, 32, patternNchw(0, 3, 3, 32, 32), {0, 2, 7});
  expectImages(dataset.test, 3, 32, 32, patternNchw(1, 1, 3, 32, 32), {4});
}

TEST_F(FormatsTest, SvhnMissingFileIsNamed) {
  writeSvhn(path("train_32x32.mat"), 0, {1});
  expectContainsAll(loadError("svhn"), {path("test_32x32.mat"), "not found"});
}

TEST_F(FormatsTest, SvhnMissingLabelVariable) {
  std::vector<uint8_t> x = svhnColumnMajor(0, 2);
  writeMat(path("train_32x32.mat"), {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, 2}, x.data()}});
  writeSvhn(path("test_32x32.mat"), 1, {4});
  expectContainsAll(loadError("svhn"), {path("train_32x32.mat"), "variable y", "missing"});
}

TEST_F(FormatsTest, SvhnImagesOfWrongClass) {
  std::vector<double> x(32 * 32 * 3 * 2, 0.5);
  std::vector<double> y = {1, 2};
  writeMat(path("train_32x32.mat"), {{"X", MAT_C_DOUBLE, MAT_T_DOUBLE, {32, 32, 3, 2}, x.data()},
                                     {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {2, 1}, y.data()}});
  writeSvhn(path("test_32x32.mat"), 1, {4});
  expectContainsAll(loadError("svhn"),
                    {path("train_32x32.mat"), "variable X", "uint8 32x32x3xN", "got double"});
}

TEST_F(FormatsTest, SvhnImagesOfWrongDims) {
  writeSvhn(path("train_32x32.mat"), 0, {1});
  std::vector<uint8_t> x(32 * 32 * 1 * 2, 7);
  std::vector<double> y = {1, 2};
  writeMat(path("test_32x32.mat"), {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 1, 2}, x.data()},
                                    {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {2, 1}, y.data()}});
  expectContainsAll(loadError("svhn"),
                    {path("test_32x32.mat"), "variable X", "uint8 32x32x3xN", "32x32x1x2"});
}

TEST_F(FormatsTest, SvhnLabelCountMismatch) {
  std::vector<uint8_t> x = svhnColumnMajor(0, 2);
  std::vector<double> y = {1, 2, 3};
  writeMat(path("train_32x32.mat"), {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, 2}, x.data()},
                                     {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {3, 1}, y.data()}});
  writeSvhn(path("test_32x32.mat"), 1, {4});
  expectContainsAll(loadError("svhn"),
                    {path("train_32x32.mat"), "variable y", "3 labels", "expected 2"});
}

TEST_F(FormatsTest, SvhnLabelOutOfRange) {
  writeSvhn(path("train_32x32.mat"), 0, {1, 2});
  writeSvhn(path("test_32x32.mat"), 1, {10, 11});
  expectContainsAll(loadError("svhn"), {path("test_32x32.mat"), "sample 1", "label 11", "1..10"});
}

TEST_F(FormatsTest, SvhnZeroLabelIsOutOfRange) {
  // SVHN never uses 0 (digit 0 is 10), so a 0 means the file is not what it claims.
  writeSvhn(path("train_32x32.mat"), 0, {0});
  writeSvhn(path("test_32x32.mat"), 1, {1});
  expectContainsAll(loadError("svhn"), {path("train_32x32.mat"), "sample 0", "label 0", "1..10"});
}

TEST_F(FormatsTest, SvhnNotAMatFile) {
  writeFile(path("train_32x32.mat"), std::vector<uint8_t>(200, 'x'));
  writeSvhn(path("test_32x32.mat"), 1, {1});
  expectContainsAll(loadError("svhn"), {path("train_32x32.mat"), "MATLAB"});
}

// Found by fuzz_svhn (tests/fuzz/corpus/svhn/regression-element-past-end): an element whose
// byte count runs past the end of the file made matio allocate 3.4 GB before failing.
TEST_F(FormatsTest, SvhnElementPastTheEndOfTheFileIsNamed) {
  // A miMATRIX of 1 GB, and (corpus/svhn/regression-garbage-element) a tag of no known type,
  // whose byte count matio trusts all the same.
  const std::vector<std::vector<uint8_t>> tags = {{14, 0, 0, 0, 0, 0, 0, 0x40},
                                                  {0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26}};
  for (const std::vector<uint8_t>& tag : tags) {
    writeSvhn(path("train_32x32.mat"), 0, {1});
    writeSvhn(path("test_32x32.mat"), 1, {1});
    {
      std::ofstream out(path("train_32x32.mat"), std::ios::binary | std::ios::app);
      out.write(reinterpret_cast<const char*>(tag.data()),
                static_cast<std::streamsize>(tag.size()));
    }
    expectContainsAll(loadError("svhn"), {path("train_32x32.mat"), "past the end"});
  }
}

// Found by fuzz_svhn (corpus/svhn/regression-array-name-length): the name part of X claiming
// 1.8 GB, inside an array of 3 KB, had matio allocate it.
TEST_F(FormatsTest, SvhnArrayPartLargerThanItsArrayIsNamed) {
  writeSvhn(path("train_32x32.mat"), 0, {1});
  writeSvhn(path("test_32x32.mat"), 1, {1});
  {
    // X's name: header (128), miMATRIX tag (8), array flags (16), dimensions (8 + 16) before it.
    std::fstream file(path("train_32x32.mat"), std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(128 + 8 + 16 + 8 + 16);
    const unsigned char name[8] = {1, 0, 0, 0, 9, 0, 0, 0x6E};  // miINT8 of 0x6E000009 bytes
    file.write(reinterpret_cast<const char*>(name), sizeof name);
  }
  expectContainsAll(loadError("svhn"), {path("train_32x32.mat"), "more than the array holds"});
}

// Found by fuzz_svhn (corpus/svhn/regression-v4-header): a file without the v5 header was read
// as headerless MATLAB v4, whose record header claimed 1.8 GB for matio to allocate. SVHN's files
// are v5: anything else is refused by name.
TEST_F(FormatsTest, SvhnFileOtherThanMatlabV5IsRefused) {
  writeSvhn(path("train_32x32.mat"), 0, {1});
  std::vector<uint8_t> v4(20, 0);
  v4[2] = 5;  // a plausible v4 record type, and a name of 0x7FFF0000 bytes
  v4[18] = 0xFF;
  v4[19] = 0x7F;
  writeFile(path("test_32x32.mat"), v4);
  expectContainsAll(loadError("svhn"), {path("test_32x32.mat"), "MATLAB v5 .mat file"});
  // Found by fuzz_svhn (corpus/svhn/regression-hdf5-overflow): the HDF5 library overflows a heap
  // buffer reading some damaged v7.3 files. SVHN ships v5, and scipy.io.loadmat (torchvision's
  // reader) refuses v7.3 too, so it is refused by name.
  std::vector<uint8_t> v73(600, 0);
  v73[124] = 0x00;
  v73[125] = 0x02;
  v73[126] = 'I';
  v73[127] = 'M';
  writeFile(path("test_32x32.mat"), v73);
  expectContainsAll(loadError("svhn"), {path("test_32x32.mat"), "v7.3 (HDF5) files are not read"});
}

// A count in X's dimensions that the file cannot hold is named before matio allocates it.
TEST_F(FormatsTest, SvhnImageCountTheFileCannotHoldIsNamed) {
  writeSvhn(path("train_32x32.mat"), 0, {1});
  writeSvhn(path("test_32x32.mat"), 1, {1});
  {
    // X's fourth dimension: header (128), miMATRIX tag (8), array flags (16), dims tag (8) and
    // three int32 dimensions (12) before it.
    std::fstream file(path("train_32x32.mat"), std::ios::binary | std::ios::in | std::ios::out);
    file.seekp(128 + 8 + 16 + 8 + 12);
    const unsigned char count[4] = {0xFF, 0xFF, 0xFF, 0x7F};
    file.write(reinterpret_cast<const char*>(count), sizeof count);
  }
  expectContainsAll(loadError("svhn"), {path("train_32x32.mat"), "variable X",
                                        "6597069763584 elements", "a damaged dimension"});
}

// Found by fuzz_svhn (corpus/svhn/regression-cell-dims): y written as a cell array claiming
// 2x4244635649 cells had matio allocate a pointer for each (68 GB). SVHN's files hold numeric
// arrays only, so any other array is refused by name, compressed or not.
TEST_F(FormatsTest, SvhnVariableOtherThanANumericArrayIsNamed) {
  for (const matio_compression compression : {MAT_COMPRESSION_NONE, MAT_COMPRESSION_ZLIB}) {
    std::vector<uint8_t> x = svhnColumnMajor(0, 1);
    std::vector<double> y = {1};
    double note = 3;
    size_t noteDims[2] = {1, 1};
    matvar_t* cells[1] = {
        Mat_VarCreate(nullptr, MAT_C_DOUBLE, MAT_T_DOUBLE, 2, noteDims, &note, 0)};
    writeMat(path("train_32x32.mat"),
             {{"X", MAT_C_UINT8, MAT_T_UINT8, {32, 32, 3, 1}, x.data()},
              {"y", MAT_C_DOUBLE, MAT_T_DOUBLE, {1, 1}, y.data()},
              {"notes", MAT_C_CELL, MAT_T_CELL, {1, 1}, cells}},
             compression);
    Mat_VarFree(cells[0]);
    writeSvhn(path("test_32x32.mat"), 1, {1});
    expectContainsAll(loadError("svhn"),
                      {path("train_32x32.mat"), "variable notes", "a cell array", "numeric"});
  }
}

// A compressed array's parts are checked as an uncompressed one's are: here y's name, inside the
// zlib stream, claims 1.8 GB of an array of 56 bytes.
TEST_F(FormatsTest, SvhnCompressedArrayPartLargerThanItsArrayIsNamed) {
  writeSvhn(path("train_32x32.mat"), 0, {1});
  writeSvhn(path("test_32x32.mat"), 1, {1});
  std::ifstream in(path("train_32x32.mat"), std::ios::binary);
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  // y is the second element: after the header (128) and X (an 8-byte tag and 3 KB and a bit).
  const size_t xBytes = file[132] | file[133] << 8 | file[134] << 16 | size_t{file[135]} << 24;
  const size_t yOffset = 128 + 8 + xBytes;
  std::vector<uint8_t> y(file.begin() + static_cast<std::ptrdiff_t>(yOffset), file.end());
  // y's name: its miMATRIX tag (8), array flags (16) and two dimensions (16) before it.
  const uint8_t hugeName[8] = {1, 0, 0, 0, 9, 0, 0, 0x6E};  // miINT8 of 0x6E000009 bytes
  std::copy(std::begin(hugeName), std::end(hugeName), y.begin() + 40);
  uLongf compressedBytes = compressBound(static_cast<uLong>(y.size()));
  std::vector<uint8_t> compressed(compressedBytes);
  ASSERT_EQ(compress(compressed.data(), &compressedBytes, y.data(), static_cast<uLong>(y.size())),
            Z_OK);
  file.resize(yOffset);
  const uint32_t tag[2] = {15, static_cast<uint32_t>(compressedBytes)};  // miCOMPRESSED
  const auto* tagBytes = reinterpret_cast<const uint8_t*>(tag);
  file.insert(file.end(), tagBytes, tagBytes + sizeof tag);
  file.insert(file.end(), compressed.begin(), compressed.begin() + compressedBytes);
  writeFile(path("train_32x32.mat"), file);
  expectContainsAll(loadError("svhn"),
                    {path("train_32x32.mat"), "compressed", "more than the array holds"});
}

// ---- The real Fashion-MNIST ------------------------------------------------------------------

// gunzip with zlib's inflate, independently of the reader's gzread path.
std::vector<uint8_t> gunzip(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> compressed((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  z_stream stream{};
  EXPECT_EQ(inflateInit2(&stream, 16 + MAX_WBITS), Z_OK);  // +16: expect a gzip wrapper
  stream.next_in = compressed.data();
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::vector<uint8_t> out;
  int status = Z_OK;
  while (status == Z_OK) {
    const size_t used = out.size();
    out.resize(used + (1 << 20));
    stream.next_out = out.data() + used;
    stream.avail_out = 1 << 20;
    status = inflate(&stream, Z_NO_FLUSH);
    out.resize(out.size() - stream.avail_out);
  }
  EXPECT_EQ(status, Z_STREAM_END) << path;
  inflateEnd(&stream);
  return out;
}

std::vector<int32_t> idxLabelBytes(const std::string& gzPath) {
  const std::vector<uint8_t> bytes = gunzip(gzPath);
  constexpr size_t kHeaderBytes = 8;  // magic, count
  return bytes.size() < kHeaderBytes
             ? std::vector<int32_t>{}
             : std::vector<int32_t>(bytes.begin() + kHeaderBytes, bytes.end());
}

std::vector<int64_t> classCounts(const std::vector<int32_t>& labels, int numClasses) {
  std::vector<int64_t> counts(static_cast<size_t>(numClasses));
  for (int32_t label : labels) ++counts.at(static_cast<size_t>(label));
  return counts;
}

TEST(RealFashionMnist, LoadsDebianPackageCompletely) {
  const SourceFormat& format = findSourceFormat("fashion-mnist");
  const std::string dir = format.defaultSource;
  if (!fs::exists(fs::path(dir) / "train-labels-idx1-ubyte.gz")) {
    GTEST_SKIP() << dir << " not installed (Debian package dataset-fashion-mnist)";
  }
  const auto start = std::chrono::steady_clock::now();
  const SourceDataset dataset = format.load(dir);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ timing   ] Fashion-MNIST loaded in " << seconds << " s\n";
  RecordProperty("load_seconds", std::to_string(seconds));
  // Generous bound: catches byte-at-a-time reading (many seconds), not machine noise.
  EXPECT_LT(seconds, 10.0);

  for (const ImageSet* set : {&dataset.train, &dataset.test}) {
    EXPECT_EQ(set->channels, 1);
    EXPECT_EQ(set->height, 28);
    EXPECT_EQ(set->width, 28);
    EXPECT_EQ(static_cast<int64_t>(set->pixels.size()), set->size() * 28 * 28);
  }
  EXPECT_EQ(dataset.train.size(), 60000);
  EXPECT_EQ(dataset.test.size(), 10000);
  EXPECT_EQ(classCounts(dataset.train.labels, 10), std::vector<int64_t>(10, 6000));
  EXPECT_EQ(classCounts(dataset.test.labels, 10), std::vector<int64_t>(10, 1000));
  EXPECT_TRUE(dataset.train.labels == idxLabelBytes(dir + "/train-labels-idx1-ubyte.gz"));
  EXPECT_TRUE(dataset.test.labels == idxLabelBytes(dir + "/t10k-labels-idx1-ubyte.gz"));
  ASSERT_EQ(dataset.sources.size(), 4u);
  for (const SourceFile& source : dataset.sources) EXPECT_EQ(source.sha256.size(), 64u);
}

}  // namespace
}  // namespace mu
