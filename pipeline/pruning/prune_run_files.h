#pragma once
// The one place that names a prune run's artefacts. Each round's folder is a complete training run
// folder (run_files.h) plus the pruned checkpoint the round started from, so a round can itself be
// the --from of another prune run or the original model of an unlearning run.

#include <string>

namespace mu::prune_files {

inline std::string round(const std::string& runDir, int64_t round) {
  return runDir + "/round-" + std::to_string(round);
}
// The round's pruned model before retraining: the scored weights times the new masks, with the
// masks (checkpoint kind "prune-round").
inline std::string pruned(const std::string& roundDir) {
  return roundDir + "/pruned.h5";
}
// Which source run the rounds prune and rewind to; a resumed run must name the same one.
inline std::string source(const std::string& runDir) {
  return runDir + "/source.json";
}
// Every round's sparsity and accuracy, written when the last round ends.
inline std::string results(const std::string& runDir) {
  return runDir + "/results.json";
}

}  // namespace mu::prune_files
