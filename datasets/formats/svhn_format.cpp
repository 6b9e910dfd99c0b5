#include "datasets/formats/svhn_format.h"

#include "datasets/formats/source_format.h"

#include <matio.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "datasets/formats/class_labels.h"
#include "datasets/formats/mat_file_check.h"
#include "datasets/formats/source_files.h"
#include "pipeline/base/error.h"

namespace mu {
namespace {

constexpr int kChannels = 3;
constexpr int kSide = 32;
constexpr size_t kImageBytes = size_t{kChannels} * kSide * kSide;
constexpr int kNumClasses = 10;
constexpr int64_t kZeroDigitLabel = 10;  // SVHN labels digit 0 as 10

struct MatCloser {
  void operator()(mat_t* mat) const { Mat_Close(mat); }
};
struct MatVarFreer {
  void operator()(matvar_t* var) const { Mat_VarFree(var); }
};
using MatFile = std::unique_ptr<mat_t, MatCloser>;
using MatVar = std::unique_ptr<matvar_t, MatVarFreer>;

// MATLAB's own class names, which is what a user sees in MATLAB's `whos`.
std::string className(matio_classes classType) {
  static const char* const kNames[] = {
      "empty", "cell",  "struct", "object", "char",   "sparse", "double", "single",   "int8",
      "uint8", "int16", "uint16", "int32",  "uint32", "int64",  "uint64", "function", "opaque"};
  const auto index = static_cast<size_t>(classType);
  return index < sizeof(kNames) / sizeof(kNames[0]) ? kNames[index] : std::to_string(index);
}

bool isNumericClass(matio_classes classType) {
  return classType >= MAT_C_DOUBLE && classType <= MAT_C_UINT64;
}

std::string describeDims(const matvar_t& var) {
  std::string text;
  for (int d = 0; d < var.rank; ++d) text += (d ? "x" : "") + std::to_string(var.dims[d]);
  return text;
}

// The variable's header only (class, rank, dims), so its shape is checked before its data is read.
MatVar readInfo(mat_t* mat, const std::string& path, const std::string& name) {
  MatVar info(Mat_VarReadInfo(mat, name.c_str()));
  if (!info) throw InputError(path, "variable " + name, "missing");
  if (info->isComplex) {
    throw InputError(path, "variable " + name, "expected real values, got complex");
  }
  return info;
}

// The variable with its data, which matio converts to the variable's class type.
MatVar readData(mat_t* mat, const std::string& path, const std::string& name, size_t count) {
  MatVar var(Mat_VarRead(mat, name.c_str()));
  if (!var || !var->data || var->nbytes < count * Mat_SizeOfClass(var->class_type)) {
    throw InputError(path, "variable " + name,
                     "data could not be read (truncated or corrupt file)");
  }
  return var;
}

// The number of images in X, after checking it is uint8 32x32x3xN. MATLAB drops a trailing
// singleton dimension, so one image is stored as 32x32x3.
size_t checkImagesInfo(const matvar_t& x, const std::string& path) {
  const bool shapeOk = (x.rank == 4 || x.rank == 3) && x.dims[0] == kSide && x.dims[1] == kSide &&
                       x.dims[2] == kChannels;
  if (x.class_type != MAT_C_UINT8 || !shapeOk) {
    throw InputError(
        path, "variable X",
        "expected uint8 32x32x3xN, got " + className(x.class_type) + " " + describeDims(x));
  }
  return x.rank == 4 ? x.dims[3] : 1;
}

// X(h, w, c, n) sits at h + 32 w + 1024 c + 3072 n; NCHW wants n, c, h, w with w fastest.
std::vector<uint8_t> columnMajorToNchw(const uint8_t* data, size_t count) {
  std::vector<uint8_t> pixels(count * kImageBytes);
  for (size_t plane = 0; plane < count * kChannels; ++plane) {
    const uint8_t* source = data + plane * kSide * kSide;
    uint8_t* target = pixels.data() + plane * kSide * kSide;
    for (int w = 0; w < kSide; ++w) {
      for (int h = 0; h < kSide; ++h) target[h * kSide + w] = source[w * kSide + h];
    }
  }
  return pixels;
}

template <typename T>
std::vector<double> valuesAsDouble(const void* data, size_t count) {
  const T* typed = static_cast<const T*>(data);
  return std::vector<double>(typed, typed + count);
}

// y's values, whatever numeric class MATLAB saved them as (SVHN ships double).
std::vector<double> labelValues(const matvar_t& y, const std::string& path, size_t count) {
  switch (y.class_type) {
    case MAT_C_DOUBLE:
      return valuesAsDouble<double>(y.data, count);
    case MAT_C_SINGLE:
      return valuesAsDouble<float>(y.data, count);
    case MAT_C_INT8:
      return valuesAsDouble<int8_t>(y.data, count);
    case MAT_C_UINT8:
      return valuesAsDouble<uint8_t>(y.data, count);
    case MAT_C_INT16:
      return valuesAsDouble<int16_t>(y.data, count);
    case MAT_C_UINT16:
      return valuesAsDouble<uint16_t>(y.data, count);
    case MAT_C_INT32:
      return valuesAsDouble<int32_t>(y.data, count);
    case MAT_C_UINT32:
      return valuesAsDouble<uint32_t>(y.data, count);
    case MAT_C_INT64:
      return valuesAsDouble<int64_t>(y.data, count);
    case MAT_C_UINT64:
      return valuesAsDouble<uint64_t>(y.data, count);
    default:
      throw InputError(path, "variable y",
                       "expected a numeric array, got " + className(y.class_type));
  }
}

// Labels 1..10 checked, then 10 (digit 0) mapped to 0 so the label is the digit.
std::vector<int32_t> digitLabels(const std::vector<double>& values, const std::string& path) {
  std::vector<int32_t> labels(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    const double value = values[i];
    // Whole numbers of any sane size go through the shared range check and its message.
    if (!(std::fabs(value) < 1e15) || std::floor(value) != value) {
      throw InputError(path, "label",
                       "sample " + std::to_string(i) + " has non-integer label " +
                           std::to_string(value) + ", expected 1.." +
                           std::to_string(kZeroDigitLabel));
    }
    const auto label = static_cast<int64_t>(value);
    checkLabelRange(path, static_cast<int64_t>(i), label, 1, kZeroDigitLabel);
    labels[i] = static_cast<int32_t>(label == kZeroDigitLabel ? 0 : label);
  }
  return labels;
}

ImageSet readSplit(const std::string& path) {
  checkMatFileStructure(path);
  MatFile mat(Mat_Open(path.c_str(), MAT_ACC_RDONLY));
  if (!mat) throw InputError(path, "file", "cannot be opened as a MATLAB .mat file");

  const MatVar xInfo = readInfo(mat.get(), path, "X");
  const size_t count = checkImagesInfo(*xInfo, path);
  const MatVar yInfo = readInfo(mat.get(), path, "y");
  const bool labelsShapeOk = yInfo->rank == 2 && (yInfo->dims[1] == 1 || yInfo->dims[0] == 1);
  if (!isNumericClass(yInfo->class_type) || !labelsShapeOk) {
    throw InputError(path, "variable y",
                     "expected a numeric Nx1 array, got " + className(yInfo->class_type) + " " +
                         describeDims(*yInfo));
  }
  const size_t labelCount = yInfo->dims[0] * yInfo->dims[1];
  if (labelCount != count) {
    throw InputError(path, "variable y",
                     "count: " + std::to_string(labelCount) + " labels, expected " +
                         std::to_string(count) + " (one per image in X)");
  }

  ImageSet set;
  set.channels = kChannels;
  set.height = kSide;
  set.width = kSide;
  const MatVar y = readData(mat.get(), path, "y", count);
  set.labels = digitLabels(labelValues(*y, path, count), path);
  const MatVar x = readData(mat.get(), path, "X", count * kImageBytes);
  set.pixels = columnMajorToNchw(static_cast<const uint8_t*>(x->data), count);
  return set;
}

}  // namespace

SourceDataset loadSvhn(const std::string& dir) {
  const std::string trainPath = findSourceFile(dir, {"train_32x32.mat"});
  const std::string testPath = findSourceFile(dir, {"test_32x32.mat"});
  SourceDataset dataset;
  dataset.name = "svhn";
  dataset.numClasses = kNumClasses;
  dataset.classNames = numberedClassNames(kNumClasses);
  dataset.train = readSplit(trainPath);
  dataset.test = readSplit(testPath);
  recordSource(dataset, trainPath);
  recordSource(dataset, testPath);
  return dataset;
}

SourceFormat svhnFormat() {
  return {"svhn", "SVHN cropped digits: 32x32 RGB, 10 classes (train_32x32.mat, test_32x32.mat)",
          "", &loadSvhn};
}

}  // namespace mu
