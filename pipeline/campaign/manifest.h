#pragma once
// Expands a campaign spec into its stage tasks. A task's hash covers its stage, the options that
// change its results and its parents' hashes (never paths, ranks or threads), and its run folder
// is ROOT/<stage>/<hash> (an evaluate task writes into its unlearn task's folder), so a rerun or
// a requeue finds its own work and tasks shared by many children appear once.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "pipeline/campaign/spec.h"

namespace mu::campaign {

struct Task {
  Stage stage = Stage::Data;
  std::string hash;                  // 16 hex digits of the SHA-256 of config
  nlohmann::json config;             // what the hash covers
  std::string runDir;                // where the stage writes
  std::vector<std::string> parents;  // hashes of the tasks that must finish first
  std::vector<std::string> command;  // stage program (absolute) and its arguments, no launcher
  Resources resources;
  nlohmann::json labels;  // dataset, arch, seed, sparsity, forget, method: for reports

  std::string id() const { return stageName(stage) + "/" + hash; }
  std::string doneFile() const { return stageDoneFile(stage, runDir); }
  // The campaign's bookkeeping (log, running/failed markers): ROOT/campaign/<stage>/<hash>, never
  // inside runDir, which some stages want empty when they start.
  std::string stateDir;
};

struct Manifest {
  std::vector<Task> tasks;  // parents before children

  const Task& byHash(const std::string& hash) const;
  std::vector<const Task*> children(const Task& task) const;
  nlohmann::json toJson(const Task& task) const;
};

// `binDir` holds the stage programs (usually the folder of mu-campaign itself).
Manifest expand(const CampaignSpec& spec, const std::string& root, const std::string& binDir);

// ROOT/manifest.jsonl: one JSON object per task (Manifest::toJson), read back by `status` and
// `report` when they are not given the spec. Writing adds to the tasks already there (specs
// expanded into the same root earlier); a task expanded again replaces its old line. A manifest
// that cannot be read is replaced, with a warning on stderr.
void writeManifestFile(const Manifest& manifest, const std::string& root);
Manifest readManifestFile(const std::string& root);

// One tab-separated line per task: stage, hash, run folder, parents (comma-separated or "-"),
// the command.
std::string manifestText(const Manifest& manifest);

}  // namespace mu::campaign
