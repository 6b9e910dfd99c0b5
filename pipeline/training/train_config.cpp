#include "pipeline/training/train_config.h"

#include "pipeline/base/error.h"
#include "pipeline/distributed/device_placement.h"
#include "pipeline/models/model_registry.h"

namespace mu {

void TrainConfig::registerOptions(OptionTable& table) {
  using Effect = OptionTable::Effect;
  table.add("data", &data, "dataset folder written by `mu-data convert`", Effect::kOperational)
      .add("split-seed", &splitSeed, "seed of the train/validation split (reference: 1)")
      .add("val-fraction", &valFraction, "fraction of each class held out for validation")
      .add("train-limit", &trainLimit, "train on the first N training ids only (0: all)")
      .addChoice("augment", &augment, {"auto", "none", "crop-flip", "flip"},
                 "training augmentation; auto: the reference's per dataset (crop+flip for CIFAR, "
                 "none otherwise; RandomResizedCrop+flip for JPEG datasets)");
  stream.registerOptions(table);
  poison.registerOptions(table);
  table.addChoice("arch", &arch, modelNames(), "model architecture")
      .addFlag("imagenet-stem", &imagenetStem, "ResNet 7x7/stride-2 stem with max-pool")
      .add("train-seed", &trainSeed, "seed of the model initialisation")
      .add("epochs", &epochs, "training epochs")
      .add("batch-size", &batchSize, "global batch size over all ranks")
      .add("lr", &lr, "base learning rate")
      .add("momentum", &momentum, "SGD momentum (dampening 0)")
      .add("weight-decay", &weightDecay, "weight decay on every parameter")
      .addChoice("lr-schedule", &lrSchedule, {"multistep", "cosine", "constant"},
                 "learning-rate schedule, stepped per epoch")
      .add("milestones", &milestones, "multistep epochs, comma-separated")
      .add("gamma", &gamma, "multistep factor")
      .add("warmup-epochs", &warmupEpochs, "linear per-iteration warm-up epochs")
      .add("seed", &seed, "seed of the sample order and augmentation")
      .add("rewind-epoch", &rewindEpoch, "save the weights after this many epochs (0: none)");
  addDeviceOption(table, &device);
  addChannelsLastOption(table, &channelsLast);
  table
      .addFlag("cudnn-benchmark", &cudnnBenchmark,
               "GPU: cuDNN autotuning (may change the last bits of results between runs)",
               Effect::kOperational)
      .addFlag("cuda-graphs", &cudaGraphs,
               "GPU: record a training step as a CUDA graph and replay it (one launch per step)",
               Effect::kOperational)
      .addChoice("amp", &amp, {"none", "bf16"},
                 "mixed precision: bf16 autocast of the forward pass (GPU)")
      .addChoice("grad-compression", &gradCompression, {"none", "bf16"},
                 "gradient buckets all-reduced as bf16 (NCCL, GPU)")
      .add("run-dir", &runDir, "run folder (config, checkpoints, metrics)", Effect::kOperational)
      .add("checkpoint-every-steps", &checkpointEverySteps,
           "also checkpoint every N steps inside an epoch (0: epoch ends only)",
           Effect::kOperational)
      .addChoice("bn-stats", &bnStats, {"average", "rank0"},
                 "multi-rank runs: BatchNorm running statistics averaged over the ranks before "
                 "each checkpoint, or rank 0's as DDP saves them")
      .addFlag("quiet", &quiet, "no progress lines", Effect::kOperational);
}

void TrainConfig::validate(int worldSize) const {
  requireOption(!data.empty(), "data", "required: a dataset folder written by mu-data");
  requireOption(!runDir.empty(), "run-dir", "required: the run folder");
  requireOption(epochs > 0, "epochs", "expected a positive number of epochs");
  requireOption(batchSize > 0, "batch-size", "expected a positive batch size");
  requireOption(batchSize % worldSize == 0, "batch-size",
                "expected a multiple of the world size " + std::to_string(worldSize) + ", got " +
                    std::to_string(batchSize));
  requireOption(lr > 0, "lr", "expected a positive learning rate");
  requireOption(momentum >= 0 && momentum < 1, "momentum", "expected a value in [0, 1)");
  requireOption(weightDecay >= 0, "weight-decay", "expected >= 0");
  requireOption(valFraction >= 0 && valFraction < 1, "val-fraction", "expected a value in [0, 1)");
  requireOption(splitSeed >= 0 && splitSeed <= 0xFFFFFFFFLL, "split-seed", "expected [0, 2^32)");
  requireOption(seed >= 0, "seed", "expected >= 0");
  requireOption(trainLimit >= 0, "train-limit", "expected >= 0");
  requireOption(rewindEpoch >= 0 && rewindEpoch <= epochs, "rewind-epoch",
                "expected a value in [0, --epochs]");
  requireOption(checkpointEverySteps >= 0, "checkpoint-every-steps", "expected >= 0");
  validateDeviceChoice(deviceChoice());
  requireOption(amp == "none" || device == "cuda", "amp", "bf16 autocast needs --device cuda");
  requireOption(!cudaGraphs || device == "cuda", "cuda-graphs", "CUDA graphs need --device cuda");
  LrSchedule{scheduleOptions()};  // validates the schedule options
  stream.validate();
  poison.validate();
}

DeviceChoice TrainConfig::deviceChoice() const {
  return {device, channelsLast, cudnnBenchmark, gradCompression};
}

LrScheduleOptions TrainConfig::scheduleOptions() const {
  LrScheduleOptions options;
  options.kind = lrSchedule;
  options.baseLr = lr;
  options.milestones = parseMilestones(milestones, "--milestones");
  options.gamma = gamma;
  options.totalEpochs = epochs;
  options.warmupEpochs = warmupEpochs;
  return options;
}

}  // namespace mu
