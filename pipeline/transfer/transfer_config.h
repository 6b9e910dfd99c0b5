#pragma once
// The options of a transfer run (mu-transfer): the source checkpoint, how it is fitted to the
// target dataset, and the target task's training options, which are mu-train's with defaults
// suited to fitting a trained model (a short cosine schedule at a small learning rate).

#include <string>

#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/cli/option_table.h"
#include "pipeline/training/train_config.h"

namespace mu {

struct TransferConfig {
  std::string from;                   // the source checkpoint: original, pruned or unlearned
  std::string mode = "linear-probe";  // linear-probe (frozen features) | fine-tune (everything)
  std::string masks = "keep";         // keep | drop: the source's pruning masks on the target
  TrainConfig train;                  // the target task's; --arch comes from the source

  TransferConfig();
  void registerOptions(OptionTable& table);
  // InputErrors naming the option; reads the source checkpoint's metadata (every rank), takes
  // its architecture and refuses an --arch or --imagenet-stem that contradicts it.
  void validate(const ParsedCommandLine& parsed, int worldSize);

  bool linearProbe() const { return mode == "linear-probe"; }
  const CheckpointMeta& source() const { return source_; }

 private:
  CheckpointMeta source_;
};

}  // namespace mu
