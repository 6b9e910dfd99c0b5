#pragma once
// The factories behind the method registry (method_registry.h), one per method file.

#include <memory>

#include "pipeline/unlearning/unlearning_method.h"

namespace mu {

std::unique_ptr<UnlearningMethod> makeRetrainMethod();              // retrain.cpp
std::unique_ptr<UnlearningMethod> makeFineTuneMethod();             // fine_tune.cpp
std::unique_ptr<UnlearningMethod> makeGradientAscentMethod();       // gradient_ascent.cpp
std::unique_ptr<UnlearningMethod> makeFisherForgettingMethod();     // fisher_forgetting.cpp
std::unique_ptr<UnlearningMethod> makeInfluenceUnlearningMethod();  // influence_unlearning.cpp
std::unique_ptr<UnlearningMethod> makeL1SparseMethod();             // l1_sparse.cpp
std::unique_ptr<UnlearningMethod> makeRandomLabelMethod();          // random_labels.cpp

}  // namespace mu
