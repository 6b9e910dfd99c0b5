#pragma once
// The paper's two uses of the SVC attack (docs/reference-behaviour.md §7.2) on probabilities the
// caller computed in dataset order with the test transform: MIA-Efficacy (the headline unlearning
// metric) and the training-privacy MIA (computed for parity, not reported).

#include <cstdint>

#include "pipeline/evaluation/mia_features.h"
#include "pipeline/evaluation/svc_attack.h"

namespace mu {

// One attack result per feature, each a fraction in [0, 1] (the reference's dict).
struct MiaScores {
  double correctness = 0.0;
  double confidence = 0.0;
  double entropy = 0.0;
  double mEntropy = 0.0;
  double prob = 0.0;

  double& operator[](MiaFeature feature);
  double operator[](MiaFeature feature) const;
};

struct MiaOptions {
  // The correct formula by default; kReferenceBuggy reproduces the 2024 mirror's m_entropy.
  ModifiedEntropyFormula modifiedEntropy = ModifiedEntropyFormula::kSongMittal;
  SvcSettings svc;
  // > 0: the attacks see only the first N rows of D_r and of D_te (the reference's ImageNet
  // evaluation uses 10 000 of each, docs/reference-behaviour.md §8), which bounds libsvm's
  // quadratic fit; 0: all of them, as the reference's other datasets.
  int64_t sampleLimit = 0;
};

// The four sets of one SVC_MIA call: the attack learns members (shadowTrain) from non-members
// (shadowTest) and scores the targets. An empty target is skipped; the shadow sets need rows.
struct MiaAttackSets {
  PredictionSet shadowTrain;
  PredictionSet shadowTest;
  PredictionSet targetTrain;
  PredictionSet targetTest;
};

// One feature of each set as the attack's input (miaFeatureMatrix); empty sets stay undefined.
struct MiaFeatureMatrices {
  torch::Tensor shadowTrain;
  torch::Tensor shadowTest;
  torch::Tensor targetTrain;
  torch::Tensor targetTest;
};
MiaFeatureMatrices miaFeatureMatrices(MiaFeature feature, const MiaAttackSets& sets,
                                      const MiaOptions& options = {});

// The attack of svcAttackScore on one feature. Each set is featurised on its own (the buggy
// m_entropy depends on it). The ten attacks of an evaluation are independent, so the caller may
// run them in parallel.
double svcFeatureAttack(MiaFeature feature, const MiaAttackSets& sets,
                        const MiaOptions& options = {});

// SVC_MIA: svcFeatureAttack on each feature.
MiaScores svcMembershipInference(const MiaAttackSets& sets, const MiaOptions& options = {});
MiaScores svcMembershipInference(const PredictionSet& shadowTrain, const PredictionSet& shadowTest,
                                 const PredictionSet& targetTrain, const PredictionSet& targetTest,
                                 const MiaOptions& options = {});

// Stage-level checks of the evaluation inputs, each failure an InputError naming the problem:
// well-formed sets, a non-empty forget set and a test set with at least two classes (one class
// cannot stand for the non-member distribution).
void validateMiaInputs(const PredictionSet& retain, const PredictionSet& forget,
                       const PredictionSet& test);

// (a) shadow members = retain[0:|test|], shadow non-members = test, target non-members = forget:
// each score is the fraction of D_f predicted non-member. The sets are validated first. Where
// |D_r| < |D_te| (the reference would fail) both shadow sets are their first |D_r| rows.
MiaAttackSets miaEfficacySets(const PredictionSet& retain, const PredictionSet& forget,
                              const PredictionSet& test);
MiaScores miaEfficacy(const PredictionSet& retain, const PredictionSet& forget,
                      const PredictionSet& test, const MiaOptions& options = {});
// (The paper's MIA-Efficacy is the confidence feature's score: metrics/metric_table.h.)

// (b) With h = floor(|test| / 2): shadow members retain[0:h], target members retain[h:], shadow
// non-members test[0:h], target non-members test[h:]. Where |D_r| <= h (the reference would
// fail or leave no member target) h = floor(|D_r| / 2) instead.
struct TrainingPrivacySplit {
  int64_t half = 0;  // h
  int64_t retainSize = 0;
  int64_t testSize = 0;
  int64_t shadowTrainSize() const { return half; }
  int64_t targetTrainSize() const { return retainSize - half; }
  int64_t shadowTestSize() const { return half; }
  int64_t targetTestSize() const { return testSize - half; }
};
// Throws InputError unless h >= 1.
TrainingPrivacySplit trainingPrivacySplit(int64_t retainSize, int64_t testSize);
MiaAttackSets trainingPrivacySets(const PredictionSet& retain, const PredictionSet& test);
MiaScores trainingPrivacyMia(const PredictionSet& retain, const PredictionSet& test,
                             const MiaOptions& options = {});

}  // namespace mu
