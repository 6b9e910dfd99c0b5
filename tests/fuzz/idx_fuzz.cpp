// IDX (MNIST, Fashion-MNIST): the input's parts are the four files of a dataset folder, read by
// the fashion-mnist format's loader (plain or gzip, as readFileBytes sniffs it).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/formats/format_registry.h"
#include "pipeline/base/error.h"
#include "tests/fuzz/support/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kFiles = {
      "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
      "t10k-labels-idx1-ubyte"};
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::vector<std::string_view> parts = mu::fuzz::splitParts(data, size);
  for (size_t i = 0; i < parts.size() && i < kFiles.size(); ++i) folder.write(kFiles[i], parts[i]);
  try {
    mu::findSourceFormat("fashion-mnist").load(folder.path());
  } catch (const mu::InputError&) {
    // A refusal naming the file and field: what bad input should get.
  }
  return 0;
}
