#include "pipeline/pruning/prune_config.h"

#include "pipeline/base/error.h"
#include "pipeline/pruning/global_pruning.h"

namespace mu {

void PruneConfig::registerOptions(OptionTable& table) {
  using Effect = OptionTable::Effect;
  table
      .add("from", &from,
           "the mu-train run folder to prune: round 1 prunes its model and every round rewinds "
           "to its init.h5 / rewind.h5 / best.h5 (not needed for synflow)",
           Effect::kOperational)
      .addChoice("prune-method", &method, {"magnitude", "random", "synflow"},
                 "pruning scores: magnitude (global |w|), random, or synflow (data-free, at "
                 "initialisation)")
      .add("rate", &rate,
           "fraction of the remaining weights pruned in each round (OMP 0.95; IMP 0.2)")
      .add("rounds", &rounds, "pruning rounds, each followed by retraining under the mask")
      .add("target-sparsity", &targetSparsity,
           "overall sparsity to reach after --rounds (sets the per-round rate; 0: use --rate)")
      .addChoice("rewind", &rewind, {"lt", "rewind_lt", "pt"},
                 "weights each round retrains from: lt (initialisation), rewind_lt (the weights "
                 "after --rewind-epoch epochs), pt (the best dense weights)")
      .addChoice("prune-from", &pruneFrom, {"last", "best"},
                 "the weights scored in each round: last (the reference) or best (validation)")
      .addFlag("include-linear", &includeLinear,
               "also prune Linear weights (the reference prunes convolutions only)")
      .add("prune-seed", &pruneSeed, "seed of the random pruning scores")
      .add("synflow-iterations", &synflowIterations, "SynFlow scoring iterations");
}

void PruneConfig::validate(bool rateGiven) const {
  if (rounds < 1) throw InputError("--rounds", "value", "at least 1 round");
  if (targetSparsity != 0) {
    if (rateGiven) {
      throw InputError("--rate", "value",
                       "either --rate or --target-sparsity, not both (the target sets the rate)");
    }
    rateForRounds(targetSparsity, static_cast<int>(rounds));  // validates the target
  } else {
    validateRate(rate);
  }
  if (method == "synflow" && rounds != 1) {
    throw InputError("--rounds", "value",
                     "1 with synflow (it prunes at initialisation in --synflow-iterations steps)");
  }
  if (method != "synflow" && from.empty()) {
    throw InputError("--from", "value", "required: the mu-train run folder to prune");
  }
  if (synflowIterations < 1) throw InputError("--synflow-iterations", "value", "at least 1");
  if (pruneSeed < 0) throw InputError("--prune-seed", "value", ">= 0");
}

}  // namespace mu
