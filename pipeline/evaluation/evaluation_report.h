#pragma once
// Every metric of the paper's tables for one model and one forget set (docs/reference-behaviour.md
// §7.1, §7.2): the accuracies on D_f, D_r, D_te (class-wise: without the forgotten class,
// docs/reference-behaviour.md §3.2) and D_val with the test transform, and the two SVC attacks on
// the softmax outputs; for a backdoored model, the attack's success rate on the triggered test set.
// Inference and attacks are spread over the ranks; every rank returns the same metrics.

#include <cstdint>
#include <optional>
#include <string>

#include "pipeline/data/forget_set.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/evaluation/paper_mia.h"
#include "pipeline/inference/attack_success.h"
#include "pipeline/models/classifier.h"

namespace mu {

struct EvaluationOptions {
  int64_t batchSize = 512;
  MiaOptions mia;
};

struct SetSizes {
  int64_t forget = 0;
  int64_t retain = 0;
  int64_t test = 0;
  int64_t val = 0;
};

struct EvaluationMetrics {
  SetSizes sizes;
  // Top-1 accuracies in percent.
  double forgetAccuracy = 0;
  double retainAccuracy = 0;  // RA
  double testAccuracy = 0;    // TA
  double valAccuracy = 0;
  PaperMiaScores mia;                   // fractions in [0, 1]
  std::optional<AttackSuccess> attack;  // a backdoored model's (the forget set's poisoning)
  double inferenceSeconds = 0;
  double attackSeconds = 0;
};

// Before any inference: InputError naming `forgetSetPath` when the lists do not fit `train` (an
// empty forget or retain set, an id outside the split, fewer retain than test samples), or naming
// the test split of `dataDir` when the test rows hold fewer than two classes.
void checkEvaluationInputs(const ForgetSet& set, const LoadedSplit& train, const LoadedSplit& test,
                           const std::string& forgetSetPath, const std::string& dataDir);

EvaluationMetrics evaluateModel(Classifier& model, const LoadedSplit& train,
                                const LoadedSplit& test, const ForgetSet& set, Communicator& comm,
                                const EvaluationOptions& options);

}  // namespace mu
