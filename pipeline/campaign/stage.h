#pragma once
// The five stages a campaign chains, in dependency order: their names, the program (and
// sub-command) that runs each, and what marks each one finished in its run folder (the stage
// programs write that file last, atomically; runs/run_folder.h names it).

#include <optional>
#include <string>
#include <vector>

namespace mu::campaign {

enum class Stage { Data, Train, Prune, Unlearn, Evaluate };

const std::vector<Stage>& allStages();
std::string stageName(Stage stage);
std::optional<Stage> parseStage(const std::string& name);
// The stage program, e.g. "mu-train".
std::string stageProgram(Stage stage);
// The program in `binDir` and its sub-command: {"<bin>/mu-data", "convert"}, {"<bin>/mu-train"}.
std::vector<std::string> stageCommand(Stage stage, const std::string& binDir);
// The file whose presence in its run folder means the stage finished: manifest.json (data),
// evaluation.json (evaluate, in its unlearn folder), results.json (the others).
std::string stageDoneFile(Stage stage, const std::string& runDir);

}  // namespace mu::campaign
