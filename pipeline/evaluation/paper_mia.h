#pragma once
// The paper's two SVC attacks (MIA-Efficacy and the training-privacy MIA,
// docs/reference-behaviour.md §7.2) on all five features: ten independent libsvm fits, spread over
// the ranks (attack j on rank j mod n) and, on each rank, over its threads. libsvm is
// deterministic, so every placement gives the same scores; every rank returns all of them.

#include "pipeline/distributed/communicator.h"
#include "pipeline/evaluation/membership_inference.h"

namespace mu {

struct PaperMiaScores {
  MiaScores efficacy;  // fractions of D_f predicted non-member
  MiaScores privacy;   // (TPR + TNR) / 2 on the held-out halves
};

// Every rank must pass the same probabilities (model_predictions.h makes them so).
PaperMiaScores paperMembershipInference(const PredictionSet& retain, const PredictionSet& forget,
                                        const PredictionSet& test, const MiaOptions& options,
                                        Communicator& comm);

}  // namespace mu
