// A Slurm site file (mu-campaign slurm --site FILE; Slurm/site.example.json).

#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/campaign/slurm_site.h"
#include "tests/fuzz/support/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::string path = folder.write("site.json", {reinterpret_cast<const char*>(data), size});
  try {
    mu::campaign::readSlurmSite(path);
  } catch (const mu::InputError&) {
    // A refusal naming the site file and the field.
  }
  return 0;
}
