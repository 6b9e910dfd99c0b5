#include "pipeline/pruning/prune_rounds.h"

#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "pipeline/base/code_version.h"
#include "pipeline/base/error.h"
#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/checkpoint/checkpoint_schema.h"
#include "pipeline/data/poisoning.h"
#include "pipeline/data/shard_schema.h"
#include "pipeline/io/json_file.h"
#include "pipeline/masks/sparsity_report.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/pruning/global_pruning.h"
#include "pipeline/pruning/synflow.h"
#include "pipeline/runs/run_config.h"
#include "pipeline/runs/run_folder.h"
#include "pipeline/training/train_session.h"

namespace mu {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Everything the rounds share: the model's shape, the source run and where rounds rewind to.
struct PrunePlan {
  ModelSpec spec;
  ExpectedModel expected;
  std::string dataset;
  int64_t imageHeight = 0;  // SynFlow's all-ones input
  int64_t imageWidth = 0;
  double rate = 0;
  std::string rewindWeights;  // empty: SynFlow's fresh initialisation
  int64_t scheduleOffset = 0;
};

bool isRank0(const Communicator& comm) {
  return comm.rank() == 0;
}

std::string sourceModelPath(const runs::TrainFolder& run, const PruneConfig& prune) {
  return prune.pruneFrom == "best" ? run.best() : run.last();
}

// The source run must be a finished training run of this model and dataset, trained on the data
// the rounds retrain on: a backdoored model retrained on clean data (or the reverse) would
// silently be another experiment.
CheckpointMeta checkSourceRun(const PruneConfig& prune, const TrainConfig& train,
                              const PrunePlan& plan) {
  const runs::TrainFolder source(prune.from);
  if (!fs::exists(source.results())) {
    throw InputError(source.results(), "file",
                     "a finished mu-train run folder (run or resume mu-train there first)");
  }
  const std::string model = sourceModelPath(source, prune);
  if (!isCompleteCheckpoint(model)) {
    throw InputError(model, "checkpoint", "a complete checkpoint of the source run");
  }
  const CheckpointMeta meta = readCheckpointMeta(model);
  if (meta.arch != plan.expected.arch || meta.dataset != plan.dataset) {
    throw InputError(model, "arch/dataset",
                     plan.expected.arch + " on " + plan.dataset + " (the options), got " +
                         meta.arch + " on " + meta.dataset);
  }
  const nlohmann::json sourceOptions =
      nlohmann::json::parse(meta.configJson, nullptr, /*allow_exceptions=*/false);
  const auto poisoningOf = [](const PoisonOptions& options) {
    return poisoningJson(Poisoning{options, {}});
  };
  if (poisoningOf(PoisonOptions::fromRunOptions(sourceOptions)) != poisoningOf(train.poison)) {
    throw InputError(model, "poisoning",
                     "the --poison-* and --trigger-* options given here " +
                         poisoningOf(train.poison).dump() + ", got " +
                         poisoningOf(PoisonOptions::fromRunOptions(sourceOptions)).dump());
  }
  return meta;
}

// The sparsity of the source model's masks (0 for a dense run).
double sourceSparsity(const PruneConfig& prune, const PrunePlan& plan, int64_t trainSeed) {
  torch::manual_seed(static_cast<uint64_t>(trainSeed));
  std::shared_ptr<Classifier> model = makeModel(plan.spec);
  TensorMap masks;
  loadCheckpoint(sourceModelPath(runs::TrainFolder(prune.from), prune), *model, &masks, nullptr,
                 plan.expected);
  return sparsityReport(*model, masks, prune.scope()).sparsity();
}

// The per-round rate: --rate, or the rate that takes the source's sparsity to --target-sparsity.
double perRoundRate(const PruneConfig& prune, double sourceSparsity) {
  if (prune.targetSparsity <= 0) return prune.rate;
  requireNotSparserThan(sourceSparsity, prune.targetSparsity);
  const double remainingFraction = (1.0 - prune.targetSparsity) / (1.0 - sourceSparsity);
  return rateForRounds(1.0 - remainingFraction, static_cast<int>(prune.rounds));
}

// The checkpoint every round rewinds to (docs/reference-behaviour.md §5.3): lt = the initial
// weights, rewind_lt = the weights after --rewind-epoch epochs, pt = the best dense weights.
std::string rewindWeightsPath(const PruneConfig& prune, const TrainConfig& train) {
  const runs::TrainFolder source(prune.from);
  if (prune.rewind == "lt") return source.init();
  if (prune.rewind == "pt") return source.best();
  const std::string path = source.rewind();
  if (train.rewindEpoch <= 0) {
    throw InputError("--rewind-epoch", "value",
                     "a positive epoch with --rewind rewind_lt (the weights after that epoch)");
  }
  if (!isCompleteCheckpoint(path)) {
    throw InputError(path, "checkpoint",
                     "the source run's weights after epoch " + std::to_string(train.rewindEpoch) +
                         " (was it trained with --rewind-epoch " +
                         std::to_string(train.rewindEpoch) + "?)");
  }
  const int64_t saved = readCheckpointMeta(path).epoch;
  if (saved != train.rewindEpoch) {
    throw InputError(path, "epoch",
                     "weights saved after epoch " + std::to_string(train.rewindEpoch) +
                         " (--rewind-epoch), but this file holds epoch " + std::to_string(saved));
  }
  return path;
}

// A resumed prune run must prune the same source model it started with.
void checkOrRecordSource(const runs::PruneFolder& folder, const PruneConfig& prune,
                         const CheckpointMeta& sourceMeta, Communicator& comm) {
  runs::InputRecord source;
  source.path = folder.source();
  source.record = {{"from", fs::absolute(prune.from).lexically_normal().string()},
                   {"source_config_hash", sourceMeta.configHash}};
  source.identity = {"source_config_hash"};
  source.describedBy = "from";
  source.what = "source run";
  source.option = "--from";
  runs::checkOrRecordInput(source, rankCoordination(comm));
}

// Rank 0 scores the previous round's model and writes the pruned checkpoint of round `round`.
void writePrunedCheckpoint(int64_t round, const PruneConfig& prune, const TrainConfig& train,
                           const PrunePlan& plan) {
  torch::manual_seed(static_cast<uint64_t>(train.trainSeed));
  std::shared_ptr<Classifier> model = makeModel(plan.spec);
  TensorMap masks;
  CheckpointMeta meta;
  if (prune.atInitialisation()) {
    SynflowOptions options;
    options.channels = plan.spec.inChannels;
    options.height = plan.imageHeight;
    options.width = plan.imageWidth;
    options.iterations = static_cast<int>(prune.synflowIterations);
    options.scope = prune.scope();
    masks = synflowMasks(*model, {}, plan.rate, options);
  } else {
    const std::string source =
        round == 1 ? sourceModelPath(runs::TrainFolder(prune.from), prune)
                   : sourceModelPath(runs::PruneFolder(train.runDir).round(round - 1), prune);
    TensorMap previous;
    meta = loadCheckpoint(source, *model, &previous, nullptr, plan.expected);
    masks =
        prune.method == "random"
            ? globalRandomMasks(*model, previous, plan.rate,
                                static_cast<uint64_t>(prune.pruneSeed + round - 1), prune.scope())
            : globalMagnitudeMasks(*model, previous, plan.rate, prune.scope());
  }
  applyMasks(*model, masks);
  CheckpointMeta pruned;
  pruned.arch = plan.spec.arch;
  pruned.dataset = plan.dataset;
  pruned.numClasses = plan.spec.numClasses;
  pruned.inChannels = plan.spec.inChannels;
  pruned.imagenetStem = plan.spec.imagenetStem;
  pruned.kind = checkpoint::kKindPruneRound;
  pruned.epoch = meta.epoch;
  pruned.step = meta.step;
  pruned.numbers["round"] = static_cast<double>(round);
  pruned.numbers["rate"] = plan.rate;
  pruned.strings["prune_method"] = prune.method;
  saveCheckpoint(runs::PruneFolder(train.runDir).pruned(round), *model, masks, nullptr, pruned);
}

json roundJson(const RoundSummary& summary) {
  return json{{"round", summary.round},
              {"remaining", summary.remaining},
              {"total", summary.total},
              {"density_percent", 100.0 * static_cast<double>(summary.remaining) /
                                      static_cast<double>(std::max<int64_t>(1, summary.total))},
              {"test_accuracy", summary.testAccuracy},
              {"best_val_accuracy", summary.bestValAccuracy}};
}

}  // namespace

PruneOutcome runPruneRounds(const PruneConfig& prune, const TrainConfig& train,
                            const OptionTable& table, Communicator& comm) {
  const std::string& runDir = train.runDir;
  const runs::PruneFolder folder(runDir);
  const DatasetManifest manifest = readManifest(train.data);
  const runs::RunConfig runConfig = runs::runConfigOf(table, manifest.identity());
  PrunePlan plan;
  plan.spec = modelSpecFor(train, manifest);
  plan.expected = ExpectedModel{train.arch, manifest.numClasses};
  plan.dataset = manifest.dataset;
  // A JPEG dataset's images vary in size; the models see them cut to --image-size.
  plan.imageHeight = manifest.encoded() ? train.stream.imageSize : manifest.height;
  plan.imageWidth = manifest.encoded() ? train.stream.imageSize : manifest.width;
  plan.rate = perRoundRate(prune, 0.0);
  // Every check comes before the first file is written, so bad input leaves nothing behind.
  if (!prune.atInitialisation()) {
    const CheckpointMeta sourceMeta = checkSourceRun(prune, train, plan);
    try {
      plan.rate = perRoundRate(prune, sourceSparsity(prune, plan, train.trainSeed));
    } catch (const InputError& error) {
      throw InputError(sourceModelPath(runs::TrainFolder(prune.from), prune), "masks",
                       error.what());
    }
    plan.rewindWeights = rewindWeightsPath(prune, train);
    // The reference steps the new scheduler --rewind-epoch times whatever it rewinds to.
    plan.scheduleOffset = train.rewindEpoch;
    if (isRank0(comm)) fs::create_directories(runDir);
    comm.barrier();
    runs::checkOrWriteRunConfig(folder.config(), runConfig, comm.size(), rankCoordination(comm));
    checkOrRecordSource(folder, prune, sourceMeta, comm);
  } else {
    if (isRank0(comm)) fs::create_directories(runDir);
    comm.barrier();
    runs::checkOrWriteRunConfig(folder.config(), runConfig, comm.size(), rankCoordination(comm));
  }

  PruneOutcome outcome;
  outcome.rate = plan.rate;
  if (isRank0(comm) && !train.quiet) {
    std::fprintf(stderr, "[prune] %s %s\n", prune.method.c_str(),
                 describeRounds(plan.rate, static_cast<int>(prune.rounds)).c_str());
  }
  for (int64_t round = 1; round <= prune.rounds; ++round) {
    const std::string roundDir = folder.round(round).dir();
    if (isRank0(comm)) {
      fs::create_directories(roundDir);
      if (!isCompleteCheckpoint(folder.pruned(round))) {
        writePrunedCheckpoint(round, prune, train, plan);
      }
    }
    comm.barrier();
    torch::manual_seed(static_cast<uint64_t>(train.trainSeed));
    std::shared_ptr<Classifier> model = makeModel(plan.spec);
    TensorMap masks;
    loadCheckpoint(folder.pruned(round), *model, &masks, nullptr, plan.expected);
    const SparsityReport report = sparsityReport(*model, masks, prune.scope());
    if (isRank0(comm) && !train.quiet) {
      std::fprintf(stderr, "[prune] round %lld/%lld: %s\n%s", static_cast<long long>(round),
                   static_cast<long long>(prune.rounds),
                   describeRounds(plan.rate, static_cast<int>(round)).c_str(),
                   formatSparsity(report).c_str());
    }

    TrainConfig roundConfig = train;
    roundConfig.runDir = roundDir;
    SessionStart start;
    start.masks = masks;
    start.weightsFrom = plan.rewindWeights;
    start.scheduleOffset = plan.scheduleOffset;
    start.extraResults = json{{"round", round},
                              {"rounds", prune.rounds},
                              {"rate", plan.rate},
                              {"prune_method", prune.method},
                              {"rewind", prune.atInitialisation() ? "none" : prune.rewind},
                              {"sparsity", sparsityJson(report)}};
    const TrainOutcome trained = TrainSession(roundConfig, table, comm).run(start);
    if (trained.stopped) {
      outcome.stopped = true;
      return outcome;
    }
    outcome.rounds.push_back(RoundSummary{round, report.remaining, report.total,
                                          trained.testAccuracy, trained.bestValAccuracy});
  }

  if (isRank0(comm)) {
    json results;
    results["prune_method"] = prune.method;
    results["rate_per_round"] = plan.rate;
    results["rewind"] = prune.atInitialisation() ? "none" : prune.rewind;
    results["final_model"] = folder.finalModel(prune.rounds);
    for (const RoundSummary& summary : outcome.rounds) {
      results["rounds"].push_back(roundJson(summary));
    }
    results["world_size"] = comm.size();
    results["config_hash"] = table.configHash();
    results["code_version"] = codeVersion();
    writeJsonFile(folder.results(), results);
  }
  comm.barrier();
  return outcome;
}

}  // namespace mu
