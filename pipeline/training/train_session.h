#pragma once
// A whole resumable training run in a run folder: configuration check, initial weights, the epoch
// loop with validation, best/rewind/last checkpoints, metrics, and the final test accuracy. The
// training stage is one session; each IMP round of the prune stage is another, with masks.

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "pipeline/cli/option_table.h"
#include "pipeline/data/augment.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/models/model_registry.h"
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

// Where a session starts. The default is mu-train's: a fresh initialisation from --train-seed,
// dense, on the schedule from its epoch 0. A pruning round starts from rewound weights under its
// masks on a rewound schedule; a transfer from another model's features, with a fresh head.
struct SessionStart {
  TensorMap masks;          // pruned weights (empty: dense); kept through training
  std::string weightsFrom;  // checkpoint whose weights start the run (empty: fresh init)
  // Runs on the freshly initialised model before the masks are applied and init.h5 is written
  // (a resumed run then loads its last.h5 over it): a transfer copies its source's features here.
  std::function<void(Classifier& model)> prepareModel;
  // A linear probe: only the head (Classifier::headName) trains; every other parameter and the
  // BatchNorm statistics stay as prepared.
  bool headOnly = false;
  int64_t scheduleOffset = 0;   // learning-rate rewinding: run epoch e uses schedule epoch e + this
  nlohmann::json extraResults;  // merged into results.json (e.g. the round's sparsity report)
};

class TrainSession {
 public:
  // `table` holds the options `config` was parsed into (for config.json and the hash).
  TrainSession(const TrainConfig& config, const OptionTable& table, Communicator& comm);

  // Runs (or resumes, or finds complete) the run.
  TrainOutcome run(const SessionStart& start = {});

 private:
  const TrainConfig& config_;
  const OptionTable& table_;
  Communicator& comm_;
};

// The summary line of a session that did not train to its end now, as mu-train and mu-transfer
// print it: "<runDir> is complete (test accuracy x%); nothing to do" or "stopped by signal after a
// checkpoint at epoch n; rerun to resume". Empty when the session ran to its end.
std::string unfinishedSessionLine(const TrainOutcome& outcome, const std::string& runDir);

// The model a run of `config` trains on the dataset described by `manifest`.
ModelSpec modelSpecFor(const TrainConfig& config, const DatasetManifest& manifest);

// The per-dataset augmentation `choice` stands for ("auto": the reference's per dataset; for a
// JPEG dataset "auto" and "crop-flip" are RandomResizedCrop + flip).
AugmentOptions augmentationFor(const std::string& choice, const DatasetManifest& manifest);

}  // namespace mu
