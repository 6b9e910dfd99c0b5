#include "datasets/formats/cifar_format.h"

#include "datasets/formats/source_format.h"

#include <vector>

#include "datasets/formats/binary_reader.h"
#include "datasets/formats/class_labels.h"
#include "datasets/formats/source_files.h"
#include "pipeline/base/error.h"

namespace mu {
namespace {

constexpr int kChannels = 3;
constexpr int kSide = 32;
constexpr size_t kImageBytes = size_t{kChannels} * kSide * kSide;

// What differs between CIFAR-10 and CIFAR-100: file names and the label bytes of a record.
struct CifarVariant {
  std::string name;
  size_t labelBytes;  // bytes before the image in each record
  size_t labelIndex;  // which of them is the label we use
  int numClasses;
  std::string subFolder;  // what the official archive unpacks into
  std::vector<std::string> trainFiles;
  std::string testFile;
  std::string namesFile;  // optional
  std::vector<std::string> fallbackNames;
};

ImageSet emptyImageSet() {
  ImageSet set;
  set.channels = kChannels;
  set.height = kSide;
  set.width = kSide;
  return set;
}

// Appends the records of `path` to `set`; sample indices in errors count from the start of this
// file, which is what a user can look up.
void appendRecords(const std::string& path, const CifarVariant& variant, ImageSet& set) {
  const std::vector<uint8_t> bytes = readFileBytes(path);
  const size_t recordBytes = variant.labelBytes + kImageBytes;
  if (bytes.size() % recordBytes != 0) {
    throw InputError(path, "records",
                     "size " + std::to_string(bytes.size()) + " bytes is not a whole number of " +
                         std::to_string(recordBytes) +
                         "-byte records (truncated or partial record)");
  }
  const size_t count = bytes.size() / recordBytes;
  set.pixels.reserve(set.pixels.size() + count * kImageBytes);
  set.labels.reserve(set.labels.size() + count);
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* record = bytes.data() + i * recordBytes;
    const int label = record[variant.labelIndex];
    checkLabelRange(path, static_cast<int64_t>(i), label, 0, variant.numClasses - 1);
    set.labels.push_back(label);
    set.pixels.insert(set.pixels.end(), record + variant.labelBytes, record + recordBytes);
  }
}

SourceDataset loadCifar(const std::string& dir, const CifarVariant& variant) {
  // Accept the folder holding the files or the folder the archive was unpacked in.
  const std::string nested = joinPath(dir, variant.subFolder);
  const std::string folder =
      isRegularFile(joinPath(nested, variant.trainFiles.front())) ? nested : dir;
  // Locate everything first so a missing file is reported before any reading.
  std::vector<std::string> trainPaths;
  for (const std::string& file : variant.trainFiles) {
    trainPaths.push_back(findSourceFile(folder, {file}));
  }
  const std::string testPath = findSourceFile(folder, {variant.testFile});

  SourceDataset dataset;
  dataset.name = variant.name;
  dataset.numClasses = variant.numClasses;
  dataset.train = emptyImageSet();
  for (const std::string& path : trainPaths) appendRecords(path, variant, dataset.train);
  dataset.test = emptyImageSet();
  appendRecords(testPath, variant, dataset.test);

  const std::string namesPath = joinPath(folder, variant.namesFile);
  const bool haveNames = isRegularFile(namesPath);
  dataset.classNames =
      haveNames ? readClassNamesFile(namesPath, variant.numClasses) : variant.fallbackNames;
  for (const std::string& path : trainPaths) recordSource(dataset, path);
  recordSource(dataset, testPath);
  if (haveNames) recordSource(dataset, namesPath);
  return dataset;
}

}  // namespace

SourceDataset loadCifar10(const std::string& dir) {
  static const CifarVariant kCifar10{
      /*name=*/"cifar10",
      /*labelBytes=*/1,
      /*labelIndex=*/0,
      /*numClasses=*/10,
      /*subFolder=*/"cifar-10-batches-bin",
      /*trainFiles=*/
      {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
       "data_batch_5.bin"},
      /*testFile=*/"test_batch.bin",
      /*namesFile=*/"batches.meta.txt",
      /*fallbackNames=*/
      {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}};
  return loadCifar(dir, kCifar10);
}

SourceDataset loadCifar100(const std::string& dir) {
  static const CifarVariant kCifar100{
      /*name=*/"cifar100",
      /*labelBytes=*/2,
      /*labelIndex=*/1,  // records are (coarse, fine, image): fine is the 100-class label
      /*numClasses=*/100,
      /*subFolder=*/"cifar-100-binary",
      /*trainFiles=*/{"train.bin"},
      /*testFile=*/"test.bin",
      /*namesFile=*/"fine_label_names.txt",
      /*fallbackNames=*/numberedClassNames(100)};
  return loadCifar(dir, kCifar100);
}

SourceFormat cifar10Format() {
  return {"cifar10", "CIFAR-10 binary version: 32x32 RGB images, 10 classes (cifar-10-batches-bin)",
          "", &loadCifar10};
}

SourceFormat cifar100Format() {
  return {"cifar100",
          "CIFAR-100 binary version: 32x32 RGB images, 100 fine classes (cifar-100-binary)", "",
          &loadCifar100};
}

}  // namespace mu
