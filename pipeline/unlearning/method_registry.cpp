#include "pipeline/unlearning/method_registry.h"

#include <utility>

#include "pipeline/error.h"
#include "pipeline/unlearning/methods.h"

namespace mu {
namespace {

using Factory = std::unique_ptr<UnlearningMethod> (*)();

const std::vector<std::pair<std::string, Factory>>& registry() {
  static const std::vector<std::pair<std::string, Factory>> methods{
      {"retrain", makeRetrainMethod},        {"ft", makeFineTuneMethod},
      {"ga", makeGradientAscentMethod},      {"ff", makeFisherForgettingMethod},
      {"iu", makeInfluenceUnlearningMethod}, {"l1-sparse", makeL1SparseMethod},
      {"rl", makeRandomLabelMethod},
  };
  return methods;
}

}  // namespace

std::vector<std::string> unlearningMethodNames() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

std::unique_ptr<UnlearningMethod> makeUnlearningMethod(const std::string& name,
                                                       const std::string& option) {
  for (const auto& [known, factory] : registry()) {
    if (known == name) return factory();
  }
  std::string valid;
  for (const std::string& known : unlearningMethodNames()) {
    valid += (valid.empty() ? "" : ", ") + known;
  }
  throw InputError(option, "value", "one of " + valid + "; got '" + name + "'");
}

}  // namespace mu
