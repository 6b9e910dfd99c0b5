#include "pipeline/runs/run_config.h"

#include <algorithm>
#include <filesystem>

#include "pipeline/base/code_version.h"
#include "pipeline/base/error.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/json_file.h"

namespace mu::runs {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

json fieldOf(const json& document, const std::string& key) {
  if (!document.is_object()) return json();
  const auto found = document.find(key);
  return found == document.end() ? json() : *found;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

RunConfig runConfigOf(const OptionTable& table, json inputs) {
  RunConfig config;
  config.options = table.toJson();
  config.resultOptions = table.resultAffectingJson();
  config.hash = table.configHash();
  config.inputs = std::move(inputs);
  config.operationalOptions = table.operationalNames();
  return config;
}

std::vector<std::string> configDifferences(const json& saved, const RunConfig& now) {
  std::vector<std::string> differences;
  const json savedOptions = fieldOf(saved, "options_that_change_results");
  for (const auto& [key, value] : now.resultOptions.items()) {
    if (!savedOptions.contains(key)) {
      differences.push_back(key + " (not in the saved run) vs " + value.dump());
    } else if (savedOptions.at(key) != value) {
      differences.push_back(key + " " + savedOptions.at(key).dump() + " (saved) vs " +
                            value.dump() + " (now)");
    }
  }
  for (const auto& [key, value] : savedOptions.items()) {
    if (!now.resultOptions.contains(key) && !contains(now.operationalOptions, key)) {
      differences.push_back(key + " " + value.dump() + " (saved) vs absent");
    }
  }
  // Inputs are compared where the saved run recorded them (older runs did not).
  const json savedInputs = fieldOf(saved, "inputs");
  for (const auto& [key, value] : now.inputs.items()) {
    if (savedInputs.contains(key) && savedInputs.at(key) != value) {
      differences.push_back("input " + key + " " + savedInputs.at(key).dump() + " (saved) vs " +
                            value.dump() + " (now)");
    }
  }
  return differences;
}

void checkOrWriteRunConfig(const std::string& configPath, const RunConfig& now, int worldSize,
                           const RankCoordination& ranks) {
  if (fs::exists(configPath)) {
    const json saved = readJsonFile(configPath);
    if (!saved.is_object() || !saved.contains("options_that_change_results")) {
      throw InputError(configPath, "options_that_change_results", "the saved options of the run");
    }
    const std::vector<std::string> differences = configDifferences(saved, now);
    if (!differences.empty()) {
      std::string list;
      for (const std::string& difference : differences) list += "\n  " + difference;
      throw InputError(configPath, "options",
                       "this run folder holds a run with other options; use another --run-dir or "
                       "the saved options:" +
                           list);
    }
  }
  ranks.barrier();
  // A start killed while writing (a checkpoint, results) left its temporary behind: never read,
  // since only renamed files are, but as large as what it was writing.
  if (ranks.writer) removeAbandonedTemporaries(fs::path(configPath).parent_path().string());
  if (ranks.writer && !fs::exists(configPath)) {
    json config;
    config["options"] = now.options;
    config["options_that_change_results"] = now.resultOptions;
    config["inputs"] = now.inputs;
    config["config_hash"] = now.hash;
    config["code_version"] = codeVersion();
    config["world_size"] = worldSize;
    writeJsonFile(configPath, config);
  }
  ranks.barrier();
}

void checkOrRecordInput(const InputRecord& input, const RankCoordination& ranks) {
  if (fs::exists(input.path)) {
    const json saved = readJsonFile(input.path);
    for (const std::string& key : input.identity) {
      if (fieldOf(saved, key) != fieldOf(input.record, key)) {
        throw InputError(input.path, key,
                         "the same " + input.what + " as before (" +
                             fieldOf(saved, input.describedBy).dump() + "); " + input.option +
                             " now names another (" +
                             fieldOf(input.record, input.describedBy).dump() + ")");
      }
    }
  }
  ranks.barrier();
  if (ranks.writer && !fs::exists(input.path)) writeJsonFile(input.path, input.record);
  ranks.barrier();
}

}  // namespace mu::runs
