#include "pipeline/unlearning/methods/l1_sparse.h"

#include <torch/torch.h>

#include "pipeline/base/error.h"
#include "pipeline/unlearning/iterative_method.h"

namespace mu {

double l1Gamma(double alpha, int64_t epoch, int64_t epochs, int64_t noL1Epochs) {
  const int64_t decayEpochs = epochs - noL1Epochs;
  if (decayEpochs == 0) return alpha;
  if (epoch >= decayEpochs) return 0.0;
  return alpha * (1.0 - static_cast<double>(epoch) / static_cast<double>(decayEpochs));
}

LossFunction l1RegularisedLoss(std::vector<torch::Tensor> parameters,
                               std::function<double()> gamma) {
  const LossFunction crossEntropy = crossEntropyLoss();
  return [crossEntropy, parameters = std::move(parameters), gamma = std::move(gamma)](
             const torch::Tensor& logits, const torch::Tensor& labels, int64_t globalBatchSize) {
    torch::Tensor loss = crossEntropy(logits, labels, globalBatchSize);
    const double share = static_cast<double>(labels.size(0)) / static_cast<double>(globalBatchSize);
    const double weight = gamma() * share;
    if (weight == 0) return loss;
    torch::Tensor norm = torch::zeros({}, logits.options());
    for (const torch::Tensor& parameter : parameters) norm = norm + parameter.abs().sum();
    return loss + weight * norm;
  };
}

namespace {

class L1Sparse final : public IterativeMethod {
 public:
  // README: 10 epochs at 0.01; alpha from the old run.py (the CLI default 0.2 is unusable: the
  // norm is of order 1e4-1e5).
  L1Sparse() : IterativeMethod("l1-sparse", "l1-sparse", {10, 0.01}, "l1") {}

 protected:
  void registerMethodOptions(OptionTable& table) override {
    table.add("l1-alpha", &alpha_, "l1-sparse: gamma at the first epoch (decays linearly)")
        .add("l1-no-l1-epochs", &noL1Epochs_,
             "l1-sparse: final epochs without the l1 term (= --l1-epochs: constant gamma)");
  }
  void validateMethodOptions() const override {
    if (!(alpha_ >= 0)) throw InputError("--l1-alpha", "value", "a gamma >= 0");
    if (noL1Epochs_ < 0 || noL1Epochs_ > iterativeOptions().epochs) {
      throw InputError("--l1-no-l1-epochs", "value",
                       "0.." + std::to_string(iterativeOptions().epochs) + " (--l1-epochs)");
    }
  }
  SampleSet epochSamples(const UnlearnContext& context, int64_t) const override {
    return samplesOf(context, context.forget.retainIds);
  }
  LossFunction makeLoss(UnlearnContext& context) override {
    return l1RegularisedLoss(context.model.parameters(), [this] { return gamma_; });
  }
  void beginEpoch(int64_t epoch, nlohmann::json& metrics) override {
    gamma_ = l1Gamma(alpha_, epoch, iterativeOptions().epochs, noL1Epochs_);
    metrics["gamma"] = gamma_;
  }

 private:
  double alpha_ = 1e-4;
  int64_t noL1Epochs_ = 0;
  double gamma_ = 0;
};

}  // namespace

std::unique_ptr<UnlearningMethod> makeL1SparseMethod() {
  return std::make_unique<L1Sparse>();
}

}  // namespace mu
