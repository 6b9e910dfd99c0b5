// ga (docs/reference-behaviour.md §6.4): gradient ascent on the forget set, i.e. minimising -CE on
// D_f batches (BatchNorm in training mode on forget batches only; weight decay stays on, as in the
// reference).

#include "pipeline/unlearning/iterative_method.h"

namespace mu {
namespace {

class GradientAscent final : public IterativeMethod {
 public:
  // README: 5 epochs at 1e-4 (the old run.py used 1e-3).
  GradientAscent() : IterativeMethod("ga", "GA", {5, 1e-4}) {}

 protected:
  SampleSet epochSamples(const UnlearnContext& context, int64_t) const override {
    return samplesOf(context, context.forget.forgetIds);
  }
  LossFunction makeLoss(UnlearnContext&) override {
    LossFunction crossEntropy = crossEntropyLoss();
    return [crossEntropy](const torch::Tensor& logits, const torch::Tensor& labels,
                          int64_t globalBatchSize) {
      return -crossEntropy(logits, labels, globalBatchSize);
    };
  }
};

}  // namespace

std::unique_ptr<UnlearningMethod> makeGradientAscentMethod() {
  return std::make_unique<GradientAscent>();
}

}  // namespace mu
