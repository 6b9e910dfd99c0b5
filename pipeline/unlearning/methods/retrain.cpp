// retrain (docs/reference-behaviour.md §6.2): exact unlearning, i.e. training on D_r from the
// initial weights under the masks. The stage hands over the model initialised from the training
// seed and masked (startsFromInitialWeights); the forget samples are never seen.

#include "pipeline/unlearning/iterative_method.h"

namespace mu {
namespace {

class Retrain final : public IterativeMethod {
 public:
  // README: 160 epochs at 0.1, x0.1 at epochs 91 and 136 (the library default 0.01 is a pitfall).
  Retrain() : IterativeMethod("retrain", "Retrain", {160, 0.1}) {}
  bool startsFromInitialWeights() const override { return true; }
  bool exact() const override { return true; }

 protected:
  SampleSet epochSamples(const UnlearnContext& context, int64_t) const override {
    return samplesOf(context, context.forget.retainIds);
  }
  LossFunction makeLoss(UnlearnContext&) override { return crossEntropyLoss(); }
};

}  // namespace

std::unique_ptr<UnlearningMethod> makeRetrainMethod() {
  return std::make_unique<Retrain>();
}

}  // namespace mu
