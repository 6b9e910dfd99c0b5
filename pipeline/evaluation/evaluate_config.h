#pragma once
// Every option of mu-evaluate, declared once. --unlearn-dir is a shortcut that fills in the
// checkpoint, the forget set and the output path from an unlearning run folder
// (runs/run_folder.h); resolve() turns either form into concrete paths.

#include <cstdint>
#include <string>

#include "pipeline/cli/option_table.h"
#include "pipeline/data/stream_options.h"
#include "pipeline/evaluation/mia_features.h"

namespace mu {

struct EvaluateConfig {
  std::string data;                      // dataset folder written by mu-data
  StreamOptions stream;                  // how JPEG datasets are decoded and cut
  std::string checkpoint;                // any model checkpoint (mu-train, mu-prune, mu-unlearn)
  std::string forgetSet;                 // forget_set.json
  std::string unlearnDir;                // an unlearning run folder: all three of the above and RTE
  std::string out;                       // results JSON
  std::string mEntropy = "song-mittal";  // song-mittal | reference-buggy
  int64_t batchSize = 512;               // inference batch (global, see model_predictions.h)
  int64_t miaSampleLimit = 0;            // > 0: the attacks use the first N of D_r and D_te
  std::string device = "cpu";            // cpu | cuda (the GPU of the node-local rank)
  bool force = false;
  bool quiet = false;

  void registerOptions(OptionTable& table);
  // Fills checkpoint / forget set / out from --unlearn-dir where they were not given, then
  // checks that every required path is known. InputError naming the option otherwise.
  void resolve();
  ModifiedEntropyFormula modifiedEntropyFormula() const;
};

}  // namespace mu
