#include "datasets/formats/format_registry.h"

#include "datasets/formats/cifar_format.h"
#include "datasets/formats/idx_format.h"
#include "datasets/formats/svhn_format.h"
#include "pipeline/error.h"

namespace mu {

const std::vector<SourceFormat>& sourceFormats() {
  static const std::vector<SourceFormat> kFormats = {
      {"fashion-mnist", "Fashion-MNIST: 28x28 grey clothing images, 10 classes (IDX, plain or .gz)",
       // Debian's dataset-fashion-mnist package installs the gzip IDX files here.
       "/usr/share/datasets/fashion-mnist", &loadFashionMnist},
      {"mnist", "MNIST: 28x28 grey handwritten digits, 10 classes (IDX, plain or .gz)", "",
       &loadMnist},
      {"cifar10", "CIFAR-10 binary version: 32x32 RGB images, 10 classes (cifar-10-batches-bin)",
       "", &loadCifar10},
      {"cifar100",
       "CIFAR-100 binary version: 32x32 RGB images, 100 fine classes (cifar-100-binary)", "",
       &loadCifar100},
      {"svhn", "SVHN cropped digits: 32x32 RGB, 10 classes (train_32x32.mat, test_32x32.mat)", "",
       &loadSvhn},
  };
  return kFormats;
}

const SourceFormat& findSourceFormat(const std::string& name) {
  std::string valid;
  for (const SourceFormat& format : sourceFormats()) {
    if (format.name == name) return format;
    valid += (valid.empty() ? "" : ", ") + format.name;
  }
  throw InputError("unknown format '" + name + "' (valid: " + valid + ")");
}

}  // namespace mu
