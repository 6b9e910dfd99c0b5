#include "pipeline/evaluation/evaluate_config.h"

#include "pipeline/distributed/device_placement.h"
#include "pipeline/error.h"
#include "pipeline/unlearning/unlearn_run_files.h"

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
      .add("m-entropy", &mEntropy,
           "song-mittal (correct modified entropy) | reference-buggy (the reference's SVC_MIA.py)")
      .add("batch-size", &batchSize, "inference batch size", Effect::kOperational)
      .add("threads", &threads, "LibTorch threads per rank (0: the node's cores / local ranks)",
           Effect::kOperational)
      .addFlag("force", &force, "recompute even if the results file is up to date",
               Effect::kOperational)
      .addFlag("quiet", &quiet, "no summary line", Effect::kOperational);
  addDeviceOption(table, &device);
}

void EvaluateConfig::resolve() {
  if (!unlearnDir.empty()) {
    if (checkpoint.empty()) checkpoint = unlearn_files::model(unlearnDir);
    if (forgetSet.empty()) forgetSet = unlearn_files::forgetSet(unlearnDir);
    if (out.empty()) out = unlearn_files::evaluation(unlearnDir);
  }
  requireOption(!data.empty(), "data", "required: a dataset folder written by mu-data");
  requireOption(!checkpoint.empty(), "checkpoint", "required (or --unlearn-dir)");
  requireOption(!forgetSet.empty(), "forget-set", "required (or --unlearn-dir)");
  requireOption(!out.empty(), "out", "required without --unlearn-dir: the results JSON path");
  requireOption(batchSize > 0, "batch-size", "expected a positive batch size");
  requireOption(threads >= 0, "threads", "expected >= 0");
  validateDeviceChoice({device});
  modifiedEntropyFormula();  // validates the name
}

ModifiedEntropyFormula EvaluateConfig::modifiedEntropyFormula() const {
  if (mEntropy == "song-mittal") return ModifiedEntropyFormula::kSongMittal;
  if (mEntropy == "reference-buggy") return ModifiedEntropyFormula::kReferenceBuggy;
  throw InputError("--m-entropy", "value",
                   "song-mittal or reference-buggy, got '" + mEntropy + "'");
}

}  // namespace mu
