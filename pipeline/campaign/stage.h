#pragma once
// The six stages a campaign chains, in dependency order, declared once in one table: each one's
// name, the program (and sub-command) that runs it, the file whose presence in its run folder
// means it finished (runs/run_folder.h names it; the stage writes it last, atomically), and the
// options the campaign sets itself on its command line.

#include <optional>
#include <string>
#include <vector>

namespace mu::campaign {

enum class Stage { Data, Train, Prune, Unlearn, Evaluate, Transfer };

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
// What the campaign passes to the stage's program itself (--data, --run-dir, --seed, ...): a spec
// may not set these.
const std::vector<std::string>& campaignOwnedOptions(Stage stage);

}  // namespace mu::campaign
