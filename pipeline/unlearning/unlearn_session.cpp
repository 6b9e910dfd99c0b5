#include "pipeline/unlearning/unlearn_session.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "pipeline/base/code_version.h"
#include "pipeline/base/error.h"
#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/checkpoint/checkpoint_schema.h"
#include "pipeline/data/shard_schema.h"
#include "pipeline/data/validation_split.h"
#include "pipeline/distributed/device.h"
#include "pipeline/distributed/device_placement.h"
#include "pipeline/inference/accuracy.h"
#include "pipeline/inference/attack_success.h"
#include "pipeline/io/json_file.h"
#include "pipeline/masks/masks.h"
#include "pipeline/masks/sparsity_report.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/runs/run_config.h"
#include "pipeline/runs/run_folder.h"
#include "pipeline/training/train_session.h"
#include "pipeline/unlearning/reference_protocol.h"

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
  original.spec = ModelSpec{
      original.meta.arch, manifest.numClasses,
      manifest.channels,  original.meta.imagenetStem || original.option("imagenet-stem", false),
      manifest.mean,      manifest.std};
  return original;
}

// A resumed run must unlearn the same original model it started with.
void checkOrRecordOriginal(const runs::UnlearnFolder& folder, const UnlearnConfig& config,
                           const OriginalModel& original, Communicator& comm) {
  runs::InputRecord record;
  record.path = folder.original();
  record.record = {{"path", fs::absolute(config.original).lexically_normal().string()},
                   {"config_hash", original.meta.configHash},
                   {"created_utc", original.meta.createdUtc},
                   {"kind", original.meta.kind}};
  record.identity = {"config_hash", "created_utc"};
  record.describedBy = "path";
  record.what = "original checkpoint";
  record.option = "--original";
  runs::checkOrRecordInput(record, rankCoordination(comm));
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
  meta.imagenetStem = original.spec.imagenetStem;
  meta.kind = kind;
  meta.worldSize = worldSize;
  meta.configJson = table.toJson().dump();
  meta.configHash = table.configHash();
  return meta;
}

double accuracyOn(InferenceModel& model, const LoadedSplit& split, const std::vector<int64_t>& rows,
                  Communicator& comm) {
  return evaluateAccuracy(model, *split.source, split.labels, rows, comm).percent();
}

// The reference's before-and-after figures of a backdoor cleanse: clean test accuracy and the
// attack's success rate, both ways (attack_success.h).
json backdoorScores(Classifier& model, const LoadedSplit& test, const ForgetSet& forgetSet,
                    Communicator& comm) {
  InferenceModel inference(model);
  const AttackSuccess success = attackSuccess(inference, test, forgetSet.poisoning, comm);
  return {
      {"clean_test_accuracy", accuracyOn(inference, test, forgetSet.testRows(test.labels), comm)},
      {"ASR", success.nonTargetPercent},
      {"ASR_all", success.allPercent}};
}

}  // namespace

UnlearnRunOutcome runUnlearning(const UnlearnConfig& config, UnlearningMethod& method,
                                const OptionTable& table, Communicator& comm) {
  const std::string& dir = config.runDir;
  const runs::UnlearnFolder folder(dir);
  const DatasetManifest manifest = readManifest(config.data);
  const OriginalModel original = readOriginal(config, manifest);
  const ExpectedModel expected{original.meta.arch, manifest.numClasses};

  // D_r and D_f come from the original model's own train/validation split unless the
  // reference's split-seed quirk is asked for.
  const auto trainSplitSeed = original.option<int64_t>("split-seed", 1);
  const double valFraction = original.option("val-fraction", 0.1);
  const bool referenceSplit = config.referenceSplitSeed || config.referenceProtocol();
  const auto splitSeed = static_cast<uint32_t>(referenceSplit ? config.seed : trainSplitSeed);
  const LoadedSplit clean = loadSplit(config.data, "train", config.stream);
  TrainValSplit split = loadValidationSplit(config.data, clean, splitSeed, valFraction);
  // D_r and D_f partition what the original model was trained on: with mu-train's --train-limit
  // that is the first N training ids only (rows it never saw are neither forgotten nor retained).
  const auto trainLimit = original.option<int64_t>("train-limit", 0);
  limitTrainingIds(split, trainLimit);
  // ... and, for a backdoored model, its training set as poisoned: the poisoned rows keep their
  // trigger and target label in D_f or D_r (docs/reference-behaviour.md §9.1).
  const Poisoning poisoning =
      selectPoisoning(PoisonOptions::fromRunOptions(original.trainingOptions), clean, split);
  if (poisoning.enabled() && splitSeed != static_cast<uint32_t>(trainSplitSeed)) {
    throw InputError("--reference-split-seed", "value",
                     "no such flag for a backdoored original: its poisoned rows are ids of the "
                     "split it was trained on");
  }
  const LoadedSplit train = poisonRows(clean, poisoning.ids, poisoning);
  ForgetRequest request = config.forgetRequest();
  request.poisonedIds = poisoning.ids;
  ForgetSet forgetSet = selectForgetSet(request, train, split, splitSeed, valFraction);
  forgetSet.poisoning = poisoning;
  if (config.referenceProtocol()) forgetSet.wholeClass = referenceDropsForgottenClasses(forgetSet);

  // The model: the original's weights and masks, or (retrain) the initial weights under them.
  torch::manual_seed(static_cast<uint64_t>(original.option<int64_t>("train-seed", 1)));
  std::shared_ptr<Classifier> model = makeModel(original.spec);
  TensorMap masks;
  // Retraining starts from the initial weights; the original's are still wanted for its masks
  // and for how well a backdoor worked before unlearning.
  std::shared_ptr<Classifier> originalWeights = model;
  if (method.startsFromInitialWeights()) originalWeights = makeModel(original.spec);
  loadCheckpoint(config.original, *originalWeights, &masks, nullptr, expected);
  applyMasks(*model, masks);
  // On a GPU the methods' gradients and statistics are summed over NCCL.
  DevicePlacement placement(*model, comm, {config.device, config.channelsLast});
  Communicator& tensorComm = placement.comm();

  // Everything is checked: now the run folder.
  if (comm.rank() == 0) fs::create_directories(dir);
  comm.barrier();
  runs::checkOrWriteRunConfig(folder.config(), runs::runConfigOf(table, manifest.identity()),
                              comm.size(), rankCoordination(comm));
  checkOrRecordOriginal(folder, config, original, comm);
  checkOrWriteForgetSet(folder.forgetSet(), forgetSet, comm);

  UnlearnRunOutcome outcome;
  if (fs::exists(folder.results())) {
    outcome.alreadyComplete = true;
    outcome.results = readJsonFile(folder.results());
    return outcome;
  }

  // The test set, and how well a backdoor worked before unlearning: measured once the run is
  // known to have work left, on the original weights (before a resume overwrites them).
  const LoadedSplit test = loadSplit(config.data, "test", config.stream);
  json backdoorBefore;
  if (poisoning.enabled()) {
    if (originalWeights != model) placeModel(*originalWeights, placement.device());
    backdoorBefore = backdoorScores(*originalWeights, test, forgetSet, tensorComm);
  }

  ProgressReporter progress("unlearn", comm.rank() == 0 && !config.quiet);
  UnlearnContext context(*model, tensorComm, train, forgetSet, progress);
  context.masks = masks;
  context.augment = augmentationFor(config.augment, manifest);
  context.order = config.stream.order(manifest.shardSize);
  context.batchSize = config.batchSize;
  context.seed = static_cast<uint64_t>(config.seed);
  context.checkpointEverySteps = config.checkpointEverySteps;
  context.referenceProtocol = config.referenceProtocol();

  // Resume an iterative method from its last progress checkpoint; one-shot methods start over.
  double earlierSeconds = 0;
  const std::string progressPath = folder.progress();
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
  json results;
  results["method"] = method.name();
  results["method_options"] = method.optionsJson();
  results["protocol"] = config.protocol;
  results["RTE_s"] = rteSeconds;
  results["world_size"] = comm.size();
  results["threads_per_rank"] = torch::get_num_threads();
  results["device"] = placement.device().str();
  results["backend"] = tensorComm.backendName();
  results["forget"] = {{"mode", config.forget},
                       {"class", config.forgetClasses},
                       {"count", config.forgetCount},
                       {"forget_samples", forgetSet.forgetIds.size()},
                       {"retain_samples", forgetSet.retainIds.size()},
                       {"split_seed", splitSeed},
                       {"train_limit", trainLimit}};
  if (config.finalAccuracy) {
    InferenceModel inference(*model);
    results["forget_accuracy"] = accuracyOn(inference, train, forgetSet.forgetIds, tensorComm);
    results["retain_accuracy"] = accuracyOn(inference, train, forgetSet.retainIds, tensorComm);
    results["test_accuracy"] =
        accuracyOn(inference, test, forgetSet.testRows(test.labels), tensorComm);
  }
  if (poisoning.enabled()) {
    results["backdoor"] = {{"target", poisoning.options.target},
                           {"before", backdoorBefore},
                           {"after", backdoorScores(*model, test, forgetSet, tensorComm)}};
  }
  results["sparsity_percent"] = 100.0 * sparsityReport(*model, masks).sparsity();
  results["epochs"] = unlearned.epochsDone;
  results["summary"] = unlearned.summary;
  results["seed"] = config.seed;
  results["original"] = readJsonFile(folder.original());
  results["config_hash"] = table.configHash();
  results["code_version"] = codeVersion();
  if (comm.rank() == 0) {
    saveCheckpoint(folder.model(), *model, masks, nullptr,
                   checkpointMeta(original, table, checkpoint::kKindUnlearned, comm.size()));
    writeJsonFile(folder.results(), results);
  }
  comm.barrier();
  outcome.results = results;
  return outcome;
}

}  // namespace mu
