#include "pipeline/models/model_registry.h"

#include <algorithm>

#include "pipeline/base/error.h"
#include "pipeline/models/architecture.h"

namespace mu {

// The entries of registered_architectures.def, each defined in its architecture's file.
#define MU_ARCHITECTURE(entry) Architecture entry();
#include "pipeline/models/registered_architectures.def"
#undef MU_ARCHITECTURE

namespace {

const std::vector<Architecture>& registry() {
  static const std::vector<Architecture> registered{
#define MU_ARCHITECTURE(entry) entry(),
#include "pipeline/models/registered_architectures.def"
#undef MU_ARCHITECTURE
  };
  return registered;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

}  // namespace

std::vector<std::string> modelNames() {
  std::vector<std::string> names;
  for (const Architecture& architecture : registry()) names.push_back(architecture.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::shared_ptr<Classifier> makeModel(const ModelSpec& spec) {
  const auto found =
      std::find_if(registry().begin(), registry().end(),
                   [&](const Architecture& entry) { return entry.name == spec.arch; });
  if (found == registry().end()) {
    throw InputError("model architecture '" + spec.arch +
                     "' is unknown; valid names: " + joined(modelNames()));
  }
  if (spec.numClasses < 1 || spec.inChannels < 1) {
    throw InputError("model " + spec.arch + ": numClasses and inChannels must be positive, got " +
                     std::to_string(spec.numClasses) + " and " + std::to_string(spec.inChannels));
  }
  if (spec.imagenetStem && !found->hasImagenetStem) {
    std::vector<std::string> withStem;
    for (const Architecture& entry : registry()) {
      if (entry.hasImagenetStem) withStem.push_back(entry.name);
    }
    throw InputError("model " + spec.arch + ": no ImageNet stem; it exists only for " +
                     joined(withStem));
  }
  std::shared_ptr<Classifier> model = found->make(spec);
  model->spec_ = spec;
  return model;
}

}  // namespace mu
