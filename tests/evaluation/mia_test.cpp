// The SVC membership-inference attack (docs/reference-behaviour.md §7.2): its features against
// direct computation on hand-made probability tables, the libsvm classifier on separable and on
// indistinguishable members, the paper's two splits, and the input errors the evaluation stage
// reports.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/evaluation/membership_inference.h"
#include "pipeline/evaluation/mia_features.h"
#include "pipeline/evaluation/paper_mia.h"
#include "pipeline/evaluation/svc_attack.h"

namespace mu {
namespace {

using Table = std::vector<std::vector<double>>;

PredictionSet makeSet(const Table& probabilities, const std::vector<int64_t>& labels) {
  std::vector<double> flat;
  for (const auto& row : probabilities) flat.insert(flat.end(), row.begin(), row.end());
  const auto rows = static_cast<int64_t>(probabilities.size());
  return {torch::tensor(flat, torch::kDouble).reshape({rows, -1}), torch::tensor(labels)};
}

// Samples whose true-class probability is `confidence`; labels alternate over `classes` classes
// and the rest of the mass is spread evenly over the other classes.
PredictionSet setWithConfidence(const torch::Tensor& confidence, int64_t classes = 2) {
  const int64_t n = confidence.size(0);
  const torch::Tensor labels = torch::arange(n, torch::kLong).remainder(classes);
  const torch::Tensor rest = ((1 - confidence) / static_cast<double>(classes - 1)).unsqueeze(1);
  torch::Tensor probabilities = rest.expand({n, classes}).clone();
  probabilities.scatter_(1, labels.unsqueeze(1), confidence.unsqueeze(1));
  return {probabilities, labels};
}

torch::Tensor uniform(int64_t n, double low, double high) {
  return torch::rand({n}, torch::kDouble) * (high - low) + low;
}

torch::Tensor column(const torch::Tensor& values) {
  return values.unsqueeze(1);
}

torch::Tensor prob(const PredictionSet& set) {
  return miaFeatureMatrix(MiaFeature::kProb, set, ModifiedEntropyFormula::kSongMittal);
}

double logFloored(double x) {
  return std::log(std::max(x, kMiaLogFloor));
}

// The formulas written out sample by sample, independently of the tensor code.
double songMittalDirect(const std::vector<double>& p, int64_t y) {
  double m = 0.0;
  for (size_t c = 0; c < p.size(); ++c) {
    m -= static_cast<int64_t>(c) == y ? (1 - p[c]) * logFloored(p[c]) : p[c] * logFloored(1 - p[c]);
  }
  return m;
}

double buggyDirect(const std::vector<double>& p, const std::set<int64_t>& labelsInSet) {
  double m = 0.0;
  for (size_t c = 0; c < p.size(); ++c) {
    const double weight = labelsInSet.count(static_cast<int64_t>(c)) ? 1 - p[c] : p[c];
    m -= weight * (p[c] > 0 ? std::log(p[c]) : std::log(kMiaLogFloor));
  }
  return m;
}

std::vector<double> values(const torch::Tensor& t) {
  const torch::Tensor d = t.to(torch::kDouble).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

class MiaTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(20230404); }
};

const Table kTable = {{0.7, 0.2, 0.1}, {0.1, 0.6, 0.3}, {0.0, 1.0, 0.0}, {0.25, 0.25, 0.5}};
const std::vector<int64_t> kLabels = {0, 2, 1, 0};

TEST_F(MiaTest, CorrectnessIsArgmaxEqualsLabel) {
  EXPECT_EQ(values(correctnessFeature(makeSet(kTable, kLabels))),
            (std::vector<double>{1, 0, 1, 0}));
}

TEST_F(MiaTest, ConfidenceIsTrueClassProbability) {
  EXPECT_EQ(values(confidenceFeature(makeSet(kTable, kLabels))),
            (std::vector<double>{0.7, 0.3, 1.0, 0.25}));
}

TEST_F(MiaTest, EntropyCountsZeroProbabilitiesAsZero) {
  const std::vector<double> entropy =
      values(entropyFeature(makeSet({{1, 0, 0}, {0.5, 0.5, 0}, {0.25, 0.25, 0.5}}, {0, 1, 2})));
  EXPECT_DOUBLE_EQ(entropy[0], 0.0);
  EXPECT_NEAR(entropy[1], std::log(2.0), 1e-12);
  EXPECT_NEAR(entropy[2], 1.5 * std::log(2.0), 1e-12);
}

TEST_F(MiaTest, SongMittalModifiedEntropyMatchesDirectComputation) {
  const std::vector<double> m =
      values(modifiedEntropyFeature(makeSet(kTable, kLabels), ModifiedEntropyFormula::kSongMittal));
  for (size_t i = 0; i < kTable.size(); ++i)
    EXPECT_NEAR(m[i], songMittalDirect(kTable[i], kLabels[i]), 1e-12) << "row " << i;
  // A confident correct prediction has m-entropy 0; the floored log keeps it finite at p = 0.
  EXPECT_NEAR(m[2], 0.0, 1e-12);
  // Worked by hand: p = (0.8, 0.2), y = 0 gives -0.2 log 0.8 - 0.2 log 0.8.
  const std::vector<double> hand = values(
      modifiedEntropyFeature(makeSet({{0.8, 0.2}}, {0}), ModifiedEntropyFormula::kSongMittal));
  EXPECT_NEAR(hand[0], -0.4 * std::log(0.8), 1e-12);
}

TEST_F(MiaTest, ReferenceBuggyModifiedEntropyFlipsColumnsOfLabelsPresentInTheSet) {
  const std::vector<double> m = values(
      modifiedEntropyFeature(makeSet(kTable, kLabels), ModifiedEntropyFormula::kReferenceBuggy));
  const std::set<int64_t> present(kLabels.begin(), kLabels.end());
  for (size_t i = 0; i < kTable.size(); ++i)
    EXPECT_NEAR(m[i], buggyDirect(kTable[i], present), 1e-12) << "row " << i;

  // The same sample, p = (0.8, 0.2) with y = 0, in a set holding only class 0 and in a set
  // holding both classes: the buggy value changes with its neighbours' labels, the correct one not.
  const auto row = [](const PredictionSet& set, ModifiedEntropyFormula formula) {
    return values(modifiedEntropyFeature(set, formula))[0];
  };
  const PredictionSet alone = makeSet({{0.8, 0.2}, {0.9, 0.1}}, {0, 0});
  const PredictionSet mixed = makeSet({{0.8, 0.2}, {0.9, 0.1}}, {0, 1});
  EXPECT_NEAR(row(alone, ModifiedEntropyFormula::kReferenceBuggy),
              -(0.2 * std::log(0.8) + 0.2 * std::log(0.2)), 1e-12);
  EXPECT_NEAR(row(mixed, ModifiedEntropyFormula::kReferenceBuggy),
              -(0.2 * std::log(0.8) + 0.8 * std::log(0.2)), 1e-12);
  EXPECT_DOUBLE_EQ(row(alone, ModifiedEntropyFormula::kSongMittal),
                   row(mixed, ModifiedEntropyFormula::kSongMittal));
}

TEST_F(MiaTest, FeatureMatricesAreDoubleColumnsAndProbIsCDimensional) {
  PredictionSet set = makeSet(kTable, kLabels);
  set.probabilities = set.probabilities.to(torch::kFloat);  // what a model produces
  for (const MiaFeature feature : kAllMiaFeatures) {
    const torch::Tensor x = miaFeatureMatrix(feature, set, ModifiedEntropyFormula::kReferenceBuggy);
    EXPECT_EQ(x.scalar_type(), torch::kDouble) << miaFeatureName(feature);
    EXPECT_EQ(x.size(0), 4);
    EXPECT_EQ(x.size(1), feature == MiaFeature::kProb ? 3 : 1) << miaFeatureName(feature);
    EXPECT_TRUE(torch::isfinite(x).all().item<bool>()) << miaFeatureName(feature);
  }
}

TEST_F(MiaTest, SeparableConfidencesGiveAPerfectAttack) {
  const double score =
      svcAttackScore(column(uniform(500, 0.95, 1.0)), column(uniform(500, 0.05, 0.15)),
                     column(uniform(300, 0.95, 1.0)), column(uniform(300, 0.05, 0.15)));
  EXPECT_DOUBLE_EQ(score, 1.0);
}

TEST_F(MiaTest, IdenticalDistributionsGiveAboutHalf) {
  const double score = svcAttackScore(column(uniform(2000, 0, 1)), column(uniform(2000, 0, 1)),
                                      column(uniform(2000, 0, 1)), column(uniform(2000, 0, 1)));
  EXPECT_GE(score, 0.4);
  EXPECT_LE(score, 0.6);
}

TEST_F(MiaTest, ProbFeatureSeparatesTenClassProbabilities) {
  const PredictionSet members = setWithConfidence(uniform(400, 0.95, 1.0), 10);
  const PredictionSet nonMembers = setWithConfidence(uniform(400, 0.05, 0.15), 10);
  const PredictionSet targets = setWithConfidence(uniform(200, 0.05, 0.15), 10);
  const SvcClassifier classifier(prob(members), prob(nonMembers));
  EXPECT_EQ(classifier.dimension(), 10);
  EXPECT_DOUBLE_EQ(classifier.fractionPredicted(prob(targets), 0), 1.0);
}

TEST_F(MiaTest, MiaEfficacyScoresTheForgetSetAsNonMembers) {
  const PredictionSet retain = setWithConfidence(uniform(600, 0.95, 1.0));
  // Non-member confidences of 0.3..0.4 keep every feature separable (at 0.05..0.15 the binary
  // entropies of members and non-members would touch).
  const PredictionSet test = setWithConfidence(uniform(400, 0.3, 0.4));
  // Forgotten like unseen data: every feature calls D_f non-member.
  const MiaScores forgotten = miaEfficacy(retain, setWithConfidence(uniform(100, 0.3, 0.4)), test);
  for (const MiaFeature feature : kAllMiaFeatures)
    EXPECT_DOUBLE_EQ(forgotten[feature], 1.0) << miaFeatureName(feature);
  // Still remembered: D_f looks like the members.
  const MiaScores remembered = miaEfficacy(retain, setWithConfidence(uniform(100, 0.95, 1.0)), test,
                                           {ModifiedEntropyFormula::kReferenceBuggy, {}});
  for (const MiaFeature feature : kAllMiaFeatures)
    EXPECT_DOUBLE_EQ(remembered[feature], 0.0) << miaFeatureName(feature);
}

TEST_F(MiaTest, MiaEfficacyUsesTheFirstTestSizeRetainSamplesAsMembers) {
  // Only the first 200 retain samples (= |D_te|) are the shadow members, so a forget set drawn
  // like them is called a member, although the rest of D_r looks nothing like it.
  const PredictionSet retain =
      setWithConfidence(torch::cat({uniform(200, 0.05, 0.15), uniform(1000, 0.95, 1.0)}));
  const PredictionSet test = setWithConfidence(uniform(200, 0.45, 0.55));
  const MiaScores scores = miaEfficacy(retain, setWithConfidence(uniform(50, 0.05, 0.15)), test);
  EXPECT_DOUBLE_EQ(scores.confidence, 0.0);
}

TEST_F(MiaTest, TrainingPrivacySplitSizes) {
  const TrainingPrivacySplit even = trainingPrivacySplit(45000, 10000);
  EXPECT_EQ(even.half, 5000);
  EXPECT_EQ(even.shadowTrainSize(), 5000);
  EXPECT_EQ(even.targetTrainSize(), 40000);
  EXPECT_EQ(even.shadowTestSize(), 5000);
  EXPECT_EQ(even.targetTestSize(), 5000);
  const TrainingPrivacySplit odd = trainingPrivacySplit(20, 9);
  EXPECT_EQ(odd.half, 4);
  EXPECT_EQ(odd.targetTrainSize(), 16);
  EXPECT_EQ(odd.targetTestSize(), 5);
  // Fewer retain than test samples, but more than h: the reference's split.
  EXPECT_EQ(trainingPrivacySplit(5449, 9000).half, 4500);
  // At most h retain samples (the reference fails): h halves D_r.
  const TrainingPrivacySplit fewRetained = trainingPrivacySplit(231, 9000);
  EXPECT_EQ(fewRetained.half, 115);
  EXPECT_EQ(fewRetained.targetTrainSize(), 116);
  EXPECT_EQ(fewRetained.targetTestSize(), 8885);
  EXPECT_THROW(trainingPrivacySplit(20, 1), InputError);
  EXPECT_THROW(trainingPrivacySplit(1, 10), InputError);
}

TEST_F(MiaTest, TrainingPrivacyMiaSeesAMemorisingModel) {
  const MiaScores scores = trainingPrivacyMia(setWithConfidence(uniform(700, 0.95, 1.0)),
                                              setWithConfidence(uniform(301, 0.3, 0.4)));
  for (const MiaFeature feature : kAllMiaFeatures)
    EXPECT_DOUBLE_EQ(scores[feature], 1.0) << miaFeatureName(feature);
}

TEST_F(MiaTest, LibsvmPrintsNothing) {
  ::testing::internal::CaptureStdout();
  const SvcClassifier classifier(column(uniform(200, 0, 1)), column(uniform(200, 0, 1)));
  EXPECT_EQ(::testing::internal::GetCapturedStdout(), "");
  EXPECT_GT(classifier.supportVectorCount(), 0);
}

TEST_F(MiaTest, BadInputsAreReported) {
  const PredictionSet retain = setWithConfidence(uniform(100, 0.5, 1.0));
  const PredictionSet test = setWithConfidence(uniform(50, 0.0, 0.5));
  const PredictionSet forget = setWithConfidence(uniform(10, 0.0, 0.5));
  EXPECT_NO_THROW(validateMiaInputs(retain, forget, test));
  // An empty forget set.
  EXPECT_THROW(miaEfficacy(retain, forget.rows(0, 0), test), InputError);
  // A test set with one class only.
  PredictionSet oneClass = test;
  oneClass.labels = torch::zeros_like(test.labels);
  EXPECT_THROW(validateMiaInputs(retain, forget, oneClass), InputError);
  // Fewer retain samples than test samples (the reference fails): balanced shadow sets of 40.
  const MiaAttackSets fewRetained = miaEfficacySets(retain.rows(0, 40), forget, test);
  EXPECT_EQ(fewRetained.shadowTrain.size(), 40);
  EXPECT_EQ(fewRetained.shadowTest.size(), 40);
  EXPECT_TRUE(torch::equal(fewRetained.shadowTest.probabilities, test.rows(0, 40).probabilities));
  // Mismatched sizes: labels against probability rows, and classes between sets.
  EXPECT_THROW(
      validateMiaInputs(retain, {forget.probabilities, forget.labels.slice(0, 0, 9)}, test),
      InputError);
  EXPECT_THROW(validateMiaInputs(retain, setWithConfidence(uniform(10, 0, 1), 3), test),
               InputError);
  // Labels outside [0, C), non-finite probabilities.
  EXPECT_THROW(validateMiaInputs(retain, {forget.probabilities, forget.labels + 2}, test),
               InputError);
  PredictionSet nan = forget;
  nan.probabilities = forget.probabilities.clone();
  nan.probabilities[0][0] = std::nan("");
  EXPECT_THROW(validateMiaInputs(retain, nan, test), InputError);
  // The attack itself: no members, nothing to score, a dimension mismatch, a bad libsvm setting.
  const torch::Tensor x = column(uniform(20, 0, 1));
  EXPECT_THROW(SvcClassifier(x.slice(0, 0, 0), x), InputError);
  EXPECT_THROW(svcAttackScore(x, x, torch::Tensor(), x.slice(0, 0, 0)), InputError);
  EXPECT_THROW(SvcClassifier(x, x).predict(torch::ones({3, 2}, torch::kDouble)), InputError);
  SvcSettings negativeC;
  negativeC.c = -1.0;
  EXPECT_THROW(SvcClassifier(x, x, negativeC), SystemError);
}

TEST_F(MiaTest, RepeatedTargetRowsArePredictedLikeSingleRows) {
  // predict() scores each distinct row once; every row must still get its own row's answer.
  const SvcClassifier classifier(column(uniform(300, 0.4, 1.0)), column(uniform(300, 0.0, 0.6)));
  const torch::Tensor distinct = column(torch::linspace(0, 1, 41, torch::kDouble));
  const torch::Tensor repeated = torch::cat({distinct, distinct.flip(0), distinct.slice(0, 5, 9)});
  const std::vector<int> all = classifier.predict(repeated);
  ASSERT_EQ(all.size(), static_cast<size_t>(repeated.size(0)));
  for (int64_t i = 0; i < repeated.size(0); ++i)
    EXPECT_EQ(all[static_cast<size_t>(i)], classifier.predict(repeated.slice(0, i, i + 1))[0]) << i;
  EXPECT_EQ(classifier.predict(repeated.slice(0, 0, 0)).size(), 0u);
}

TEST_F(MiaTest, PredictAgreesWithLibsvmsOwnPredictRowForRow) {
  // predict() evaluates libsvm's decision function itself; on overlapping classes, where many
  // targets lie near the boundary, every decision must still be libsvm's.
  const auto agree = [](const SvcClassifier& classifier, const torch::Tensor& targets) {
    const std::vector<int> mine = classifier.predict(targets);
    const std::vector<int> libsvms = classifier.predictWithLibsvm(targets);
    ASSERT_EQ(mine.size(), libsvms.size());
    int64_t members = 0;
    for (size_t i = 0; i < mine.size(); ++i) {
      ASSERT_EQ(mine[i], libsvms[i]) << "row " << i;
      members += mine[i];
    }
    // Both answers occur, so the comparison covers both sides of the boundary.
    EXPECT_GT(members, 0);
    EXPECT_LT(members, static_cast<int64_t>(mine.size()));
  };
  const SvcClassifier oneDimensional(column(uniform(1500, 0.3, 1.0)), column(uniform(1500, 0, 1)));
  agree(oneDimensional,
        column(torch::cat({uniform(3000, 0, 1), torch::linspace(0, 1, 2001, torch::kDouble)})));
  const PredictionSet members = setWithConfidence(uniform(600, 0.4, 1.0), 10);
  const PredictionSet nonMembers = setWithConfidence(uniform(600, 0.1, 0.9), 10);
  const SvcClassifier tenDimensional(prob(members), prob(nonMembers));
  agree(tenDimensional, prob(setWithConfidence(uniform(2000, 0.1, 1.0), 10)));
}

TEST_F(MiaTest, PaperMiasOnThreadsMatchTheSequentialAttacks) {
  const PredictionSet retain = setWithConfidence(uniform(700, 0.5, 1.0), 4);
  const PredictionSet test = setWithConfidence(uniform(300, 0.2, 0.9), 4);
  const PredictionSet forget = setWithConfidence(uniform(120, 0.3, 1.0), 4);
  SingleProcessCommunicator comm;
  const PaperMiaScores both = paperMembershipInference(retain, forget, test, {}, comm);
  const MiaScores efficacy = miaEfficacy(retain, forget, test);
  const MiaScores privacy = trainingPrivacyMia(retain, test);
  for (const MiaFeature feature : kAllMiaFeatures) {
    EXPECT_DOUBLE_EQ(both.efficacy[feature], efficacy[feature]) << miaFeatureName(feature);
    EXPECT_DOUBLE_EQ(both.privacy[feature], privacy[feature]) << miaFeatureName(feature);
  }
}

TEST_F(MiaTest, ASampleLimitAttacksWithTheFirstRowsOfRetainAndTestOnly) {
  const PredictionSet retain = setWithConfidence(uniform(700, 0.5, 1.0), 4);
  const PredictionSet test = setWithConfidence(uniform(300, 0.2, 0.9), 4);
  const PredictionSet forget = setWithConfidence(uniform(120, 0.3, 1.0), 4);
  SingleProcessCommunicator comm;
  MiaOptions limited;
  limited.sampleLimit = 100;
  const PaperMiaScores bounded = paperMembershipInference(retain, forget, test, limited, comm);
  const PaperMiaScores explicitRows =
      paperMembershipInference(retain.rows(0, 100), forget, test.rows(0, 100), {}, comm);
  const PaperMiaScores all = paperMembershipInference(retain, forget, test, {}, comm);
  bool differs = false;
  for (const MiaFeature feature : kAllMiaFeatures) {
    EXPECT_DOUBLE_EQ(bounded.efficacy[feature], explicitRows.efficacy[feature]);
    EXPECT_DOUBLE_EQ(bounded.privacy[feature], explicitRows.privacy[feature]);
    differs = differs || bounded.privacy[feature] != all.privacy[feature];
  }
  EXPECT_TRUE(differs) << "the limit must change what the attacks see";
}

}  // namespace
}  // namespace mu
