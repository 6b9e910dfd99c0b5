#include "pipeline/training/train_session.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <thread>

#include "pipeline/base/code_version.h"
#include "pipeline/base/error.h"
#include "pipeline/base/resource_usage.h"
#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/checkpoint/checkpoint_schema.h"
#include "pipeline/checkpoint/rng_state.h"
#include "pipeline/data/validation_split.h"
#include "pipeline/distributed/device.h"
#include "pipeline/distributed/device_placement.h"
#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/inference/accuracy.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/json_file.h"
#include "pipeline/masks/masks.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/runs/run_config.h"
#include "pipeline/runs/run_folder.h"
#include "pipeline/training/training_loop.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Where a run stands: epochs completed, the next step inside the current epoch, the best model.
struct Position {
  int64_t epoch = 0;
  int64_t stepInEpoch = 0;
  int64_t globalStep = 0;
  double bestValAccuracy = -1;
  int64_t bestEpoch = 0;
};

// Metrics lines of epochs that a resume will run again are dropped, so each epoch has one line.
void keepMetricsUpTo(const std::string& path, int64_t completedEpochs) {
  if (!fs::exists(path)) return;
  std::ifstream in(path);
  std::string line;
  std::string kept;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      if (json::parse(line).at("epoch").get<int64_t>() <= completedEpochs) kept += line + "\n";
    } catch (const json::exception&) {
      // A line cut by a kill is dropped.
    }
  }
  writeFileAtomically(path, kept);
}

void appendLine(const std::string& path, const std::string& line) {
  std::ofstream out(path, std::ios::app);
  out << line << "\n";
}

bool endsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// BatchNorm running statistics are per rank (as in DDP); averaged before saving unless asked not
// to. Only they: other buffers (the input normalisation) are the same everywhere, and averaging
// them over three ranks could move their last bit.
void averageBatchNormStatistics(torch::nn::Module& model, Communicator& comm) {
  torch::NoGradGuard noGrad;
  for (auto& buffer : model.named_buffers()) {
    torch::Tensor& value = buffer.value();
    const bool statistic =
        endsWith(buffer.key(), "running_mean") || endsWith(buffer.key(), "running_var");
    if (!statistic || value.scalar_type() != torch::kFloat32) continue;
    torch::Tensor flat = value.contiguous().clone();
    comm.allReduceSum(flat);
    value.copy_(flat.div_(comm.size()));
  }
}

using NamedParameters = std::vector<std::pair<std::string, torch::Tensor>>;

// The parameters a session trains: all of them, or the head alone. The others stop requiring
// gradients, so backward ends at the head and nothing else is summed over the ranks.
NamedParameters trainedParameters(Classifier& model, bool headOnly) {
  NamedParameters trained;
  for (auto& [name, parameter] : namedParameterList(model)) {
    if (headOnly && !model.inHead(name)) {
      parameter.requires_grad_(false);
    } else {
      trained.emplace_back(name, parameter);
    }
  }
  return trained;
}

// The masks of the parameters the optimizer holds (the others never move).
TensorMap masksOfTrained(const TensorMap& masks, const NamedParameters& trained) {
  TensorMap kept;
  for (const auto& [name, parameter] : trained) {
    const auto found = masks.find(name);
    if (found != masks.end()) kept.emplace(name, found->second);
  }
  return kept;
}

std::vector<torch::Tensor> tensorsOf(const NamedParameters& named) {
  std::vector<torch::Tensor> tensors;
  for (const auto& entry : named) tensors.push_back(entry.second);
  return tensors;
}

}  // namespace

std::string unfinishedSessionLine(const TrainOutcome& outcome, const std::string& runDir) {
  char line[512];
  if (outcome.alreadyComplete) {
    std::snprintf(line, sizeof line, "%s is complete (test accuracy %.2f%%); nothing to do",
                  runDir.c_str(), outcome.testAccuracy);
  } else if (outcome.stopped) {
    std::snprintf(line, sizeof line,
                  "stopped by signal after a checkpoint at epoch %lld; rerun to resume",
                  static_cast<long long>(outcome.epochsDone + 1));
  } else {
    return "";
  }
  return line;
}

ModelSpec modelSpecFor(const TrainConfig& config, const DatasetManifest& manifest) {
  return ModelSpec{config.arch,         manifest.numClasses, manifest.channels,
                   config.imagenetStem, manifest.mean,       manifest.std};
}

AugmentOptions augmentationFor(const std::string& choice, const DatasetManifest& manifest) {
  if (choice == "none") return {};
  if (choice == "flip") return {0, true};
  // JPEG datasets: the reference pads and crops TinyImageNet's 64-pixel images as CIFAR's and
  // crops ImageNet with RandomResizedCrop, both with a flip (docs/reference-behaviour.md §2.2,
  // §8); other image trees are trained as ImageNet.
  if (manifest.encoded()) {
    return manifest.family() == "tinyimagenet" ? AugmentOptions{4, true}
                                               : AugmentOptions{0, true, true};
  }
  if (choice == "crop-flip") return {4, true};
  const std::string dataset = manifest.family();  // a class subset augments as its family
  // "auto": the reference's per dataset (docs/reference-behaviour.md §2): crop 4 + flip for CIFAR,
  // nothing for SVHN; the datasets it does not cover train without augmentation.
  if (dataset == "cifar10" || dataset == "cifar100") return {4, true};
  return {};
}

TrainSession::TrainSession(const TrainConfig& config, const OptionTable& table, Communicator& comm)
    : config_(config), table_(table), comm_(comm) {}

TrainOutcome TrainSession::run(const SessionStart& start) {
  const TensorMap& masks = start.masks;
  const std::string& dir = config_.runDir;
  const runs::TrainFolder folder(dir);
  const DatasetManifest manifest = readManifest(config_.data);
  if (comm_.rank() == 0) fs::create_directories(dir);
  comm_.barrier();
  runs::checkOrWriteRunConfig(folder.config(), runs::runConfigOf(table_, manifest.identity()),
                              comm_.size(), rankCoordination(comm_));

  TrainOutcome outcome;
  if (fs::exists(folder.results())) {
    const json results = readJsonFile(folder.results());
    outcome.alreadyComplete = true;
    outcome.bestValAccuracy = results.value("best_val_accuracy", 0.0);
    outcome.testAccuracy = results.value("test_accuracy", 0.0);
    return outcome;
  }

  // Data: the seed's training split (optionally cut short), its validation split and the test set.
  const LoadedSplit clean = loadSplit(config_.data, "train", config_.stream);
  const LoadedSplit test = loadSplit(config_.data, "test", config_.stream);
  TrainValSplit split = loadValidationSplit(
      config_.data, clean, static_cast<uint32_t>(config_.splitSeed), config_.valFraction);
  limitTrainingIds(split, config_.trainLimit);
  // A backdoored training set, when the options ask for one, is this split with its poisoned rows
  // stamped and relabelled.
  const Poisoning poisoning = selectPoisoning(config_.poison, clean, split);
  const LoadedSplit train = poisonRows(clean, poisoning.ids, poisoning);
  SampleSet samples{train.source, train.labels, split.trainIds,
                    augmentationFor(config_.augment, train.manifest),
                    config_.stream.order(train.manifest.shardSize)};
  std::vector<int64_t> testRows(static_cast<size_t>(test.size()));
  std::iota(testRows.begin(), testRows.end(), 0);

  // Model: the same initialisation on every rank from --train-seed.
  torch::manual_seed(static_cast<uint64_t>(config_.trainSeed));
  std::shared_ptr<Classifier> model = makeModel(modelSpecFor(config_, train.manifest));
  const ExpectedModel expected{config_.arch, train.manifest.numClasses};
  if (!start.weightsFrom.empty()) {
    loadCheckpoint(start.weightsFrom, *model, nullptr, nullptr, expected);
  }
  if (start.prepareModel) start.prepareModel(*model);
  applyMasks(*model, masks);
  CheckpointMeta meta;
  meta.arch = config_.arch;
  meta.dataset = train.manifest.dataset;
  meta.numClasses = train.manifest.numClasses;
  meta.inChannels = train.manifest.channels;
  meta.imagenetStem = config_.imagenetStem;
  meta.worldSize = comm_.size();
  meta.configJson = table_.toJson().dump();
  meta.configHash = table_.configHash();

  if (comm_.rank() == 0 && !isCompleteCheckpoint(folder.init())) {
    CheckpointMeta initMeta = meta;
    initMeta.kind = "init";
    saveCheckpoint(folder.init(), *model, masks, nullptr, initMeta);
  }

  // The rank's device (its node-local GPU with --device cuda); on a GPU the gradients travel over
  // NCCL, everything else over the host communicator.
  DevicePlacement placement(*model, comm_, config_.deviceChoice());
  const torch::Device device = placement.device();
  Communicator& comm = placement.comm();

  const NamedParameters trained = trainedParameters(*model, start.headOnly);
  MaskedSgd sgd(trained, {config_.lr, config_.momentum, config_.weightDecay},
                masksOfTrained(masks, trained));

  Position position;
  if (isCompleteCheckpoint(folder.last())) {
    TrainingState state;
    TensorMap savedMasks;
    const CheckpointMeta saved =
        loadCheckpoint(folder.last(), *model, &savedMasks, &state, expected);
    sgd.setMomentum(state.momentum);
    if (!state.cpuRngState.empty()) restoreCpuRngState(state.cpuRngState);
    position.epoch = saved.epoch;
    position.globalStep = saved.step;
    position.stepInEpoch = static_cast<int64_t>(saved.numbers.at("step_in_epoch"));
    position.bestValAccuracy = saved.numbers.at("best_val_accuracy");
    position.bestEpoch = static_cast<int64_t>(saved.numbers.at("best_epoch"));
    if (comm.rank() == 0 && !config_.quiet) {
      std::fprintf(stderr, "[train] resuming %s at epoch %lld step %lld\n", dir.c_str(),
                   static_cast<long long>(position.epoch + 1),
                   static_cast<long long>(position.stepInEpoch));
    }
  }
  broadcastParametersAndBuffers(*model, comm, 0);
  if (comm.rank() == 0) keepMetricsUpTo(folder.metrics(), position.epoch);

  LrScheduleOptions scheduleOptions = config_.scheduleOptions();
  scheduleOptions.epochOffset = start.scheduleOffset;
  const LrSchedule schedule(scheduleOptions);
  GradientBucketer buckets(tensorsOf(trained));
  TrainingLoop loop(*model, comm, sgd, buckets, schedule, crossEntropyLoss());
  if (start.headOnly) loop.keepEvalMode();
  loop.setAutocast({config_.amp == "bf16"});
  if (config_.cudaGraphs) loop.enableCudaGraphs();  // cross-entropy steps: nothing host-side moves
  ProgressReporter progress("train", comm.rank() == 0 && !config_.quiet);

  auto saveTo = [&](const std::string& path, const char* kind, bool withState) {
    // A linear probe's statistics never move: averaging equal values could still move a last bit.
    if (config_.bnStats == "average" && comm.size() > 1 && !start.headOnly) {
      averageBatchNormStatistics(*model, comm);
    }
    if (comm.rank() != 0) return;
    CheckpointMeta current = meta;
    current.kind = kind;
    current.epoch = position.epoch;
    current.step = position.globalStep;
    current.numbers["step_in_epoch"] = static_cast<double>(position.stepInEpoch);
    current.numbers["best_val_accuracy"] = position.bestValAccuracy;
    current.numbers["best_epoch"] = static_cast<double>(position.bestEpoch);
    current.numbers["lr"] = sgd.lr();
    TrainingState state{sgd.momentum(), captureCpuRngState(), {}};
    saveCheckpoint(path, *model, masks, withState ? &state : nullptr, current);
  };

  const int64_t stepsPerEpoch =
      TrainingLoop::stepsPerEpoch(static_cast<int64_t>(samples.rows.size()), config_.batchSize);
  const auto runStart = std::chrono::steady_clock::now();
  int64_t imagesTrained = 0;
  double secondsTraining = 0;
  while (position.epoch < config_.epochs) {
    if (position.epoch == config_.rewindEpoch && position.stepInEpoch == 0 &&
        config_.rewindEpoch > 0 && !fs::exists(folder.rewind())) {
      saveTo(folder.rewind(), checkpoint::kKindRewind, false);
    }
    EpochSettings settings{position.epoch, config_.epochs, position.stepInEpoch, config_.batchSize,
                           static_cast<uint64_t>(config_.seed)};
    const EpochOutcome epoch = loop.runEpoch(
        samples, settings,
        [&](int64_t, int64_t nextStep) {
          ++position.globalStep;
          position.stepInEpoch = nextStep;
          if (config_.checkpointEverySteps > 0 && nextStep < stepsPerEpoch &&
              position.globalStep % config_.checkpointEverySteps == 0) {
            saveTo(folder.last(), checkpoint::kKindTrain, true);
          }
        },
        progress);
    imagesTrained += epoch.samples;
    secondsTraining += epoch.seconds;
    if (epoch.stopped) {
      position.stepInEpoch = epoch.nextStep;
      saveTo(folder.last(), checkpoint::kKindTrain, true);
      outcome.stopped = true;
      outcome.epochsDone = position.epoch;
      return outcome;
    }
    const Accuracy validation =
        evaluateAccuracy(*model, *train.source, train.labels, split.valIds, comm);
    ++position.epoch;
    position.stepInEpoch = 0;
    const bool best = validation.percent() > position.bestValAccuracy;
    if (best) {
      position.bestValAccuracy = validation.percent();
      position.bestEpoch = position.epoch;
      saveTo(folder.best(), checkpoint::kKindBest, false);
    }
    saveTo(folder.last(), checkpoint::kKindTrain, true);
    if (comm.rank() == 0) {
      json line;
      line["epoch"] = position.epoch;
      line["lr"] = sgd.lr();
      line["train_loss"] = epoch.samples ? epoch.lossSum / static_cast<double>(epoch.samples) : 0;
      line["train_accuracy"] =
          epoch.samples ? 100.0 * static_cast<double>(epoch.correct) / epoch.samples : 0;
      line["val_loss"] = validation.meanLoss();
      line["val_accuracy"] = validation.percent();
      line["images_per_second"] = epoch.seconds > 0 ? epoch.samples / epoch.seconds : 0;
      line["seconds"] = epoch.seconds;
      appendLine(folder.metrics(), line.dump());
      if (!config_.quiet) {
        std::fprintf(stderr, "[train] epoch %lld/%lld val %.2f%% (best %.2f%% at %lld)\n",
                     static_cast<long long>(position.epoch), static_cast<long long>(config_.epochs),
                     validation.percent(), position.bestValAccuracy,
                     static_cast<long long>(position.bestEpoch));
      }
    }
  }

  // The run's model is the best by validation accuracy (docs/reference-behaviour.md §4.2); its test
  // accuracy is reported. Rank 0 wrote best.h5: every rank waits for it before reading.
  comm.barrier();
  loadCheckpoint(folder.best(), *model, nullptr, nullptr, expected);
  const Accuracy testAccuracy = evaluateAccuracy(*model, *test.source, test.labels, testRows, comm);
  outcome.epochsDone = position.epoch;
  outcome.bestValAccuracy = position.bestValAccuracy;
  outcome.bestEpoch = position.bestEpoch;
  outcome.testAccuracy = testAccuracy.percent();
  outcome.trainSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - runStart).count();
  outcome.imagesPerSecond = secondsTraining > 0 ? imagesTrained / secondsTraining : 0;
  const double peakResident = comm.allReduceMax(peakResidentMegabytes());  // largest rank's
  if (comm.rank() == 0) {
    json results;
    results["best_val_accuracy"] = outcome.bestValAccuracy;
    results["best_epoch"] = outcome.bestEpoch;
    results["test_accuracy"] = outcome.testAccuracy;
    results["epochs"] = outcome.epochsDone;
    results["seconds_this_session"] = outcome.trainSeconds;
    results["images_per_second"] = outcome.imagesPerSecond;
    results["world_size"] = comm.size();
    results["device"] = device.str();
    results["backend"] = comm.backendName();
    results["threads_per_rank"] = torch::get_num_threads();
    results["peak_resident_mb"] = peakResident;
    results["config_hash"] = table_.configHash();
    results["code_version"] = codeVersion();
    results["train_samples"] = samples.rows.size();
    results["seed"] = config_.seed;
    results["train_seed"] = config_.trainSeed;
    results["schedule_offset_epochs"] = start.scheduleOffset;
    if (poisoning.enabled()) results["poisoning"] = poisoningJson(poisoning);
    if (!start.weightsFrom.empty()) results["weights_from"] = start.weightsFrom;
    if (start.extraResults.is_object()) results.update(start.extraResults);
    writeJsonFile(folder.results(), results);
  }
  comm.barrier();
  return outcome;
}

}  // namespace mu
