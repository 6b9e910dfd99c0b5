#pragma once
// Every option of a training run (mu-train, and the retraining inside mu-prune), declared once in
// registerTrainOptions: defaults are the reference's (docs/reference-behaviour.md §1.1, §4.2)
// unless noted.

#include <cstdint>
#include <string>

#include "pipeline/cli/option_table.h"
#include "pipeline/data/poisoning.h"
#include "pipeline/data/stream_options.h"
#include "pipeline/distributed/device_placement.h"
#include "pipeline/training/lr_schedule.h"

namespace mu {

struct TrainConfig {
  // Data
  std::string data;       // dataset folder written by mu-data (identified by content, not path)
  int64_t splitSeed = 1;  // train/validation split (the reference trains on seed 1)
  double valFraction = 0.1;
  int64_t trainLimit = 0;        // > 0: only the first N training ids (quick runs, tests)
  std::string augment = "auto";  // auto | none | crop-flip | flip
  StreamOptions stream;          // how JPEG datasets are decoded and cut
  PoisonOptions poison;          // a backdoor attack on the training data (none by default)
  // Model
  std::string arch = "resnet20s";
  bool imagenetStem = false;
  int64_t trainSeed = 1;  // model initialisation
  // Optimisation
  int64_t epochs = 182;
  int64_t batchSize = 256;  // global, over all ranks
  double lr = 0.1;
  double momentum = 0.9;
  double weightDecay = 5e-4;
  std::string lrSchedule = "multistep";
  std::string milestones = "91,136";
  double gamma = 0.1;
  int64_t warmupEpochs = 0;
  int64_t seed = 2;         // sample order and augmentation
  int64_t rewindEpoch = 8;  // save the weights after this many epochs (0: none)
  // Device. Speed options change nothing unless asked; amp and gradCompression change numbers
  // and so count among the options that change results.
  std::string device = "cpu";            // cpu | cuda (the GPU of the node-local rank)
  bool channelsLast = false;             // NHWC convolution weights and batches
  bool cudnnBenchmark = false;           // cuDNN autotuning (algorithm choice may vary per run)
  bool cudaGraphs = false;               // steps replay a CUDA graph of themselves
  std::string amp = "none";              // none | bf16 (autocast of the forward pass)
  std::string gradCompression = "none";  // none | bf16 (gradient buckets travel as bf16)
  // Operational (do not change results)
  std::string runDir;
  int64_t checkpointEverySteps = 0;  // 0: at epoch ends only
  // average | rank0: the BatchNorm running statistics a multi-rank run checkpoints. Each rank's
  // batches give its own (as in DDP); averaged before every checkpoint by default, so that a
  // model's statistics stand for the whole data and a resumed run continues from what every rank
  // had. One rank: nothing to average.
  std::string bnStats = "average";
  bool quiet = false;

  void registerOptions(OptionTable& table);
  // Impossible values are InputErrors naming the option.
  void validate(int worldSize) const;
  LrScheduleOptions scheduleOptions() const;
  DeviceChoice deviceChoice() const;
};

}  // namespace mu
