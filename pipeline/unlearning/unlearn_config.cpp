#include "pipeline/unlearning/unlearn_config.h"

#include "pipeline/base/error.h"
#include "pipeline/distributed/device_placement.h"
#include "pipeline/unlearning/method_registry.h"

namespace mu {

void UnlearnConfig::registerOptions(OptionTable& table) {
  using Effect = OptionTable::Effect;
  table.add("data", &data, "dataset folder written by `mu-data convert`", Effect::kOperational)
      .add("original", &original,
           "the model to unlearn: a checkpoint of mu-train or mu-prune (its masks are kept)",
           Effect::kOperational)
      .add("run-dir", &runDir, "run folder (forget set, checkpoints, results)",
           Effect::kOperational)
      .addChoice("method", &method, unlearningMethodNames(),
                 "unlearning method (each has its own --<method>-* options)")
      .addChoice("forget", &forget, {"class", "random", "ids", "poisoned"},
                 "what to forget: classes (--forget-class), random samples (--forget-count), "
                 "the ids in a file (--forget-ids) or the samples a backdoored original was "
                 "poisoned with (its --poison-* options)")
      .add("forget-class", &forgetClasses,
           "the class forgotten with --forget class, or several: 1,4,7")
      .add("forget-count", &forgetCount,
           "random: samples forgotten; class: 0 for the whole classes, else that many of them")
      .add("forget-ids", &forgetIds, "file of train row ids to forget, one per line")
      .add("seed", &seed,
           "unlearning seed: sample order, augmentation, noise; the forget draw uses seed - 1")
      .addFlag("reference-split-seed", &referenceSplitSeed,
               "rebuild the train/validation split with --seed as the reference does "
               "(docs/reference-behaviour.md §3.3); default: the original model's own split")
      .addChoice("protocol", &protocol, {"clean", "reference"},
                 "reference: the paper's code where our defaults differ (its split seed, test "
                 "filter, FF rows, augmented FF/IU statistics; docs/reference-behaviour.md §12)")
      .add("batch-size", &batchSize, "global batch size over all ranks")
      .addChoice("augment", &augment, {"auto", "none", "crop-flip", "flip"},
                 "the unlearning data's augmentation, as mu-train's")
      .add("checkpoint-every-steps", &checkpointEverySteps,
           "also checkpoint every N steps inside an epoch (0: epoch ends only)",
           Effect::kOperational)
      .addFlag("final-accuracy", &finalAccuracy,
               "also score D_f, D_r and the test set once unlearned (mu-evaluate scores them "
               "anyway, with the attacks, so by default they are left to it)",
               Effect::kOperational)
      .addFlag("quiet", &quiet, "no progress lines", Effect::kOperational);
  stream.registerOptions(table);
  addDeviceOption(table, &device);
  addChannelsLastOption(table, &channelsLast);
}

void UnlearnConfig::validate(int worldSize) const {
  requireOption(!data.empty(), "data", "required: a dataset folder written by mu-data");
  requireOption(!original.empty(), "original", "required: the checkpoint to unlearn");
  requireOption(!runDir.empty(), "run-dir", "required: the run folder");
  stream.validate();
  requireOption(forgetCount >= 0, "forget-count", "expected >= 0");
  requireOption(batchSize > 0 && batchSize % worldSize == 0, "batch-size",
                "a positive multiple of the world size " + std::to_string(worldSize));
  requireOption(seed >= 1 && seed <= 0x100000000LL, "seed",
                "a seed in [1, 2^32] (the draw uses seed - 1)");
  requireOption(checkpointEverySteps >= 0, "checkpoint-every-steps", "expected >= 0");
  validateDeviceChoice({device, channelsLast});
}

ForgetRequest UnlearnConfig::forgetRequest() const {
  ForgetRequest request;
  request.mode = forget;
  request.forgetClasses = forgetClasses;
  request.count = forgetCount;
  request.seed = seed;
  request.idsFile = forgetIds;
  return request;
}

}  // namespace mu
