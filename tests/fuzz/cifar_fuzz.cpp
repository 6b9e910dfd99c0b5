// CIFAR binary version: the input's parts are CIFAR-10's six batch files and batches.meta.txt;
// the same bytes also make a CIFAR-100 folder (train.bin, test.bin, fine_label_names.txt), whose
// records carry two label bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datasets/formats/format_registry.h"
#include "pipeline/base/error.h"
#include "tests/fuzz/support/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<std::string> kCifar10 = {
      "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
      "data_batch_5.bin", "test_batch.bin",   "batches.meta.txt"};
  // Which part each CIFAR-100 file takes: the first batch, the test batch, the names.
  static const std::vector<std::pair<size_t, std::string>> kCifar100 = {
      {0, "cifar-100-binary/train.bin"},
      {5, "cifar-100-binary/test.bin"},
      {6, "cifar-100-binary/fine_label_names.txt"}};
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::vector<std::string_view> parts = mu::fuzz::splitParts(data, size);
  for (size_t i = 0; i < parts.size() && i < kCifar10.size(); ++i) {
    folder.write(kCifar10[i], parts[i]);
  }
  for (const auto& [part, name] : kCifar100) {
    if (part < parts.size()) folder.write(name, parts[part]);
  }
  for (const char* format : {"cifar10", "cifar100"}) {
    try {
      mu::findSourceFormat(format).load(folder.path());
    } catch (const mu::InputError&) {
      // A refusal naming the file and field: what bad input should get.
    }
  }
  return 0;
}
