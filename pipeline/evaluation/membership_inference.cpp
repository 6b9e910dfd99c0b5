#include "pipeline/evaluation/membership_inference.h"

#include <torch/torch.h>

#include <algorithm>
#include <string>

#include "pipeline/base/error.h"

namespace mu {

namespace {

// One switch serves the const and the mutable accessor.
template <typename Scores>
auto& scoreOf(Scores& scores, MiaFeature feature) {
  switch (feature) {
    case MiaFeature::kCorrectness:
      return scores.correctness;
    case MiaFeature::kConfidence:
      return scores.confidence;
    case MiaFeature::kEntropy:
      return scores.entropy;
    case MiaFeature::kModifiedEntropy:
      return scores.mEntropy;
    case MiaFeature::kProb:
      return scores.prob;
  }
  throw InputError("unknown MIA feature");
}

}  // namespace

double& MiaScores::operator[](MiaFeature feature) {
  return scoreOf(*this, feature);
}
double MiaScores::operator[](MiaFeature feature) const {
  return scoreOf(*this, feature);
}

MiaFeatureMatrices miaFeatureMatrices(MiaFeature feature, const MiaAttackSets& sets,
                                      const MiaOptions& options) {
  checkPredictionSet(sets.shadowTrain, "MIA shadow members");
  checkPredictionSet(sets.shadowTest, "MIA shadow non-members");
  if (!sets.targetTrain.empty()) checkPredictionSet(sets.targetTrain, "MIA target members");
  if (!sets.targetTest.empty()) checkPredictionSet(sets.targetTest, "MIA target non-members");
  const auto features = [&](const PredictionSet& set) {
    return set.empty() ? torch::Tensor() : miaFeatureMatrix(feature, set, options.modifiedEntropy);
  };
  return {features(sets.shadowTrain), features(sets.shadowTest), features(sets.targetTrain),
          features(sets.targetTest)};
}

double svcFeatureAttack(MiaFeature feature, const MiaAttackSets& sets, const MiaOptions& options) {
  const MiaFeatureMatrices x = miaFeatureMatrices(feature, sets, options);
  return svcAttackScore(x.shadowTrain, x.shadowTest, x.targetTrain, x.targetTest, options.svc);
}

MiaScores svcMembershipInference(const MiaAttackSets& sets, const MiaOptions& options) {
  MiaScores scores;
  for (const MiaFeature feature : kAllMiaFeatures)
    scores[feature] = svcFeatureAttack(feature, sets, options);
  return scores;
}

MiaScores svcMembershipInference(const PredictionSet& shadowTrain, const PredictionSet& shadowTest,
                                 const PredictionSet& targetTrain, const PredictionSet& targetTest,
                                 const MiaOptions& options) {
  return svcMembershipInference(MiaAttackSets{shadowTrain, shadowTest, targetTrain, targetTest},
                                options);
}

void validateMiaInputs(const PredictionSet& retain, const PredictionSet& forget,
                       const PredictionSet& test) {
  checkPredictionSet(retain, "retain set (D_r)");
  checkPredictionSet(forget, "forget set (D_f)");
  checkPredictionSet(test, "test set (D_te)");
  if (forget.empty())
    throw InputError("forget set (D_f)", "rows", "at least one sample: MIA-Efficacy scores D_f");
  const int64_t classes = retain.probabilities.size(1);
  if (forget.probabilities.size(1) != classes || test.probabilities.size(1) != classes)
    throw InputError("MIA inputs", "probabilities",
                     "the same number of classes C in D_r, D_f and D_te");
  if (test.empty() || test.labels.min().item<int64_t>() == test.labels.max().item<int64_t>())
    throw InputError("test set (D_te)", "labels",
                     "at least two classes: a one-class test set cannot represent non-members");
}

MiaAttackSets miaEfficacySets(const PredictionSet& retain, const PredictionSet& forget,
                              const PredictionSet& test) {
  validateMiaInputs(retain, forget, test);
  // The reference takes retain[0:|D_te|] and all of D_te, and fails when D_r is the smaller
  // (models trained on part of the data); then both shadow sets keep |D_r| rows, balanced.
  const int64_t shadow = std::min(retain.size(), test.size());
  return {retain.rows(0, shadow), test.rows(0, shadow), PredictionSet{}, forget};
}

MiaScores miaEfficacy(const PredictionSet& retain, const PredictionSet& forget,
                      const PredictionSet& test, const MiaOptions& options) {
  return svcMembershipInference(miaEfficacySets(retain, forget, test), options);
}

TrainingPrivacySplit trainingPrivacySplit(int64_t retainSize, int64_t testSize) {
  TrainingPrivacySplit split;
  // The reference's h = floor(|D_te| / 2), kept wherever it works (|D_r| > h, so the member
  // target is not empty); with fewer retain samples (a model trained on part of the data) h
  // halves D_r instead, so both shadow sets stay balanced and both targets non-empty.
  split.half = retainSize > testSize / 2 ? testSize / 2 : retainSize / 2;
  split.retainSize = retainSize;
  split.testSize = testSize;
  if (split.half < 1)
    throw InputError("retain and test sets (D_r, D_te)", "rows",
                     "at least 2 samples each for the training-privacy MIA, not " +
                         std::to_string(retainSize) + " and " + std::to_string(testSize));
  return split;
}

MiaAttackSets trainingPrivacySets(const PredictionSet& retain, const PredictionSet& test) {
  checkPredictionSet(retain, "retain set (D_r)");
  checkPredictionSet(test, "test set (D_te)");
  const TrainingPrivacySplit split = trainingPrivacySplit(retain.size(), test.size());
  return {retain.rows(0, split.half), test.rows(0, split.half),
          retain.rows(split.half, retain.size()), test.rows(split.half, test.size())};
}

MiaScores trainingPrivacyMia(const PredictionSet& retain, const PredictionSet& test,
                             const MiaOptions& options) {
  return svcMembershipInference(trainingPrivacySets(retain, test), options);
}

}  // namespace mu
