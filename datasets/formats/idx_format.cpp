#include "datasets/formats/idx_format.h"

#include "datasets/formats/source_format.h"

#include <cstddef>
#include <utility>
#include <vector>

#include "datasets/formats/binary_reader.h"
#include "datasets/formats/class_labels.h"
#include "datasets/formats/source_files.h"
#include "pipeline/base/error.h"

namespace mu {
namespace {

// Magic = 0x0000 then the element type (0x08: unsigned byte) then the number of dimensions.
constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr int kNumClasses = 10;

// An IDX file's dimensions and the data after its header.
struct IdxArray {
  std::vector<uint32_t> dims;
  std::vector<uint8_t> data;
};

IdxArray readIdx(const std::string& path, uint32_t magic) {
  std::vector<uint8_t> bytes = readFileBytes(path);
  // The magic is checked first: a wrong file (e.g. labels given for images) is best reported
  // as such, not as a header too short for the dimensions it was supposed to have.
  const auto headerError = [&](size_t needed) {
    return InputError(path, "header",
                      "truncated: expected " + std::to_string(needed) + " header bytes, file has " +
                          std::to_string(bytes.size()));
  };
  if (bytes.size() < 4) throw headerError(4);
  const uint32_t actual = bigEndianU32(bytes.data());
  if (actual != magic) {
    throw InputError(path, "magic number", "expected " + hex32(magic) + ", got " + hex32(actual));
  }
  const size_t rank = magic & 0xFF;  // the last magic byte is the number of dimensions
  const size_t headerBytes = 4 + 4 * rank;
  if (bytes.size() < headerBytes) throw headerError(headerBytes);
  IdxArray array;
  std::string shape;
  uint64_t elements = 1;
  bool overflow = false;  // the product of the uint32 dims can exceed uint64
  for (size_t d = 0; d < rank; ++d) {
    const uint32_t dim = bigEndianU32(bytes.data() + 4 + 4 * d);
    array.dims.push_back(dim);
    shape += (d ? "x" : "") + std::to_string(dim);
    overflow = overflow || __builtin_mul_overflow(elements, uint64_t{dim}, &elements);
  }
  const uint64_t available = bytes.size() - headerBytes;
  const std::string promised =
      "header says " + shape + " (" + (overflow ? "too many" : std::to_string(elements)) +
      " bytes), file has " + std::to_string(available) + " after the header";
  if (overflow || elements > available) throw InputError(path, "data", "truncated: " + promised);
  if (elements < available) throw InputError(path, "data", promised + " (trailing bytes)");
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(headerBytes));
  array.data = std::move(bytes);  // no second copy of the 47 MB of Fashion-MNIST images
  return array;
}

ImageSet readSplit(const std::string& imagesPath, const std::string& labelsPath) {
  IdxArray images = readIdx(imagesPath, kImagesMagic);
  const IdxArray labels = readIdx(labelsPath, kLabelsMagic);
  constexpr uint32_t kMaxSide = 65535;  // keeps every size an int, whatever N is
  if (images.dims[1] == 0 || images.dims[2] == 0 || images.dims[1] > kMaxSide ||
      images.dims[2] > kMaxSide) {
    throw InputError(imagesPath, "dims",
                     "image height and width must be in 1.." + std::to_string(kMaxSide) + ", got " +
                         std::to_string(images.dims[1]) + "x" + std::to_string(images.dims[2]));
  }
  if (labels.dims[0] != images.dims[0]) {
    throw InputError(labelsPath, "count",
                     std::to_string(labels.dims[0]) + " labels, expected " +
                         std::to_string(images.dims[0]) + " (one per image in " + imagesPath + ")");
  }
  ImageSet set;
  set.channels = 1;
  set.height = static_cast<int>(images.dims[1]);
  set.width = static_cast<int>(images.dims[2]);
  set.pixels = std::move(images.data);
  set.labels.assign(labels.data.begin(), labels.data.end());
  for (size_t i = 0; i < set.labels.size(); ++i) {
    checkLabelRange(labelsPath, static_cast<int64_t>(i), set.labels[i], 0, kNumClasses - 1);
  }
  return set;
}

// Plain file if present (e.g. already unpacked), else the .gz that the distributions ship.
std::string findIdxFile(const std::string& dir, const std::string& name) {
  return findSourceFile(dir, {name, name + ".gz"});
}

SourceDataset loadIdxDataset(const std::string& dir, const std::string& name,
                             std::vector<std::string> classNames) {
  SourceDataset dataset;
  dataset.name = name;
  dataset.numClasses = kNumClasses;
  dataset.classNames = std::move(classNames);
  // Locate all four first so a missing file is reported before minutes of reading.
  const std::string trainImages = findIdxFile(dir, "train-images-idx3-ubyte");
  const std::string trainLabels = findIdxFile(dir, "train-labels-idx1-ubyte");
  const std::string testImages = findIdxFile(dir, "t10k-images-idx3-ubyte");
  const std::string testLabels = findIdxFile(dir, "t10k-labels-idx1-ubyte");
  dataset.train = readSplit(trainImages, trainLabels);
  dataset.test = readSplit(testImages, testLabels);
  if (dataset.test.height != dataset.train.height || dataset.test.width != dataset.train.width) {
    throw InputError(testImages, "dims",
                     "images are " + std::to_string(dataset.test.height) + "x" +
                         std::to_string(dataset.test.width) + ", expected " +
                         std::to_string(dataset.train.height) + "x" +
                         std::to_string(dataset.train.width) + " as in " + trainImages);
  }
  for (const std::string& path : {trainImages, trainLabels, testImages, testLabels}) {
    recordSource(dataset, path);
  }
  return dataset;
}

}  // namespace

SourceDataset loadFashionMnist(const std::string& dir) {
  return loadIdxDataset(dir, "fashion-mnist",
                        {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                         "Sneaker", "Bag", "Ankle boot"});
}

SourceDataset loadMnist(const std::string& dir) {
  return loadIdxDataset(dir, "mnist", numberedClassNames(kNumClasses));
}

SourceFormat fashionMnistFormat() {
  // Debian's dataset-fashion-mnist package installs the gzip IDX files in the default folder.
  return {"fashion-mnist",
          "Fashion-MNIST: 28x28 grey clothing images, 10 classes (IDX, plain or .gz)",
          "/usr/share/datasets/fashion-mnist", &loadFashionMnist};
}

SourceFormat mnistFormat() {
  return {"mnist", "MNIST: 28x28 grey handwritten digits, 10 classes (IDX, plain or .gz)", "",
          &loadMnist};
}

}  // namespace mu
