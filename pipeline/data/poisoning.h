#pragma once
// A backdoor (Trojan) attack as a transformation of the training data, never a code path
// (docs/reference-behaviour.md §9.1): n training samples, drawn as the random forget set is drawn,
// get a square trigger stamped on them and the target label. Training, pruning and unlearning read
// the same shards as ever and apply the transformation the run's options name, so a poisoned run
// is recorded by its configuration and rebuilt from it bit for bit.
//
// The reference's trigger is a 4 x 4 patch of zeros ending 2 pixels from the bottom-right corner
// (`data[:, -2-s:-2, -2-s:-2, :] *= 0`), stamped before augmentation, in every channel.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/cli/option_table.h"
#include "pipeline/data/shard_reader.h"

namespace mu {

struct TriggerPatch {
  int64_t size = 4;    // side in pixels
  int64_t margin = 2;  // pixels between the patch and the bottom and right edges
  int64_t value = 0;   // what every pixel of the patch becomes, in every channel (0..255)

  // Stamps the patch on uint8 [N, C, H, W] images in place. InputError naming --trigger-size when
  // the patch does not fit an H x W image.
  void stamp(torch::Tensor& images) const;
};

struct PoisonOptions {
  int64_t count = 0;    // samples poisoned, drawn as --forget random draws (0: none)
  std::string idsFile;  // or: the train row ids in this file
  int64_t target = 0;   // the label poisoned samples get (the reference's --class_to_replace)
  int64_t seed = 2;     // the draw uses numpy's RandomState(seed - 1), as the forget draw
  TriggerPatch trigger;

  bool enabled() const { return count > 0 || !idsFile.empty(); }
  void registerOptions(OptionTable& table);
  void validate() const;  // InputError naming the option
  // The options as a run's configuration records them (option name -> value); a configuration
  // without them (older runs, runs of other tools) is an unpoisoned one.
  static PoisonOptions fromRunOptions(const nlohmann::json& options);
};

// The poisoned rows of one training split.
struct Poisoning {
  PoisonOptions options;
  std::vector<int64_t> ids;  // train row ids, ascending

  bool enabled() const { return options.enabled(); }
};

// Draws the poisoned ids from D_tr (`split.trainIds`) of `train`: n of them with --poison-count,
// the file's with --poison-ids. InputError naming the option or the file (as the forget set's).
Poisoning selectPoisoning(const PoisonOptions& options, const LoadedSplit& train,
                          const TrainValSplit& split);

// A copy of `split` whose `rows` carry the trigger and `target` as their label; `split` is left as
// it was. InputError naming the dataset when its images are streamed (JPEG shards) rather than
// held in memory.
LoadedSplit poisonRows(const LoadedSplit& split, const std::vector<int64_t>& rows,
                       const Poisoning& poisoning);
// Every row triggered, labels kept: the test set an attack success rate is measured on.
LoadedSplit triggerAll(const LoadedSplit& split, const Poisoning& poisoning);

// {"target", "trigger": {"size", "margin", "value"}, "count", "seed", "ids_file", "ids"}; `where`
// names the file a document was read from in InputErrors.
nlohmann::json poisoningJson(const Poisoning& poisoning);
Poisoning poisoningFromJson(const nlohmann::json& document, const std::string& where);

}  // namespace mu
