#include "pipeline/campaign/stage.h"

#include "pipeline/runs/run_folder.h"

namespace mu::campaign {

const std::vector<Stage>& allStages() {
  static const std::vector<Stage> stages{Stage::Data, Stage::Train, Stage::Prune, Stage::Unlearn,
                                         Stage::Evaluate};
  return stages;
}

std::string stageName(Stage stage) {
  switch (stage) {
    case Stage::Data:
      return "data";
    case Stage::Train:
      return "train";
    case Stage::Prune:
      return "prune";
    case Stage::Unlearn:
      return "unlearn";
    case Stage::Evaluate:
      return "evaluate";
  }
  return "?";
}

std::optional<Stage> parseStage(const std::string& name) {
  for (Stage stage : allStages()) {
    if (stageName(stage) == name) return stage;
  }
  return std::nullopt;
}

std::string stageProgram(Stage stage) {
  return "mu-" + stageName(stage);
}

std::vector<std::string> stageCommand(Stage stage, const std::string& binDir) {
  std::vector<std::string> command{binDir + "/" + stageProgram(stage)};
  if (stage == Stage::Data) command.push_back("convert");
  return command;
}

std::string stageDoneFile(Stage stage, const std::string& runDir) {
  switch (stage) {
    case Stage::Data:
      return runs::DatasetFolder(runDir).done();
    case Stage::Train:
      return runs::TrainFolder(runDir).done();
    case Stage::Prune:
      return runs::PruneFolder(runDir).done();
    case Stage::Unlearn:
      return runs::UnlearnFolder(runDir).done();
    case Stage::Evaluate:
      return runs::UnlearnFolder(runDir).evaluation();
  }
  return runDir;
}

}  // namespace mu::campaign
