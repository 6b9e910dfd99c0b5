#include "pipeline/unlearning/method_registry.h"

#include "pipeline/base/error.h"

namespace mu {

// The factories of methods/registered_methods.def, each defined in its method's file.
#define MU_UNLEARNING_METHOD(factory) std::unique_ptr<UnlearningMethod> factory();
#include "pipeline/unlearning/methods/registered_methods.def"
#undef MU_UNLEARNING_METHOD

namespace {

using Factory = std::unique_ptr<UnlearningMethod> (*)();

const std::vector<Factory>& factories() {
  static const std::vector<Factory> registered{
#define MU_UNLEARNING_METHOD(factory) &factory,
#include "pipeline/unlearning/methods/registered_methods.def"
#undef MU_UNLEARNING_METHOD
  };
  return registered;
}

}  // namespace

std::vector<std::string> unlearningMethodNames() {
  std::vector<std::string> names;
  for (const Factory factory : factories()) names.push_back(factory()->name());
  return names;
}

std::unique_ptr<UnlearningMethod> makeUnlearningMethod(const std::string& name,
                                                       const std::string& option) {
  for (const Factory factory : factories()) {
    std::unique_ptr<UnlearningMethod> method = factory();
    if (method->name() == name) return method;
  }
  std::string valid;
  for (const std::string& known : unlearningMethodNames()) {
    valid += (valid.empty() ? "" : ", ") + known;
  }
  throw InputError(option, "value", "one of " + valid + "; got '" + name + "'");
}

nlohmann::json describeUnlearningMethods() {
  nlohmann::json methods = nlohmann::json::array();
  for (const Factory factory : factories()) {
    std::unique_ptr<UnlearningMethod> method = factory();
    OptionTable table;
    method->registerOptions(table);
    methods.push_back({{"name", method->name()},
                       {"title", method->title()},
                       {"exact", method->exact()},
                       {"iterative", method->iterative()},
                       {"options", table.names()}});
  }
  return methods;
}

}  // namespace mu
