#pragma once
// A whole resumable unlearning run in a run folder (runs/run_folder.h): checks the original
// model against the data, selects and records the forget set, loads the model (retrain: the
// masked initial weights), runs the method with per-epoch checkpoints, times it (RTE) and writes
// the unlearned checkpoint and results.json.

#include <nlohmann/json.hpp>

#include "pipeline/cli/option_table.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/unlearning/unlearn_config.h"
#include "pipeline/unlearning/unlearning_method.h"

namespace mu {

struct UnlearnRunOutcome {
  bool alreadyComplete = false;
  bool stopped = false;
  nlohmann::json results;  // results.json's content (complete runs)
};

// `table` holds the shared options and the chosen method's (config.json and the hash).
UnlearnRunOutcome runUnlearning(const UnlearnConfig& config, UnlearningMethod& method,
                                const OptionTable& table, Communicator& comm);

}  // namespace mu
