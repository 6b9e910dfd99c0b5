// SVHN .mat files (matio: MATLAB v5, compressed or not, v7.3 HDF5, v4): the input's two parts are
// train_32x32.mat and test_32x32.mat.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/formats/format_registry.h"
#include "pipeline/base/error.h"
#include "tests/fuzz/support/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kFiles = {"train_32x32.mat", "test_32x32.mat"};
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::vector<std::string_view> parts = mu::fuzz::splitParts(data, size);
  for (size_t i = 0; i < parts.size() && i < kFiles.size(); ++i) folder.write(kFiles[i], parts[i]);
  try {
    mu::findSourceFormat("svhn").load(folder.path());
  } catch (const mu::InputError&) {
    // A refusal naming the file and field: what bad input should get.
  }
  return 0;
}
