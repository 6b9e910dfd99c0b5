#include "pipeline/transfer/transfer_config.h"

#include "pipeline/base/error.h"

namespace mu {

TransferConfig::TransferConfig() {
  // A trained model is fitted, not trained from scratch: a few epochs, a small learning rate
  // decaying to zero, no rewind checkpoint (nothing prunes a transfer run).
  train.epochs = 10;
  train.lr = 0.01;
  train.lrSchedule = "cosine";
  train.rewindEpoch = 0;
}

void TransferConfig::registerOptions(OptionTable& table) {
  using Effect = OptionTable::Effect;
  table
      .add("from", &from,
           "the source model: a checkpoint of mu-train, mu-prune or mu-unlearn (its features, "
           "and its masks unless --masks drop)",
           Effect::kOperational)
      .addChoice("mode", &mode, {"linear-probe", "fine-tune"},
                 "linear-probe: a new classifier on frozen features (BatchNorm statistics "
                 "included); fine-tune: every weight trains")
      .addChoice("masks", &masks, {"keep", "drop"},
                 "keep: pruned weights stay zero on the target; drop: fine-tuning may regrow them");
  train.registerOptions(table);
}

void TransferConfig::validate(const ParsedCommandLine& parsed, int worldSize) {
  requireOption(!from.empty(), "from", "required: the checkpoint to transfer");
  source_ = readCheckpointMeta(from);
  if (parsed.given("arch") && train.arch != source_.arch) {
    throw InputError(
        "--arch", "value",
        "the source model's " + source_.arch + " (or leave it out), got " + train.arch);
  }
  if (parsed.given("imagenet-stem") && !source_.imagenetStem) {
    throw InputError("--imagenet-stem", "value", "left out: " + from + " has no ImageNet stem");
  }
  train.arch = source_.arch;
  train.imagenetStem = source_.imagenetStem;
  train.validate(worldSize);
}

}  // namespace mu
