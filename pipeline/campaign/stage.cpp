#include "pipeline/campaign/stage.h"

#include "pipeline/runs/run_folder.h"

namespace mu::campaign {
namespace {

struct StageEntry {
  Stage stage;
  const char* name;
  const char* subcommand;  // "" for none
  std::string (*doneFile)(const std::string& runDir);
  std::vector<std::string> campaignOwned;
};

const std::vector<StageEntry>& stageTable() {
  static const std::vector<StageEntry> table{
      {Stage::Data,
       "data",
       "convert",
       [](const std::string& dir) { return runs::DatasetFolder(dir).done(); },
       {"format", "source", "out"}},
      {Stage::Train,
       "train",
       "",
       [](const std::string& dir) { return runs::TrainFolder(dir).done(); },
       {"data", "run-dir", "arch", "train-seed", "seed", "threads", "quiet", "config"}},
      {Stage::Prune,
       "prune",
       "",
       [](const std::string& dir) { return runs::PruneFolder(dir).done(); },
       {"data", "run-dir", "from", "arch", "train-seed", "seed", "rate", "rounds", "threads",
        "quiet", "config"}},
      {Stage::Unlearn,
       "unlearn",
       "",
       [](const std::string& dir) { return runs::UnlearnFolder(dir).done(); },
       {"data", "original", "run-dir", "method", "forget", "forget-class", "forget-count", "seed",
        "protocol", "threads", "quiet"}},
      // The evaluation is written into the unlearn folder it evaluates.
      {Stage::Evaluate,
       "evaluate",
       "",
       [](const std::string& dir) { return runs::UnlearnFolder(dir).evaluation(); },
       {"data", "unlearn-dir", "checkpoint", "forget-set", "out", "quiet"}},
      // Fits a model (before or after unlearning) to the campaign's target dataset.
      {Stage::Transfer,
       "transfer",
       "",
       [](const std::string& dir) { return runs::TransferFolder(dir).done(); },
       {"data", "from", "run-dir", "mode", "train-seed", "seed", "threads", "quiet", "config"}},
  };
  return table;
}

const StageEntry& entry(Stage stage) {
  for (const StageEntry& candidate : stageTable()) {
    if (candidate.stage == stage) return candidate;
  }
  return stageTable().front();  // every enumerator has an entry
}

}  // namespace

const std::vector<Stage>& allStages() {
  static const std::vector<Stage> stages = [] {
    std::vector<Stage> all;
    for (const StageEntry& candidate : stageTable()) all.push_back(candidate.stage);
    return all;
  }();
  return stages;
}

std::string stageName(Stage stage) {
  return entry(stage).name;
}

std::optional<Stage> parseStage(const std::string& name) {
  for (const StageEntry& candidate : stageTable()) {
    if (candidate.name == name) return candidate.stage;
  }
  return std::nullopt;
}

std::string stageProgram(Stage stage) {
  return "mu-" + stageName(stage);
}

std::vector<std::string> stageCommand(Stage stage, const std::string& binDir) {
  std::vector<std::string> command{binDir + "/" + stageProgram(stage)};
  if (*entry(stage).subcommand != '\0') command.push_back(entry(stage).subcommand);
  return command;
}

std::string stageDoneFile(Stage stage, const std::string& runDir) {
  return entry(stage).doneFile(runDir);
}

const std::vector<std::string>& campaignOwnedOptions(Stage stage) {
  return entry(stage).campaignOwned;
}

}  // namespace mu::campaign
