#include "pipeline/evaluation/evaluation_report.h"

#include <torch/torch.h>

#include <chrono>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/base/seconds_since.h"
#include "pipeline/evaluation/model_predictions.h"

namespace mu {
namespace {

void checkIds(const std::vector<int64_t>& ids, int64_t trainSize, const std::string& path,
              const std::string& field) {
  for (const int64_t id : ids) {
    if (id < 0 || id >= trainSize)
      throw InputError(path, field,
                       "train row ids in [0, " + std::to_string(trainSize) + "), found " +
                           std::to_string(id) + " (a forget set of another dataset?)");
  }
}

}  // namespace

void checkEvaluationInputs(const ForgetSet& set, const LoadedSplit& train, const LoadedSplit& test,
                           const std::string& forgetSetPath, const std::string& dataDir) {
  if (set.forgetIds.empty())
    throw InputError(forgetSetPath, "forget_ids", "at least one id: MIA-Efficacy and UA score D_f");
  if (set.retainIds.empty())
    throw InputError(forgetSetPath, "retain_ids", "at least one id: RA scores D_r");
  checkIds(set.forgetIds, train.size(), forgetSetPath, "forget_ids");
  checkIds(set.retainIds, train.size(), forgetSetPath, "retain_ids");
  checkIds(set.valIds, train.size(), forgetSetPath, "val_ids");
  const std::vector<int64_t> testRows = set.testRows(test.labels);
  const torch::Tensor testLabels =
      testRows.empty() ? torch::Tensor() : test.labels.index_select(0, torch::tensor(testRows));
  if (testRows.empty() || testLabels.min().item<int64_t>() == testLabels.max().item<int64_t>())
    throw InputError(dataDir + " (test split)", "labels",
                     "at least two classes in the test rows: one class cannot stand for the "
                     "non-members of the MIA");
}

EvaluationMetrics evaluateModel(Classifier& model, const LoadedSplit& train,
                                const LoadedSplit& test, const ForgetSet& set, Communicator& comm,
                                const EvaluationOptions& options) {
  EvaluationMetrics metrics;
  const auto start = std::chrono::steady_clock::now();
  InferenceModel inference(model);
  const auto score = [&](const LoadedSplit& split, const std::vector<int64_t>& rows) {
    return scoreSamples(inference, *split.source, split.labels, rows, comm, options.batchSize);
  };
  const ScoredSamples forget = score(train, set.forgetIds);
  const ScoredSamples retain = score(train, set.retainIds);
  const ScoredSamples testSet = score(test, set.testRows(test.labels));
  const ScoredSamples val = score(train, set.valIds);
  if (set.poisoning.enabled()) {
    metrics.attack = attackSuccess(inference, test, set.poisoning, comm, options.batchSize);
  }
  metrics.inferenceSeconds = secondsSince(start);

  metrics.sizes = {forget.accuracy.total, retain.accuracy.total, testSet.accuracy.total,
                   val.accuracy.total};
  metrics.forgetAccuracy = forget.accuracy.percent();
  metrics.retainAccuracy = retain.accuracy.percent();
  metrics.testAccuracy = testSet.accuracy.percent();
  metrics.valAccuracy = val.accuracy.percent();

  const auto attackStart = std::chrono::steady_clock::now();
  metrics.mia = paperMembershipInference(retain.predictions, forget.predictions,
                                         testSet.predictions, options.mia, comm);
  metrics.attackSeconds = secondsSince(attackStart);
  return metrics;
}

}  // namespace mu
