// ft (docs/reference-behaviour.md §6.3): fine-tune the original model on D_r with cross-entropy, so
// that it forgets D_f by catastrophic forgetting.

#include "pipeline/unlearning/iterative_method.h"

namespace mu {
namespace {

class FineTune final : public IterativeMethod {
 public:
  FineTune() : IterativeMethod("ft", "FT", {10, 0.01}) {}  // README: 10 epochs at 0.01

 protected:
  SampleSet epochSamples(const UnlearnContext& context, int64_t) const override {
    return samplesOf(context, context.forget.retainIds);
  }
  LossFunction makeLoss(UnlearnContext&) override { return crossEntropyLoss(); }
};

}  // namespace

std::unique_ptr<UnlearningMethod> makeFineTuneMethod() {
  return std::make_unique<FineTune>();
}

}  // namespace mu
