#pragma once
// The interface every unlearning method implements (docs/reference-behaviour.md §6), and what a
// stage hands it: the model to change in place, its pruning masks, the communicator, the training
// split with the forget set, and the hooks through which an iterative method is checkpointed and
// resumed.
//
// Every rank calls run() with the same arguments: methods issue collectives. On return every
// rank holds the same unlearned model, with every masked weight exactly zero.

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

#include "pipeline/cli/option_table.h"
#include "pipeline/data/augment.h"
#include "pipeline/data/epoch_sampler.h"
#include "pipeline/data/forget_set.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/models/classifier.h"
#include "pipeline/models/tensor_map.h"
#include "pipeline/training/masked_sgd.h"
#include "pipeline/training/progress.h"

namespace mu {

// Where an iterative method (re)starts: the next step to run. {0, 0} is a fresh start; a resume
// passes what the last progress report said, with the momentum it carried.
struct ResumePoint {
  int64_t epoch = 0;   // epochs completed before this one
  int64_t step = 0;    // steps of `epoch` already run (0 at an epoch boundary)
  TensorMap momentum;  // MaskedSgd::momentum() at that point (empty on a fresh start)
};

// What an iterative method reports after each epoch, every `checkpointEverySteps` steps, and when
// a stop signal ends it early. Saving `next` plus the model's weights and `sgd.momentum()` is all a
// resume needs: the sample order, augmentation and RL labels are keyed by (seed, epoch, id).
struct ProgressReport {
  int64_t nextEpoch = 0;  // the ResumePoint to continue from
  int64_t nextStep = 0;
  bool epochEnded = false;         // an epoch just finished (metrics below are the whole epoch's)
  bool stopped = false;            // a stop signal ended the run: save, then exit
  const MaskedSgd* sgd = nullptr;  // lr() in force, momentum() to save
  // The epoch just run (or its part before a stop), over all ranks.
  nlohmann::json metrics;  // {"epoch", "lr", "loss", "accuracy", "samples", "seconds", ...}
  // This call's unlearning time so far on this rank (hooks excluded): a stage that resumes adds
  // what it saved from earlier calls.
  double unlearnSeconds = 0;
};
// Called on every rank (so it may run collectives, e.g. the max of unlearnSeconds); rank 0
// usually writes the checkpoint. Its own time is not counted as unlearning time.
using ProgressHook = std::function<void(const ProgressReport&)>;

struct UnlearnContext {
  UnlearnContext(Classifier& unlearnedModel, Communicator& communicator,
                 const LoadedSplit& trainSplit, const ForgetSet& forgetSet,
                 ProgressReporter& reporter)
      : model(unlearnedModel),
        comm(communicator),
        train(trainSplit),
        forget(forgetSet),
        progress(reporter) {}

  Classifier& model;  // changed in place; the stage loaded it (retrain: the masked fresh init)
  Communicator& comm;
  const LoadedSplit& train;  // row i is training sample id i (forget.forgetIds index into it)
  const ForgetSet& forget;
  ProgressReporter& progress;

  TensorMap masks;            // pruning masks by parameter name (empty: dense); kept exactly
  AugmentOptions augment;     // iterative methods' training augmentation (the stage's choice)
  SampleOrder order;          // the epoch order (--sample-order)
  int64_t batchSize = 256;    // global, over all ranks
  uint64_t seed = 2;          // sample order, augmentation, RL labels, FF noise
  ResumePoint resume;         // iterative methods only; one-shot methods always start over
  ProgressHook saveProgress;  // iterative methods only; may be empty
  int64_t checkpointEverySteps = 0;  // > 0: also report inside epochs every N global steps
  bool referenceProtocol = false;    // the reference code's behaviour (reference_protocol.h)

  int64_t numClasses() const { return train.manifest.numClasses; }
};

struct UnlearnOutcome {
  bool stopped = false;    // a stop signal ended it; the model is at the last report's point
  int64_t epochsDone = 0;  // iterative methods: epochs completed in total
  // The unlearning wall-clock time of this call (statistics passes and epochs; not data loading,
  // progress hooks or evaluation), the slowest rank's.
  double seconds = 0;
  nlohmann::json summary = nlohmann::json::object();  // method facts (per-epoch metrics, ...)
};

class UnlearningMethod {
 public:
  virtual ~UnlearningMethod() = default;

  // The registry name ("ft", "l1-sparse", ...): --method, campaign specs, results files.
  virtual std::string name() const = 0;
  // What the paper's tables call it ("FT", "Retrain", "l1-sparse"): report rows.
  virtual std::string title() const = 0;
  // Exact unlearning: the model a method would ideally reach, which the report measures every
  // approximate method against (the paper's "gap to Retrain").
  virtual bool exact() const { return false; }
  // Adds this method's own hyper-parameters (names prefixed by the method, e.g. "ft-epochs") with
  // the reference's defaults; the table writes into this object.
  virtual void registerOptions(OptionTable& table) = 0;
  // InputError naming the option for an impossible value.
  virtual void validate() const = 0;
  // Iterative methods train epochs through TrainingLoop and honour resume/saveProgress; one-shot
  // methods (FF, IU) change the model only at their end, so a stopped one simply starts over.
  virtual bool iterative() const = 0;
  // Retrain starts from the initial weights (the training run's init under the masks,
  // docs/reference-behaviour.md §6.0), not from the checkpoint being unlearned: the stage loads the
  // model accordingly.
  virtual bool startsFromInitialWeights() const { return false; }
  virtual UnlearnOutcome run(UnlearnContext& context) = 0;

  // This method's options and their current values, by name (for results.json).
  nlohmann::json optionsJson();
};

}  // namespace mu
