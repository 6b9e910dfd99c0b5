#pragma once
// The unlearning methods by name (docs/reference-behaviour.md §6): the only list of them, which
// --method, --help, mu-unlearn --describe (and so the campaign's specs and reports) read.
// Methods register in methods/registered_methods.def.

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

#include "pipeline/unlearning/unlearning_method.h"

namespace mu {

// The registered names, in the paper's order of presentation.
std::vector<std::string> unlearningMethodNames();

// A new method object with the reference's default options. An unknown name is an InputError
// naming `option` and listing the valid names.
std::unique_ptr<UnlearningMethod> makeUnlearningMethod(const std::string& name,
                                                       const std::string& option = "--method");

// Every method for programs that drive mu-unlearn: [{"name", "title", "exact", "iterative",
// "options": [its own option names]}], in registry order.
nlohmann::json describeUnlearningMethods();

}  // namespace mu
