#include "pipeline/evaluation/mia_features.h"

#include <torch/torch.h>

#include <cmath>

#include "pipeline/base/error.h"

namespace mu {

PredictionSet PredictionSet::rows(int64_t begin, int64_t end) const {
  return {probabilities.slice(0, begin, end), labels.slice(0, begin, end)};
}

void checkPredictionSet(const PredictionSet& set, const std::string& setName) {
  const torch::Tensor& p = set.probabilities;
  const torch::Tensor& y = set.labels;
  if (!p.defined() || p.dim() != 2 || !p.is_floating_point() || p.size(1) < 1)
    throw InputError(setName, "probabilities", "a floating-point [N, C] tensor with C >= 1");
  if (!y.defined() || y.dim() != 1 || !c10::isIntegralType(y.scalar_type(), /*includeBool=*/false))
    throw InputError(setName, "labels", "an integer [N] tensor");
  if (y.size(0) != p.size(0))
    throw InputError(setName, "labels",
                     std::to_string(p.size(0)) + " labels, one per probability row, not " +
                         std::to_string(y.size(0)));
  if (y.numel() > 0 && (y.min().item<int64_t>() < 0 || y.max().item<int64_t>() >= p.size(1)))
    throw InputError(setName, "labels", "class indices in [0, " + std::to_string(p.size(1)) + ")");
  if (p.numel() > 0 && !torch::isfinite(p).all().item<bool>())
    throw InputError(setName, "probabilities", "finite values");
}

std::string miaFeatureName(MiaFeature feature) {
  switch (feature) {
    case MiaFeature::kCorrectness:
      return "correctness";
    case MiaFeature::kConfidence:
      return "confidence";
    case MiaFeature::kEntropy:
      return "entropy";
    case MiaFeature::kModifiedEntropy:
      return "m_entropy";
    case MiaFeature::kProb:
      return "prob";
  }
  throw InputError("unknown MIA feature");
}

namespace {

torch::Tensor labelsOf(const PredictionSet& set) {
  return set.labels.to(set.probabilities.device(), torch::kLong);
}

// log(max(x, floor)): MIA.py's clamp, used by the Song & Mittal formula.
torch::Tensor flooredLog(const torch::Tensor& x) {
  return x.clamp_min(kMiaLogFloor).log();
}

torch::Tensor songMittalModifiedEntropy(const PredictionSet& set) {
  const torch::Tensor& p = set.probabilities;
  const torch::Tensor own = torch::one_hot(labelsOf(set), p.size(1)).to(torch::kBool);
  // A sample's own class contributes (1-p_y) log p_y, every other class p_c log(1-p_c).
  const torch::Tensor terms = torch::where(own, (1 - p) * flooredLog(p), p * flooredLog(1 - p));
  return -terms.sum(1);
}

torch::Tensor referenceBuggyModifiedEntropy(const PredictionSet& set) {
  const torch::Tensor& p = set.probabilities;
  // SVC_MIA.py's `modified[:, labels] = reverse[:, labels]` assigns whole columns: every class
  // that occurs anywhere in `labels` is flipped for every row.
  torch::Tensor present = torch::zeros({p.size(1)}, p.options().dtype(torch::kBool));
  if (set.labels.numel() > 0) present.index_fill_(0, labelsOf(set), true);
  const torch::Tensor weights = torch::where(present.unsqueeze(0), 1 - p, p);
  // Both of its logarithms are log p (the bug), floored only where p is exactly 0.
  const torch::Tensor logs = torch::where(p > 0, p.log(), torch::full_like(p, kMiaLogFloor).log());
  return -(weights * logs).sum(1);
}

}  // namespace

torch::Tensor correctnessFeature(const PredictionSet& set) {
  return set.probabilities.argmax(1).eq(labelsOf(set)).to(set.probabilities.scalar_type());
}

torch::Tensor confidenceFeature(const PredictionSet& set) {
  return set.probabilities.gather(1, labelsOf(set).unsqueeze(1)).squeeze(1);
}

torch::Tensor entropyFeature(const PredictionSet& set) {
  const torch::Tensor& p = set.probabilities;
  // p log p is NaN at p = 0; the limit 0 is what the reference substitutes.
  return -torch::where(p > 0, p * p.log(), torch::zeros_like(p)).sum(1);
}

torch::Tensor modifiedEntropyFeature(const PredictionSet& set, ModifiedEntropyFormula formula) {
  return formula == ModifiedEntropyFormula::kSongMittal ? songMittalModifiedEntropy(set)
                                                        : referenceBuggyModifiedEntropy(set);
}

torch::Tensor miaFeatureMatrix(MiaFeature feature, const PredictionSet& set,
                               ModifiedEntropyFormula formula) {
  checkPredictionSet(set, miaFeatureName(feature) + " feature input");
  torch::NoGradGuard noGrad;
  torch::Tensor values;
  switch (feature) {
    case MiaFeature::kCorrectness:
      values = correctnessFeature(set);
      break;
    case MiaFeature::kConfidence:
      values = confidenceFeature(set);
      break;
    case MiaFeature::kEntropy:
      values = entropyFeature(set);
      break;
    case MiaFeature::kModifiedEntropy:
      values = modifiedEntropyFeature(set, formula);
      break;
    case MiaFeature::kProb:
      values = set.probabilities;
      break;
  }
  if (values.dim() == 1) values = values.unsqueeze(1);
  return values.to(torch::kCPU, torch::kDouble).contiguous();
}

}  // namespace mu
