#pragma once
// A campaign: the grid datasets x archs x sparsities x forget modes x methods x seeds, the options
// passed to each stage program, and the resources of each stage. See README "Campaigns" for the
// file format; readSpec() validates everything before anything runs or is submitted.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/campaign/catalogue.h"
#include "pipeline/campaign/stage.h"

namespace mu::campaign {

// Options of a stage program, "name" -> value, passed as `--name value` (true: `--name`, false:
// omitted, a list: comma-separated). Kept as a JSON object so hashes see them canonically sorted.
using StageOptions = nlohmann::json;

struct Resources {
  int64_t ranks = 1;              // MPI ranks (Slurm tasks, one node)
  int64_t threads = 1;            // LibTorch threads per rank (Slurm cpus-per-task)
  int64_t gpus = 0;               // GPUs of the task (Slurm --gpus)
  std::string time = "01:00:00";  // Slurm time limit, [D-]HH:MM:SS
  std::string mem;                // Slurm --mem (e.g. "4G"); empty: the site's default
  int64_t timeSeconds() const;
};

struct DatasetSpec {
  std::string format;  // mu-data --format
  std::string source;  // mu-data --source (empty: the format's default)
  StageOptions options = StageOptions::object();
};

struct SparsitySpec {
  std::string kind;  // dense | omp | imp
  double rate = 0;   // fraction pruned per round
  int64_t rounds = 0;
  StageOptions options = StageOptions::object();  // extra mu-prune options
  // Overall fraction of pruned weights: 1 - (1 - rate)^rounds.
  double sparsity() const;
  std::string label() const;  // "dense", "omp-0.95", "imp-0.2x5"
};

struct ForgetSpec {
  std::string mode;              // class | random | poisoned (a backdoor's samples)
  std::vector<int64_t> classes;  // class: the classes forgotten, one or several
  int64_t count = 0;             // random: the number of samples
  std::string label() const;     // "class-0", "class-1+4+7", "random-600", "poisoned"
  // What --forget-class or --forget-count is given: "0", "1,4,7", "600" (poisoned: nothing).
  std::string argument() const;
  // What a task's identity records: a number (one class, or the count), else the list of classes,
  // so one class names its tasks as it did before lists existed.
  nlohmann::json value() const;
};

struct MethodSpec {
  std::string name;
  StageOptions options = StageOptions::object();
  // Where the grid takes a method several times (a sweep): the options that tell this entry from
  // the others of its name, briefly ("iu-alpha 0.01"); empty otherwise. Reports name rows by it.
  std::string setting;
};

// "transfer": every model of the grid, before and after unlearning, fitted to a target dataset
// (the paper's transfer via source-class removal, docs/reference-behaviour.md §9.2).
struct TransferSpec {
  DatasetSpec dataset;             // the target task, converted by a data task of its own
  std::vector<std::string> modes;  // mu-transfer --mode: one transfer task per model and mode
};

struct CampaignSpec {
  std::string file;  // where it was read from (for messages)
  std::string name;
  std::vector<DatasetSpec> datasets;
  std::vector<std::string> archs;
  std::vector<SparsitySpec> sparsities;
  std::vector<ForgetSpec> forget;
  std::vector<MethodSpec> methods;
  std::vector<int64_t> seeds;
  std::map<Stage, StageOptions> options;  // every stage has an entry (maybe empty)
  std::map<Stage, Resources> resources;   // every stage has an entry
  Stage lastStage = Stage::Transfer;      // "stop_after": stages after it are not expanded
  std::optional<TransferSpec> transfer;   // none: no transfer tasks
  // "protocol": clean (ours) | reference (mu-unlearn --protocol reference: the paper's code's
  // behaviour, docs/reference-behaviour.md §12).
  std::string protocol = "clean";
  // "trials": retrain-per-seed (each seed trains its own original model) | one-original (the first
  // seed's model serves every seed's unlearning, as the reference's scripts do; the reference
  // protocol's default).
  std::string trials = "retrain-per-seed";
};

// Every name (format, arch, method) and every stage option is checked against what the stage
// programs say they accept (`catalogue`), so a spec fails here, naming its key, rather than on a
// cluster hours later.
CampaignSpec parseSpec(const nlohmann::json& document, const std::string& file,
                       const Catalogue& catalogue);
CampaignSpec readSpec(const std::string& path, const Catalogue& catalogue);

}  // namespace mu::campaign
