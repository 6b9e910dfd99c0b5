#include "pipeline/campaign/stage.h"

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

std::string stageDoneFile(Stage stage) {
  switch (stage) {
    case Stage::Data:
      return "manifest.json";
    case Stage::Evaluate:
      return "evaluation.json";
    default:
      return "results.json";
  }
}

}  // namespace mu::campaign
