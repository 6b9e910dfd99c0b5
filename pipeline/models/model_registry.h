#pragma once
// Builds a model by architecture name (the reference's --arch values that this pipeline covers).

#include <memory>
#include <string>
#include <vector>

#include "pipeline/models/classifier.h"
#include "pipeline/models/model_spec.h"

namespace mu {

// Builds spec.arch with fresh weights drawn from torch's default generator, so
// torch::manual_seed(s) right before the call fixes every weight. Throws InputError for an
// unknown name (listing the valid ones) or an inconsistent spec.
std::shared_ptr<Classifier> makeModel(const ModelSpec& spec);

// The valid architecture names, sorted.
std::vector<std::string> modelNames();

}  // namespace mu
