#include "pipeline/evaluation/evaluate_config.h"

#include "pipeline/base/error.h"
#include "pipeline/distributed/device_placement.h"
#include "pipeline/runs/run_folder.h"

namespace mu {

void EvaluateConfig::registerOptions(OptionTable& table) {
  using Effect = OptionTable::Effect;
  // The model and the lists are identified by their digests in the results file, not by path,
  // so every path is operational; the m-entropy formula alone changes the numbers.
  table.add("data", &data, "dataset folder written by `mu-data convert`", Effect::kOperational)
      .add("checkpoint", &checkpoint,
           "model checkpoint to evaluate (original dense/sparse or unlearned)",
           Effect::kOperational)
      .add("forget-set", &forgetSet, "forget_set.json naming D_f, D_r and D_val",
           Effect::kOperational)
      .add("unlearn-dir", &unlearnDir,
           "unlearning run folder: checkpoint unlearned.h5, forget_set.json, RTE from "
           "results.json, output evaluation.json",
           Effect::kOperational)
      .add("out", &out, "results JSON (default with --unlearn-dir: <dir>/evaluation.json)",
           Effect::kOperational)
      .addChoice("m-entropy", &mEntropy, {"song-mittal", "reference-buggy"},
                 "the modified-entropy feature: song-mittal (the correct formula) or "
                 "reference-buggy (the reference's SVC_MIA.py)")
      .add("batch-size", &batchSize, "inference batch size", Effect::kOperational)
      .add("mia-sample-limit", &miaSampleLimit,
           "the SVC attacks use only the first N samples of D_r and of D_te (0: all; the "
           "reference's ImageNet evaluation: 10000)")
      .addFlag("force", &force, "recompute even if the results file is up to date",
               Effect::kOperational)
      .addFlag("quiet", &quiet, "no summary line", Effect::kOperational);
  stream.registerOptions(table);
  addDeviceOption(table, &device);
}

void EvaluateConfig::resolve() {
  if (!unlearnDir.empty()) {
    const runs::UnlearnFolder folder(unlearnDir);
    if (checkpoint.empty()) checkpoint = folder.model();
    if (forgetSet.empty()) forgetSet = folder.forgetSet();
    if (out.empty()) out = folder.evaluation();
  }
  requireOption(!data.empty(), "data", "required: a dataset folder written by mu-data");
  requireOption(!checkpoint.empty(), "checkpoint", "required (or --unlearn-dir)");
  requireOption(!forgetSet.empty(), "forget-set", "required (or --unlearn-dir)");
  requireOption(!out.empty(), "out", "required without --unlearn-dir: the results JSON path");
  requireOption(batchSize > 0, "batch-size", "expected a positive batch size");
  requireOption(miaSampleLimit == 0 || miaSampleLimit >= 4, "mia-sample-limit",
                "expected 0 (all) or at least 4 samples");
  validateDeviceChoice({device});
  modifiedEntropyFormula();  // validates the name
  stream.validate();
}

ModifiedEntropyFormula EvaluateConfig::modifiedEntropyFormula() const {
  if (mEntropy == "song-mittal") return ModifiedEntropyFormula::kSongMittal;
  if (mEntropy == "reference-buggy") return ModifiedEntropyFormula::kReferenceBuggy;
  throw InputError("--m-entropy", "value",
                   "song-mittal or reference-buggy, got '" + mEntropy + "'");
}

}  // namespace mu
