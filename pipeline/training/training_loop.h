#pragma once
// One epoch of data-parallel SGD, shared by every stage that trains (mu-train, the IMP retraining
// rounds of mu-prune, and the gradient-based unlearning methods): each rank takes its slice of the
// epoch's global batch, computes its part of the loss, the buckets average the gradients, and the
// masked SGD steps. The loss is a hook, so FT, GA and l1-sparse differ only in it.

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/data/augment.h"
#include "pipeline/data/epoch_sampler.h"
#include "pipeline/data/sample_source.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/device.h"
#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/models/classifier.h"
#include "pipeline/training/lr_schedule.h"
#include "pipeline/training/masked_sgd.h"
#include "pipeline/training/progress.h"
#include "pipeline/training/step_graph.h"
#include "pipeline/training/step_profile.h"

namespace mu {

// The samples an epoch runs over: rows of a split, with their augmentation.
struct SampleSet {
  std::shared_ptr<const SampleSource> images;  // the whole split's
  torch::Tensor labels;                        // int64 [N]
  std::vector<int64_t> rows;  // the rows trained on (their order is the sampler's input order)
  AugmentOptions augment;
  SampleOrder order;  // the exact seeded permutation, or contiguous blocks (--sample-order)
};

// A rank's loss on its slice. It must be the SUM over the slice divided by the global batch
// size: the all-reduced gradient is then the global batch's mean however the batch was split.
using LossFunction = std::function<torch::Tensor(
    const torch::Tensor& logits, const torch::Tensor& labels, int64_t globalBatchSize)>;
LossFunction crossEntropyLoss();

struct EpochSettings {
  int64_t epoch = 0;      // absolute epoch index (keys the sample order and augmentation)
  int64_t epochs = 1;     // for progress only
  int64_t startStep = 0;  // > 0 when resuming inside the epoch
  int64_t globalBatch = 256;
  uint64_t seed = 1;
};

struct EpochOutcome {
  bool stopped = false;  // all ranks agreed to stop (signal) before step `nextStep`
  int64_t nextStep = 0;
  int64_t steps = 0;    // steps run in this call
  int64_t samples = 0;  // over all ranks, in this call
  double lossSum = 0;   // sum of per-sample losses over all ranks (CE part), this call
  int64_t correct = 0;  // training predictions that were right, all ranks, this call
  double seconds = 0;
};

class TrainingLoop {
 public:
  // Trains on the device the model's parameters are on (placeModel put them there): batches are
  // built on the host and copied there, in the model's memory format. With a communicator that
  // overlaps (NCCL), the buckets sum during backward (GradientBucketer::enableOverlap).
  TrainingLoop(Classifier& model, Communicator& comm, MaskedSgd& sgd, GradientBucketer& buckets,
               const LrSchedule& schedule, LossFunction loss);

  // bf16 autocast of the forward pass (--amp bf16; CUDA only). The loss is computed in fp32.
  void setAutocast(AutocastOptions options);
  // Steps replay a CUDA graph of themselves (--cuda-graphs; step_graph.h says when). Only for a
  // loss whose host-side values never change between steps. SystemError without a CUDA LibTorch.
  void enableCudaGraphs();
  // A linear probe: the model stays in eval mode while it trains, so BatchNorm normalises with its
  // running statistics and leaves them as they are (only the parameters the optimizer holds move).
  void keepEvalMode() { evalMode_ = true; }
  // The option that sets this loop's learning rate ("--lr", "--ft-lr"): the one a diverged run's
  // message tells the user to lower.
  void setLearningRateOption(std::string option) { lrOption_ = std::move(option); }
  // Adds each step's time per phase to `profile` (null: stop); see step_profile.h.
  void setProfile(StepProfile* profile) { profile_ = profile; }

  // Runs `settings.epoch` from `settings.startStep`; `afterStep(epoch, nextStep)` runs after each
  // optimizer step (periodic checkpoints). Stops early, between steps, when any rank got a stop
  // signal.
  EpochOutcome runEpoch(const SampleSet& data, const EpochSettings& settings,
                        const std::function<void(int64_t epoch, int64_t nextStep)>& afterStep,
                        ProgressReporter& progress);

  static int64_t stepsPerEpoch(int64_t samples, int64_t globalBatch);

 private:
  // `what` became non-finite ("training loss", "gradient norm") by `step`.
  [[noreturn]] void throwDiverged(const std::string& what, const EpochSettings& settings,
                                  int64_t step, int64_t steps, double lr) const;
  // One step's device work on a batch already there: zeroed gradients, forward, loss, backward,
  // the epoch's loss and accuracy sums, the gradient sums over ranks and the optimizer step.
  // Undefined tensors: a rank with no sample in this step, which still sums and steps.
  void computeStep(const torch::Tensor& images, const torch::Tensor& labels,
                   int64_t globalBatchSize, PhaseLaps& laps);
  // Ends a profiled phase; a GPU's queued work is waited for first, so it counts.
  void lap(PhaseLaps& laps, StepPhase phase) const;

  Classifier& model_;
  Communicator& comm_;
  MaskedSgd& sgd_;
  GradientBucketer& buckets_;
  BatchPlacement batchPlacement();

  const LrSchedule& schedule_;
  LossFunction loss_;
  torch::Device device_;
  AutocastOptions autocast_;
  bool evalMode_ = false;
  std::string lrOption_ = "--lr";
  std::unique_ptr<StepGraph> stepGraph_;  // null: eager steps
  StepProfile* profile_ = nullptr;
  // The epoch's summed cross-entropy and right answers, on the model's device. Members, not
  // locals, because a recorded step graph adds into these very tensors.
  torch::Tensor lossSum_;
  torch::Tensor correct_;
  // The largest gradient norm of the epoch's steps so far (NaN once any step's was NaN).
  torch::Tensor gradientNormMax_;
};

}  // namespace mu
