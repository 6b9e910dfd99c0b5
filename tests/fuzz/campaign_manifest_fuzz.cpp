// A campaign root's manifest.jsonl (one task a line), which `mu-campaign status` and `report`
// read back when they are not given the spec.

#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/campaign/manifest.h"
#include "tests/fuzz/support/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  folder.write("manifest.jsonl", {reinterpret_cast<const char*>(data), size});
  try {
    const mu::campaign::Manifest manifest = mu::campaign::readManifestFile(folder.path());
    mu::campaign::manifestText(manifest);
    for (const mu::campaign::Task& task : manifest.tasks) manifest.children(task);
  } catch (const mu::InputError&) {
    // A refusal naming manifest.jsonl and the line: what a damaged manifest should get.
  }
  return 0;
}
