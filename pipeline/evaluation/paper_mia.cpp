#include "pipeline/evaluation/paper_mia.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <optional>
#include <vector>

namespace mu {

PaperMiaScores paperMembershipInference(const PredictionSet& retain, const PredictionSet& forget,
                                        const PredictionSet& test, const MiaOptions& options,
                                        Communicator& comm) {
  // Both splits are made (and validated) on every rank before any work, so bad input fails
  // everywhere at once.
  const auto limited = [&](const PredictionSet& set) {
    return options.sampleLimit > 0 ? set.rows(0, std::min(options.sampleLimit, set.size())) : set;
  };
  const PredictionSet shadowRetain = limited(retain), shadowTest = limited(test);
  const MiaAttackSets attackSets[2] = {miaEfficacySets(shadowRetain, forget, shadowTest),
                                       trainingPrivacySets(shadowRetain, shadowTest)};
  const auto features = static_cast<int64_t>(kAllMiaFeatures.size());
  const int64_t attacks = 2 * features;
  std::vector<int64_t> mine;
  for (int64_t attack = comm.rank(); attack < attacks; attack += comm.size())
    mine.push_back(attack);
  const auto featureOf = [&](int64_t attack) {
    return kAllMiaFeatures[static_cast<size_t>(attack % features)];
  };

  // libsvm's fit is serial, so this rank's fits run side by side on its threads; the predictions
  // (the privacy MIA scores all of D_r) then run one attack at a time, each over every thread.
  std::vector<MiaFeatureMatrices> inputs(mine.size());
  std::vector<std::optional<SvcClassifier>> classifiers(mine.size());
  at::parallel_for(0, static_cast<int64_t>(mine.size()), 1, [&](int64_t begin, int64_t end) {
    for (int64_t k = begin; k < end; ++k) {
      const int64_t attack = mine[static_cast<size_t>(k)];
      MiaFeatureMatrices& x = inputs[static_cast<size_t>(k)];
      x = miaFeatureMatrices(featureOf(attack), attackSets[attack / features], options);
      classifiers[static_cast<size_t>(k)].emplace(x.shadowTrain, x.shadowTest, options.svc);
    }
  });
  std::vector<double> scores(static_cast<size_t>(attacks), 0.0);
  for (size_t k = 0; k < mine.size(); ++k) {
    scores[static_cast<size_t>(mine[k])] =
        svcScoreTargets(*classifiers[k], inputs[k].targetTrain, inputs[k].targetTest);
  }

  // Each score has one non-zero contribution, so the sums are exact.
  PaperMiaScores result;
  for (int64_t attack = 0; attack < attacks; ++attack) {
    MiaScores& target = attack < features ? result.efficacy : result.privacy;
    target[featureOf(attack)] = comm.allReduceSum(scores[static_cast<size_t>(attack)]);
  }
  return result;
}

}  // namespace mu
