#pragma once
// The options of an unlearning run that every method shares: the original model, the forget
// request, the data and the run folder. Each method's own hyper-parameters are its own options
// (method_registry.h).

#include <cstdint>
#include <string>

#include "pipeline/cli/option_table.h"
#include "pipeline/data/forget_set.h"
#include "pipeline/data/stream_options.h"

namespace mu {

struct UnlearnConfig {
  std::string data;      // dataset folder written by mu-data (identified by content, not path)
  StreamOptions stream;  // how JPEG datasets are decoded and cut
  std::string original;  // the checkpoint to unlearn (a mu-train or mu-prune model)
  std::string runDir;
  std::string method = "ft";
  std::string forget = "class";  // class | random | ids | poisoned
  ClassList forgetClasses;       // class: one class, or several
  int64_t forgetCount = 0;       // random: n; class: 0 = the whole classes
  std::string forgetIds;         // ids: a file of train row ids
  int64_t seed = 2;              // the reference's unlearning seed (forget draw: seed - 1)
  // The reference rebuilds the train/validation split with --seed, not the training run's split
  // seed (docs/reference-behaviour.md §3.3): ~10 % of D_r and D_f were then never trained on. Off
  // by default.
  bool referenceSplitSeed = false;
  // clean | reference: the reference code's behaviour wherever ours differs
  // (reference_protocol.h); --reference-split-seed alone is its first rule.
  std::string protocol = "clean";
  int64_t batchSize = 256;       // global, over all ranks
  std::string augment = "auto";  // as mu-train: the reference unlearns on augmented data
  int64_t checkpointEverySteps = 0;
  std::string device = "cpu";  // cpu | cuda (the GPU of the node-local rank)
  bool channelsLast = false;   // NHWC weights and batches
  bool finalAccuracy = false;  // score D_f, D_r and D_te after unlearning (mu-evaluate's work)
  bool quiet = false;

  void registerOptions(OptionTable& table);
  void validate(int worldSize) const;
  ForgetRequest forgetRequest() const;
  bool referenceProtocol() const { return protocol == "reference"; }
};

}  // namespace mu
