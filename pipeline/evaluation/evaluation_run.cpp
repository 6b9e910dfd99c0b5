#include "pipeline/evaluation/evaluation_run.h"

#include <optional>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/data/shard_reader.h"
#include "pipeline/distributed/device.h"
#include "pipeline/evaluation/evaluation_report.h"
#include "pipeline/evaluation/evaluation_results.h"
#include "pipeline/io/file_digest.h"
#include "pipeline/io/json_file.h"
#include "pipeline/masks/masks.h"
#include "pipeline/masks/sparsity_report.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/runs/run_folder.h"

namespace mu {
namespace {

using nlohmann::json;

void requireSameDataset(const std::string& file, const std::string& field, const std::string& found,
                        const std::string& expected, const std::string& expectedWhere) {
  if (found != expected)
    throw InputError(file, field,
                     "dataset '" + expected + "' (" + expectedWhere + "), found '" + found + "'");
}

// What an unlearning run's results.json says about how the model was made.
struct UnlearnRun {
  std::string method;
  double rteSeconds = 0;
  // A backdoor cleanse: the original's clean test accuracy and attack success before unlearning.
  std::optional<double> originalTestAccuracy;
  std::optional<double> originalAttackSuccess;
  std::string protocol = "clean";  // mu-unlearn --protocol (absent from older runs: clean)
};

std::optional<double> numberAt(const json& document, const json::json_pointer& pointer) {
  if (!document.contains(pointer) || !document[pointer].is_number()) return std::nullopt;
  return document[pointer].get<double>();
}

UnlearnRun readUnlearnRun(const std::string& dir) {
  const std::string path = runs::UnlearnFolder(dir).results();
  const json results = readJsonFile(path);
  UnlearnRun run;
  if (!results.contains("method") || !results["method"].is_string())
    throw InputError(path, "method", "the unlearning method's name (a finished mu-unlearn run)");
  if (!results.contains("RTE_s") || !results["RTE_s"].is_number())
    throw InputError(path, "RTE_s", "the unlearning run time in seconds");
  run.method = results["method"].get<std::string>();
  run.rteSeconds = results["RTE_s"].get<double>();
  run.originalTestAccuracy =
      numberAt(results, json::json_pointer("/backdoor/before/clean_test_accuracy"));
  run.originalAttackSuccess = numberAt(results, json::json_pointer("/backdoor/before/ASR"));
  if (results.contains("protocol") && results["protocol"].is_string()) {
    run.protocol = results["protocol"].get<std::string>();
  }
  return run;
}

// The checkpoint says; one written before it said keeps it in its training configuration.
bool imagenetStemOf(const CheckpointMeta& meta) {
  if (meta.imagenetStem) return true;
  if (meta.configJson.empty()) return false;
  const json config = json::parse(meta.configJson, nullptr, /*allow_exceptions=*/false);
  if (!config.is_object()) return false;
  const auto stem = config.find("imagenet-stem");
  return stem != config.end() && stem->is_boolean() && stem->get<bool>();
}

}  // namespace

EvaluationOutcome runEvaluation(const EvaluateConfig& config, const OptionTable& table,
                                Communicator& comm) {
  // Everything small is read and cross-checked first, on every rank (they read the same files
  // and so fail together).
  EvaluatedModel model;
  model.meta = readCheckpointMeta(config.checkpoint);
  model.checkpointPath = config.checkpoint;
  model.forgetSet = readForgetSet(config.forgetSet);
  model.mEntropy = config.mEntropy;
  model.evaluationWorldSize = comm.size();
  const DatasetManifest manifest = readManifest(config.data);
  const std::string manifestPath = runs::DatasetFolder(config.data).manifest();
  requireSameDataset(config.forgetSet, "dataset", model.forgetSet.dataset, manifest.dataset,
                     manifestPath);
  requireSameDataset(config.checkpoint, "dataset", model.meta.dataset, manifest.dataset,
                     manifestPath);
  if (model.meta.numClasses != manifest.numClasses)
    throw InputError(config.checkpoint, "num_classes",
                     std::to_string(manifest.numClasses) + " classes (" + manifestPath +
                         "), found " + std::to_string(model.meta.numClasses));
  std::optional<UnlearnRun> unlearnRun;
  if (!config.unlearnDir.empty()) {
    unlearnRun = readUnlearnRun(config.unlearnDir);
    model.method = unlearnRun->method;
    model.rteSeconds = unlearnRun->rteSeconds;
    model.originalTestAccuracy = unlearnRun->originalTestAccuracy;
    model.originalAttackSuccess = unlearnRun->originalAttackSuccess;
    model.protocol = unlearnRun->protocol;
  }

  model.inputs = {{"checkpoint_sha256", sha256OfFile(config.checkpoint)},
                  {"forget_set_sha256", sha256OfFile(config.forgetSet)},
                  {"data_source_sha256", manifest.sourceSha256},
                  {"method", model.method},
                  {"RTE_s", model.rteSeconds ? json(*model.rteSeconds) : json(nullptr)},
                  {"options", table.resultAffectingJson()}};
  if (!config.force) {
    if (std::optional<json> stored = upToDateResults(config.out, model.inputs))
      return {std::move(*stored), true};
  }

  // A backdoored model is evaluated on the training set it was trained on: its poisoned rows
  // carry the trigger and the target label.
  const LoadedSplit train = poisonRows(loadSplit(config.data, "train", config.stream),
                                       model.forgetSet.poisoning.ids, model.forgetSet.poisoning);
  const LoadedSplit test = loadSplit(config.data, "test", config.stream);
  checkEvaluationInputs(model.forgetSet, train, test, config.forgetSet, config.data);

  const ModelSpec spec{model.meta.arch,   manifest.numClasses,
                       manifest.channels, imagenetStemOf(model.meta),
                       manifest.mean,     manifest.std};
  std::shared_ptr<Classifier> classifier = makeModel(spec);
  TensorMap masks;
  loadCheckpoint(config.checkpoint, *classifier, &masks, nullptr,
                 {model.meta.arch, manifest.numClasses});
  // Pruned weights are exactly zero, as PyTorch's weight_orig * mask makes them.
  applyMasks(*classifier, masks);
  // Inference only: probabilities come back to the host and are summed over MPI, so no NCCL.
  const torch::Device device = resolveDevice(config.device);
  placeModel(*classifier, device);
  model.device = device.str();
  model.sparsityPercent = 100.0 * sparsityReport(*classifier, masks).sparsity();

  EvaluationOptions options;
  options.batchSize = config.batchSize;
  options.mia.modifiedEntropy = config.modifiedEntropyFormula();
  options.mia.sampleLimit = config.miaSampleLimit;
  const EvaluationMetrics metrics =
      evaluateModel(*classifier, train, test, model.forgetSet, comm, options);

  EvaluationOutcome outcome;
  outcome.results = evaluationResultsJson(model, metrics);
  if (comm.rank() == 0) writeJsonFile(config.out, outcome.results);
  comm.barrier();
  return outcome;
}

}  // namespace mu
