#pragma once
// The unlearning methods by name (spec §6): retrain, ft, ga, ff, iu, l1-sparse, rl.

#include <memory>
#include <string>
#include <vector>

#include "pipeline/unlearning/unlearning_method.h"

namespace mu {

// The valid names, in the paper's order of presentation.
std::vector<std::string> unlearningMethodNames();

// A new method object with the reference's default options. An unknown name is an InputError
// naming `option` and listing the valid names.
std::unique_ptr<UnlearningMethod> makeUnlearningMethod(const std::string& name,
                                                       const std::string& option = "--method");

}  // namespace mu
