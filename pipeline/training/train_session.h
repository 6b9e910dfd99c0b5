#pragma once
// A whole resumable training run in a run folder: configuration check, initial weights, the epoch
// loop with validation, best/rewind/last checkpoints, metrics, and the final test accuracy. The
// training stage is one session; each IMP round of the prune stage is another, with masks.

#include <string>

#include "pipeline/augment.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/option_table.h"
#include "pipeline/shard_reader.h"
#include "pipeline/training/masked_sgd.h"
#include "pipeline/training/train_config.h"

namespace mu {

struct TrainOutcome {
  bool alreadyComplete = false;  // results.json was there: nothing was run
  bool stopped = false;          // a stop signal ended the run after a checkpoint
  int64_t epochsDone = 0;
  double bestValAccuracy = 0;
  int64_t bestEpoch = 0;
  double testAccuracy = 0;
  double trainSeconds = 0;
  double imagesPerSecond = 0;
};

class TrainSession {
 public:
  // `table` holds the options `config` was parsed into (for config.json and the hash).
  TrainSession(const TrainConfig& config, const OptionTable& table, Communicator& comm);

  // Runs (or resumes, or finds complete) the run. `masks` prune the model (empty: dense).
  TrainOutcome run(const TensorMap& masks = {});

 private:
  const TrainConfig& config_;
  const OptionTable& table_;
  Communicator& comm_;
};

// Checks <runDir>/config.json against the options now (InputError listing the differences of the
// result-changing ones); rank 0 writes it when absent. Every rank calls it.
void checkOrWriteRunConfig(const std::string& runDir, const OptionTable& table, Communicator& comm);

// The per-dataset augmentation `choice` stands for ("auto": the reference's per dataset).
AugmentOptions augmentationFor(const std::string& choice, const std::string& dataset);

}  // namespace mu
