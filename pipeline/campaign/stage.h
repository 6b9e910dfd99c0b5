#pragma once
// The five stages a campaign chains, in dependency order, and what marks each one finished in its
// run folder (the stage programs write that file last, atomically).

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
// The file whose presence means the stage finished: manifest.json (data), evaluation.json
// (evaluate), results.json (the others).
std::string stageDoneFile(Stage stage);

}  // namespace mu::campaign
