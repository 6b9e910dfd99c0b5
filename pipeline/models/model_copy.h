#pragma once
// A second, independent model with the same weights, for work that must not touch the original
// (an inference copy folds its BatchNorms into its convolutions).

#include <memory>

#include "pipeline/models/classifier.h"

namespace mu {

// Built by makeModel from model.spec() (std::logic_error for a model built another way), with
// every parameter and buffer copied, on the original's device, in the original's mode. Torch's
// default generator is left as it was: building draws fresh weights from it, and a copy made
// between two training epochs must not change what the next epoch draws.
std::shared_ptr<Classifier> copyModel(Classifier& model);

}  // namespace mu
