// A campaign spec (mu-campaign run/slurm/status SPEC), checked against the stage programs'
// descriptions as mu-campaign would ask them (data/stage_descriptions.json holds their
// `--describe` answers; docs/fuzzing.md says how to refresh it).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/campaign/catalogue.h"
#include "pipeline/campaign/spec.h"
#include "pipeline/campaign/stage.h"
#include "pipeline/io/json_file.h"
#include "tests/fuzz/support/fuzz_input.h"

namespace {

const mu::campaign::Catalogue& catalogue() {
  static const mu::campaign::Catalogue programs = [] {
    const nlohmann::json stored =
        mu::readJsonFile(std::string(MU_FUZZ_DATA_DIR) + "/stage_descriptions.json");
    std::map<mu::campaign::Stage, nlohmann::json> descriptions;
    for (const mu::campaign::Stage stage : mu::campaign::allStages()) {
      descriptions[stage] = stored.at(mu::campaign::stageName(stage));
    }
    return mu::campaign::Catalogue::fromDescriptions(descriptions);
  }();
  return programs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mu::campaign::Catalogue& programs = catalogue();
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::string path = folder.write("spec.json", {reinterpret_cast<const char*>(data), size});
  try {
    mu::campaign::readSpec(path, programs);
  } catch (const mu::InputError&) {
    // A refusal naming the spec and the JSON path of the field: what a bad spec should get.
  }
  return 0;
}
