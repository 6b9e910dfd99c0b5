#pragma once
// What makes resuming a run safe: a run folder holds one run, so a stage started again in it must
// be given the same options that change results and read the same inputs; anything else is
// refused with the differences listed, before a file is touched. config.json records what the
// first start was given; original.json / source.json record which model a run builds on.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "pipeline/base/rank_coordination.h"
#include "pipeline/cli/option_table.h"

namespace mu::runs {

// What config.json records about a run.
struct RunConfig {
  nlohmann::json options;        // every option by name (config.json "options")
  nlohmann::json resultOptions;  // the options that change results
  std::string hash;              // their configuration hash
  // What the run reads, identified by content rather than by path (a dataset folder may move
  // between a run and its resume): {"dataset": name, "source_sha256": ...}. Empty: nothing.
  nlohmann::json inputs = nlohmann::json::object();
  // Options this program declares operational. A saved run may have recorded one of them as
  // result-changing (earlier versions did so for --data): it is not compared.
  std::vector<std::string> operationalOptions;
};

RunConfig runConfigOf(const OptionTable& table, nlohmann::json inputs = nlohmann::json::object());

// The differences between a saved config.json document and `now`, one line each:
// "weight-decay 0.0005 (saved) vs 0.1 (now)". Empty when the run may resume.
std::vector<std::string> configDifferences(const nlohmann::json& saved, const RunConfig& now);

// Every rank checks <configPath> against `now` (InputError naming the file and listing the
// differences); the writer writes it when it does not exist yet, with `worldSize` and the code
// version.
void checkOrWriteRunConfig(const std::string& configPath, const RunConfig& now, int worldSize,
                           const RankCoordination& ranks);

// A resumed run must build on the same input as its first start: `path` keeps `record` from that
// start. Every rank compares the fields `identity` of the saved record with `record` (a missing
// or damaged field differs too) and refuses with an InputError naming the file and the field:
// "the same <what> as before (<saved describedBy>); <option> now names another (<now
// describedBy>)". The writer writes `record` when `path` does not exist yet.
struct InputRecord {
  std::string path;
  nlohmann::json record;
  std::vector<std::string> identity;  // fields that must be equal
  std::string describedBy;            // the field that tells a person which input it was
  std::string what;                   // "original checkpoint", "source run"
  std::string option;                 // the option that names the input: "--original"
};
void checkOrRecordInput(const InputRecord& input, const RankCoordination& ranks);

}  // namespace mu::runs
