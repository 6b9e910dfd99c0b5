// A dataset folder's manifest.json, as every stage reads it before any shard, and the questions
// the stages then ask of it.

#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/data/shard_schema.h"
#include "tests/fuzz/support/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::string path =
      folder.write("manifest.json", {reinterpret_cast<const char*>(data), size});
  try {
    const mu::DatasetManifest manifest = mu::readManifest(folder.path());
    manifest.family();
    manifest.identity();
    manifest.findValidationSplit(1);
    for (const char* split : {"train", "test"}) manifest.split(split, path);
  } catch (const mu::InputError&) {
    // A refusal naming manifest.json and the field: what a damaged manifest should get.
  }
  return 0;
}
