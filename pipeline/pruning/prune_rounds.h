#pragma once
// OMP, IMP and SynFlow as one resumable loop (docs/reference-behaviour.md §5.3, §5.4). Round r
// prunes the fraction `rate` of the remaining weights of the previous model (round 1: the source
// run's), rewinds the weights to the source run's initial / rewind-epoch / best weights under the
// new masks, and retrains with mu-train's TrainSession on a learning rate rewound by --rewind-epoch
// epochs. SynFlow prunes the freshly initialised model instead and trains it from epoch 0.

#include <cstdint>
#include <vector>

#include "pipeline/cli/option_table.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/pruning/prune_config.h"
#include "pipeline/training/train_config.h"

namespace mu {

struct RoundSummary {
  int64_t round = 0;
  int64_t remaining = 0;  // prunable weights kept
  int64_t total = 0;
  double testAccuracy = 0;
  double bestValAccuracy = 0;
};

struct PruneOutcome {
  bool stopped = false;              // a stop signal ended a round after its checkpoint
  double rate = 0;                   // per-round fraction pruned
  std::vector<RoundSummary> rounds;  // the rounds finished so far
};

// Runs (or resumes) every round in train.runDir. `table` holds both configs' options.
PruneOutcome runPruneRounds(const PruneConfig& prune, const TrainConfig& train,
                            const OptionTable& table, Communicator& comm);

}  // namespace mu
