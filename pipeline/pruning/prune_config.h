#pragma once
// The options of the prune stage on top of the retraining options (TrainConfig): what to prune, how
// much per round, and where each round rewinds to (docs/reference-behaviour.md §5.3, §5.4).
// Defaults are the reference's OMP: one round at rate 0.95, rewind_lt.

#include <cstdint>
#include <string>

#include "pipeline/cli/option_table.h"
#include "pipeline/masks/masks.h"

namespace mu {

struct PruneConfig {
  std::string from;  // the mu-train run folder pruned (round 1's source, rewind points)
  std::string method = "magnitude";  // magnitude | random | synflow
  double rate = 0.95;                // fraction of the remaining weights pruned per round
  int64_t rounds = 1;                // pruning events, each followed by retraining
  double targetSparsity = 0;         // > 0: derive the per-round rate from this overall target
  std::string rewind = "rewind_lt";  // lt | rewind_lt | pt
  std::string pruneFrom = "last";    // last (the reference: the model after training) | best
  bool includeLinear = false;
  int64_t pruneSeed = 1;  // random pruning scores
  int64_t synflowIterations = 100;

  void registerOptions(OptionTable& table);
  // `rateGiven`: --rate was on the command line (it conflicts with --target-sparsity).
  void validate(bool rateGiven) const;
  PruneScope scope() const { return PruneScope{includeLinear}; }
  bool atInitialisation() const { return method == "synflow"; }
};

}  // namespace mu
