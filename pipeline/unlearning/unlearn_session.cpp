#include "pipeline/unlearning/unlearn_session.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/checkpoint/checkpoint_schema.h"
#include "pipeline/code_version.h"
#include "pipeline/distributed/device_placement.h"
#include "pipeline/error.h"
#include "pipeline/json_file.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/pruning/masks.h"
#include "pipeline/pruning/sparsity_report.h"
#include "pipeline/shard_schema.h"
#include "pipeline/training/evaluation.h"
#include "pipeline/training/train_session.h"
#include "pipeline/unlearning/unlearn_run_files.h"
#include "pipeline/validation_split.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What the original checkpoint says about the run that trained it.
struct OriginalModel {
  CheckpointMeta meta;
  json trainingOptions;  // its config's options (split seed, train seed, ...)
  ModelSpec spec;

  template <typename T>
  T option(const char* name, T fallback) const {
    return trainingOptions.is_object() ? trainingOptions.value(name, fallback) : fallback;
  }
};

OriginalModel readOriginal(const UnlearnConfig& config, const DatasetManifest& manifest) {
  OriginalModel original;
  original.meta = readCheckpointMeta(config.original);
  if (original.meta.dataset != manifest.dataset) {
    throw InputError(config.original, "dataset",
                     "a model of " + manifest.dataset + " (the --data folder), got one of " +
                         original.meta.dataset);
  }
  if (original.meta.numClasses != manifest.numClasses) {
    throw InputError(config.original, "num_classes",
                     std::to_string(manifest.numClasses) + " classes as in --data");
  }
  try {
    original.trainingOptions = json::parse(original.meta.configJson);
  } catch (const json::exception&) {
    original.trainingOptions = json::object();  // a checkpoint of another tool: defaults
  }
  original.spec = ModelSpec{original.meta.arch, manifest.numClasses,
                            manifest.channels,  original.option("imagenet-stem", false),
                            manifest.mean,      manifest.std};
  return original;
}

// A string field of a run's own original.json, or an InputError naming the file and the field.
std::string savedOriginalField(const json& saved, const std::string& path, const char* key) {
  const auto found = saved.find(key);  // end() for a document that is not an object
  if (found == saved.end() || !found->is_string()) {
    throw InputError(path, key, "a string, as this run wrote it when it started");
  }
  return found->get<std::string>();
}

// A resumed run must unlearn the same original model it started with.
void checkOrRecordOriginal(const std::string& runDir, const UnlearnConfig& config,
                           const OriginalModel& original, Communicator& comm) {
  const std::string path = unlearn_files::join(runDir, "original.json");
  json now;
  now["path"] = fs::absolute(config.original).lexically_normal().string();
  now["config_hash"] = original.meta.configHash;
  now["created_utc"] = original.meta.createdUtc;
  now["kind"] = original.meta.kind;
  if (fs::exists(path)) {
    const json saved = readJsonFile(path);
    if (savedOriginalField(saved, path, "config_hash") != original.meta.configHash ||
        savedOriginalField(saved, path, "created_utc") != original.meta.createdUtc) {
      throw InputError(path, "original",
                       "the same original checkpoint as before (" +
                           savedOriginalField(saved, path, "path") + "); --original now names " +
                           "another (" + now["path"].get<std::string>() + ")");
    }
  }
  comm.barrier();
  if (comm.rank() == 0 && !fs::exists(path)) writeJsonFile(path, now);
  comm.barrier();
}

void checkOrWriteForgetSet(const std::string& path, const ForgetSet& set, Communicator& comm) {
  if (fs::exists(path)) {
    const ForgetSet saved = readForgetSet(path);
    if (saved.forgetIds != set.forgetIds || saved.retainIds != set.retainIds) {
      throw InputError(path, "forget_ids", "the forget set this run folder was started with");
    }
  }
  comm.barrier();
  if (comm.rank() == 0 && !fs::exists(path)) writeForgetSet(path, set);
  comm.barrier();
}

CheckpointMeta checkpointMeta(const OriginalModel& original, const OptionTable& table,
                              const char* kind, int worldSize) {
  CheckpointMeta meta;
  meta.arch = original.meta.arch;
  meta.dataset = original.meta.dataset;
  meta.numClasses = original.meta.numClasses;
  meta.inChannels = original.meta.inChannels;
  meta.kind = kind;
  meta.worldSize = worldSize;
  meta.configJson = table.toJson().dump();
  meta.configHash = table.configHash();
  return meta;
}

double accuracyOn(Classifier& model, const LoadedSplit& split, const std::vector<int64_t>& rows,
                  Communicator& comm) {
  return evaluateAccuracy(model, split.images, split.labels, rows, comm).percent();
}

}  // namespace

UnlearnRunOutcome runUnlearning(const UnlearnConfig& config, UnlearningMethod& method,
                                const OptionTable& table, Communicator& comm) {
  const std::string& dir = config.runDir;
  const DatasetManifest manifest = readManifest(config.data);
  const OriginalModel original = readOriginal(config, manifest);
  const ExpectedModel expected{original.meta.arch, manifest.numClasses};

  // D_r and D_f come from the original model's own train/validation split unless the
  // reference's split-seed quirk is asked for.
  const auto trainSplitSeed = original.option<int64_t>("split-seed", 1);
  const double valFraction = original.option("val-fraction", 0.1);
  const auto splitSeed =
      static_cast<uint32_t>(config.referenceSplitSeed ? config.seed : trainSplitSeed);
  const LoadedSplit train = loadSplit(config.data, "train");
  TrainValSplit split = loadValidationSplit(config.data, train, splitSeed, valFraction);
  // D_r and D_f partition what the original model was trained on: with mu-train's --train-limit
  // that is the first N training ids only (rows it never saw are neither forgotten nor retained).
  const auto trainLimit = original.option<int64_t>("train-limit", 0);
  limitTrainingIds(split, trainLimit);
  const ForgetSet forgetSet =
      selectForgetSet(config.forgetRequest(), train, split, splitSeed, valFraction);

  // The model: the original's weights and masks, or (retrain) the initial weights under them.
  torch::manual_seed(static_cast<uint64_t>(original.option<int64_t>("train-seed", 1)));
  std::shared_ptr<Classifier> model = makeModel(original.spec);
  TensorMap masks;
  if (method.startsFromInitialWeights()) {
    std::shared_ptr<Classifier> scratch = makeModel(original.spec);
    loadCheckpoint(config.original, *scratch, &masks, nullptr, expected);
  } else {
    loadCheckpoint(config.original, *model, &masks, nullptr, expected);
  }
  applyMasks(*model, masks);
  // On a GPU the methods' gradients and statistics are summed over NCCL.
  DevicePlacement placement(*model, comm, {config.device});
  Communicator& tensorComm = placement.comm();

  // Everything is checked: now the run folder.
  if (comm.rank() == 0) fs::create_directories(dir);
  comm.barrier();
  checkOrWriteRunConfig(dir, table, comm);
  checkOrRecordOriginal(dir, config, original, comm);
  checkOrWriteForgetSet(unlearn_files::forgetSet(dir), forgetSet, comm);

  UnlearnRunOutcome outcome;
  if (fs::exists(unlearn_files::results(dir))) {
    outcome.alreadyComplete = true;
    outcome.results = readJsonFile(unlearn_files::results(dir));
    return outcome;
  }

  ProgressReporter progress("unlearn", comm.rank() == 0 && !config.quiet);
  UnlearnContext context(*model, tensorComm, train, forgetSet, progress);
  context.masks = masks;
  context.augment = augmentationFor(config.augment, manifest.dataset);
  context.batchSize = config.batchSize;
  context.seed = static_cast<uint64_t>(config.seed);
  context.checkpointEverySteps = config.checkpointEverySteps;

  // Resume an iterative method from its last progress checkpoint; one-shot methods start over.
  double earlierSeconds = 0;
  const std::string progressPath = unlearn_files::progressCheckpoint(dir);
  if (method.iterative() && isCompleteCheckpoint(progressPath)) {
    TrainingState state;
    const CheckpointMeta saved = loadCheckpoint(progressPath, *model, nullptr, &state, expected);
    context.resume.epoch = static_cast<int64_t>(saved.numbers.at("next_epoch"));
    context.resume.step = static_cast<int64_t>(saved.numbers.at("next_step"));
    context.resume.momentum = state.momentum;
    earlierSeconds = saved.numbers.at("unlearn_seconds");
    if (comm.rank() == 0 && !config.quiet) {
      std::fprintf(stderr, "[unlearn] resuming %s at epoch %lld step %lld\n", dir.c_str(),
                   static_cast<long long>(context.resume.epoch + 1),
                   static_cast<long long>(context.resume.step));
    }
  }
  context.saveProgress = [&](const ProgressReport& report) {
    const double seconds = earlierSeconds + comm.allReduceMax(report.unlearnSeconds);
    if (comm.rank() != 0) return;
    CheckpointMeta meta = checkpointMeta(original, table, checkpoint::kKindTrain, comm.size());
    meta.epoch = report.nextEpoch;
    meta.numbers["next_epoch"] = static_cast<double>(report.nextEpoch);
    meta.numbers["next_step"] = static_cast<double>(report.nextStep);
    meta.numbers["unlearn_seconds"] = seconds;
    TrainingState state{report.sgd ? report.sgd->momentum() : TensorMap{}, {}, {}};
    saveCheckpoint(progressPath, *model, masks, &state, meta);
  };

  const UnlearnOutcome unlearned = method.run(context);
  if (unlearned.stopped) {
    outcome.stopped = true;
    return outcome;
  }
  const double rteSeconds = earlierSeconds + unlearned.seconds;

  // The stage's own report of what it did (mu-evaluate computes the paper's metrics).
  const LoadedSplit test = loadSplit(config.data, "test");
  json results;
  results["method"] = method.name();
  results["method_options"] = method.optionsJson();
  results["RTE_s"] = rteSeconds;
  results["world_size"] = comm.size();
  results["threads_per_rank"] = torch::get_num_threads();
  results["device"] = placement.device().str();
  results["backend"] = tensorComm.backendName();
  results["forget"] = {{"mode", config.forget},
                       {"class", config.forgetClass},
                       {"count", config.forgetCount},
                       {"forget_samples", forgetSet.forgetIds.size()},
                       {"retain_samples", forgetSet.retainIds.size()},
                       {"split_seed", splitSeed},
                       {"train_limit", trainLimit}};
  results["forget_accuracy"] = accuracyOn(*model, train, forgetSet.forgetIds, tensorComm);
  results["retain_accuracy"] = accuracyOn(*model, train, forgetSet.retainIds, tensorComm);
  results["test_accuracy"] = accuracyOn(*model, test, forgetSet.testRows(test.labels), tensorComm);
  results["sparsity_percent"] = 100.0 * sparsityReport(*model, masks).sparsity();
  results["epochs"] = unlearned.epochsDone;
  results["summary"] = unlearned.summary;
  results["seed"] = config.seed;
  results["original"] = readJsonFile(unlearn_files::join(dir, "original.json"));
  results["config_hash"] = table.configHash();
  results["code_version"] = codeVersion();
  if (comm.rank() == 0) {
    saveCheckpoint(unlearn_files::model(dir), *model, masks, nullptr,
                   checkpointMeta(original, table, checkpoint::kKindUnlearned, comm.size()));
    writeJsonFile(unlearn_files::results(dir), results);
  }
  comm.barrier();
  outcome.results = results;
  return outcome;
}

}  // namespace mu
