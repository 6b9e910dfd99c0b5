#pragma once
// mu-evaluate's body: check that the checkpoint, the forget set and the data belong together,
// skip the work when the results file already holds these inputs, otherwise evaluate on every
// rank and write the results (rank 0, atomically).

#include <nlohmann/json.hpp>

#include "pipeline/cli/option_table.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/evaluation/evaluate_config.h"

namespace mu {

struct EvaluationOutcome {
  nlohmann::json results;
  bool alreadyComplete = false;  // the results file was up to date; nothing was computed
};

// `config` must be resolved; `table` is the one its options were registered in. Bad input
// (mismatched datasets, an unreadable checkpoint or forget set, an empty forget set, a one-class
// test set) throws InputError before anything is written.
EvaluationOutcome runEvaluation(const EvaluateConfig& config, const OptionTable& table,
                                Communicator& comm);

}  // namespace mu
