#include "pipeline/campaign/manifest.h"

#include <cstdio>
#include <deque>
#include <map>
#include <set>

#include <filesystem>
#include <fstream>

#include "pipeline/base/error.h"
#include "pipeline/campaign/shell_quote.h"
#include "pipeline/campaign/spec_options.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/file_digest.h"
#include "pipeline/io/file_lock.h"
#include "pipeline/io/json_number.h"
#include "pipeline/runs/run_folder.h"

namespace mu::campaign {

namespace {

// Builds the tasks of one spec; tasks are kept per stage so the manifest lists parents first.
class Expander {
 public:
  Expander(const CampaignSpec& spec, std::string root, std::string binDir)
      : spec_(spec), root_(std::move(root)), binDir_(std::move(binDir)) {}

  Manifest run() {
    if (spec_.transfer && spec_.lastStage >= Stage::Transfer) {
      targetData_ = &addData(spec_.transfer->dataset);
    }
    for (const DatasetSpec& dataset : spec_.datasets) {
      const Task& data = addData(dataset);
      if (spec_.lastStage < Stage::Train) continue;
      for (const std::string& arch : spec_.archs) {
        if (spec_.trials == "one-original") {
          // The reference's scripts: one trained model, trials varying the unlearning seed.
          expandModel(data, dataset, arch, spec_.seeds.front(), spec_.seeds);
        } else {
          for (int64_t seed : spec_.seeds) expandModel(data, dataset, arch, seed, {seed});
        }
      }
    }
    Manifest manifest;
    for (Stage stage : allStages()) {
      for (Task& task : byStage_[stage]) manifest.tasks.push_back(std::move(task));
    }
    return manifest;
  }

 private:
  void expandModel(const Task& data, const DatasetSpec& dataset, const std::string& arch,
                   int64_t seed, const std::vector<int64_t>& unlearnSeeds) {
    const Task& train = addTrain(data, arch, seed, dataset);
    for (const SparsitySpec& sparsity : spec_.sparsities) {
      const Task* model = &train;
      std::string checkpoint = runs::TrainFolder(train.runDir).best();
      if (sparsity.kind != "dense") {
        if (spec_.lastStage < Stage::Prune) continue;
        model = &addPrune(data, train, sparsity);
        checkpoint = runs::PruneFolder(model->runDir).finalModel(sparsity.rounds);
      }
      nlohmann::json modelLabels = model->labels;
      modelLabels["sparsity"] = sparsity.label();
      modelLabels["sparsity_fraction"] = sparsity.sparsity();
      addTransfers(*model, checkpoint, modelLabels);
      if (spec_.lastStage < Stage::Unlearn) continue;
      for (const ForgetSpec& forget : spec_.forget) {
        for (const MethodSpec& method : spec_.methods) {
          for (const int64_t unlearnSeed : unlearnSeeds) {
            const Task& unlearn =
                addUnlearn(data, *model, checkpoint, sparsity, forget, method, unlearnSeed);
            if (spec_.lastStage >= Stage::Evaluate) addEvaluate(data, unlearn);
            addTransfers(unlearn, runs::UnlearnFolder(unlearn.runDir).model(), unlearn.labels);
          }
        }
      }
    }
  }

  const Task& addData(const DatasetSpec& dataset) {
    Task task = start(
        Stage::Data,
        {{"format", dataset.format}, {"source", dataset.source}, {"options", dataset.options}}, {});
    task.command = {program(Stage::Data), "convert", "--format", dataset.format};
    if (!dataset.source.empty()) append(task.command, {"--source", dataset.source});
    append(task.command, {"--out", task.runDir});
    append(task.command, optionArguments(dataset.options));
    task.labels = {{"dataset", datasetLabel(dataset)}};
    return add(std::move(task));
  }

  const Task& addTrain(const Task& data, const std::string& arch, int64_t seed,
                       const DatasetSpec& dataset) {
    const StageOptions& options = spec_.options.at(Stage::Train);
    Task task =
        start(Stage::Train, {{"arch", arch}, {"seed", seed}, {"options", options}}, {data.hash});
    task.command = {program(Stage::Train), "--data", data.runDir, "--run-dir", task.runDir};
    append(task.command, modelArguments(arch, seed));
    append(task.command, optionArguments(options));
    append(task.command, runtimeArguments(task));
    task.labels = {{"dataset", datasetLabel(dataset)}, {"arch", arch}, {"seed", seed}};
    return add(std::move(task));
  }

  const Task& addPrune(const Task& data, const Task& train, const SparsitySpec& sparsity) {
    // Pruning retrains with the training options unless the prune options say otherwise.
    const StageOptions options = mergeOptions(
        mergeOptions(mergeOptions({{"prune-method", "magnitude"}}, spec_.options.at(Stage::Train)),
                     spec_.options.at(Stage::Prune)),
        sparsity.options);
    Task task = start(Stage::Prune,
                      {{"rate", sparsity.rate}, {"rounds", sparsity.rounds}, {"options", options}},
                      {train.hash});
    const auto arch = train.labels.at("arch").get<std::string>();
    const auto seed = train.labels.at("seed").get<int64_t>();
    task.command = {program(Stage::Prune), "--from",    train.runDir, "--data",
                    data.runDir,           "--run-dir", task.runDir};
    append(task.command, modelArguments(arch, seed));
    append(task.command, {"--rate", nlohmann::json(sparsity.rate).dump(), "--rounds",
                          std::to_string(sparsity.rounds)});
    append(task.command, optionArguments(options));
    append(task.command, runtimeArguments(task));
    task.labels = train.labels;
    return add(std::move(task));
  }

  const Task& addUnlearn(const Task& data, const Task& model, const std::string& checkpoint,
                         const SparsitySpec& sparsity, const ForgetSpec& forget,
                         const MethodSpec& method, int64_t seed) {
    const StageOptions options = mergeOptions(spec_.options.at(Stage::Unlearn), method.options);
    nlohmann::json config{{"method", method.name},
                          {"forget", forget.mode},
                          {"forget_value", forget.value()},
                          {"seed", seed},
                          {"options", options}};
    // The clean protocol names nothing, so its tasks keep the hashes they always had.
    if (spec_.protocol != "clean") config["protocol"] = spec_.protocol;
    Task task = start(Stage::Unlearn, std::move(config), {model.hash});
    task.command = {program(Stage::Unlearn),
                    "--data",
                    data.runDir,
                    "--original",
                    checkpoint,
                    "--run-dir",
                    task.runDir,
                    "--method",
                    method.name,
                    "--forget",
                    forget.mode};
    if (forget.mode != "poisoned") {
      append(task.command,
             {forget.mode == "class" ? "--forget-class" : "--forget-count", forget.argument()});
    }
    append(task.command, {"--seed", std::to_string(seed)});
    if (spec_.protocol != "clean") append(task.command, {"--protocol", spec_.protocol});
    append(task.command, optionArguments(options));
    append(task.command, runtimeArguments(task));
    task.labels = model.labels;
    task.labels["sparsity"] = sparsity.label();
    task.labels["sparsity_fraction"] = sparsity.sparsity();
    task.labels["forget"] = forget.label();
    task.labels["seed"] = seed;  // the trial's
    task.labels["protocol"] = spec_.protocol;
    task.labels["method"] = method.name;
    if (!method.setting.empty()) task.labels["setting"] = method.setting;
    return add(std::move(task));
  }

  void addEvaluate(const Task& data, const Task& unlearn) {
    const StageOptions& options = spec_.options.at(Stage::Evaluate);
    Task task = start(Stage::Evaluate, {{"options", options}}, {unlearn.hash});
    task.runDir = unlearn.runDir;  // evaluation.json sits beside what it evaluates
    task.command = {program(Stage::Evaluate), "--data", data.runDir, "--unlearn-dir",
                    unlearn.runDir};
    append(task.command, optionArguments(options));
    append(task.command, runtimeArguments(task));
    task.labels = unlearn.labels;
    add(std::move(task));
  }

  // The model of `source` (a train, prune or unlearn task) fitted to the target dataset, once per
  // transfer mode. Its seeds are the source's: they seed the new head and the sample order.
  void addTransfers(const Task& source, const std::string& checkpoint,
                    const nlohmann::json& labels) {
    if (targetData_ == nullptr) return;
    const StageOptions& options = spec_.options.at(Stage::Transfer);
    const auto seed = std::to_string(labels.at("seed").get<int64_t>());
    for (const std::string& mode : spec_.transfer->modes) {
      Task task = start(Stage::Transfer, {{"mode", mode}, {"options", options}},
                        {source.hash, targetData_->hash});
      task.command = {program(Stage::Transfer),
                      "--from",
                      checkpoint,
                      "--data",
                      targetData_->runDir,
                      "--run-dir",
                      task.runDir,
                      "--mode",
                      mode,
                      "--train-seed",
                      seed,
                      "--seed",
                      seed};
      append(task.command, optionArguments(options));
      append(task.command, runtimeArguments(task));
      task.labels = labels;
      task.labels["transfer_of"] = stageName(source.stage);
      task.labels["transfer_mode"] = mode;
      task.labels["target_dataset"] = targetData_->labels.at("dataset");
      add(std::move(task));
    }
  }

  Task start(Stage stage, nlohmann::json config, std::vector<std::string> parents) const {
    Task task;
    task.stage = stage;
    config["stage"] = stageName(stage);
    config["parents"] = parents;
    task.config = std::move(config);
    task.hash = sha256OfString(task.config.dump()).substr(0, 16);
    task.parents = std::move(parents);
    task.runDir = root_ + "/" + stageName(stage) + "/" + task.hash;
    task.stateDir = root_ + "/campaign/" + stageName(stage) + "/" + task.hash;
    task.resources = spec_.resources.at(stage);
    return task;
  }

  const Task& add(Task task) {
    std::deque<Task>& tasks = byStage_[task.stage];
    const auto [position, added] = seen_.emplace(task.hash, tasks.size());
    if (added) tasks.push_back(std::move(task));
    return tasks.at(position->second);
  }

  // The format, and a class subset where mu-data keeps one: "fashion-mnist[0-4]".
  static std::string datasetLabel(const DatasetSpec& dataset) {
    const auto classes = dataset.options.find("classes");
    if (classes == dataset.options.end()) return dataset.format;
    return dataset.format + "[" + optionArguments({{"classes", *classes}}).back() + "]";
  }

  static std::vector<std::string> modelArguments(const std::string& arch, int64_t seed) {
    // The campaign seed seeds both the initialisation and the sample order.
    return {"--arch", arch, "--train-seed", std::to_string(seed), "--seed", std::to_string(seed)};
  }

  // Not part of the hash: threads change speed, not results; --quiet keeps logs short.
  // How a task runs, not what it computes: none of these enter a stage's configuration hash.
  static std::vector<std::string> runtimeArguments(const Task& task) {
    std::vector<std::string> words{"--threads", std::to_string(task.resources.threads), "--quiet"};
    // One rank per GPU: each rank takes the GPU of its node-local rank.
    if (task.resources.gpus > 0) append(words, {"--device", "cuda"});
    return words;
  }

  static void append(std::vector<std::string>& to, const std::vector<std::string>& words) {
    to.insert(to.end(), words.begin(), words.end());
  }

  std::string program(Stage stage) const { return binDir_ + "/" + stageProgram(stage); }

  const CampaignSpec& spec_;
  std::string root_;
  std::string binDir_;
  std::map<Stage, std::deque<Task>> byStage_;  // deque: references stay valid
  std::map<std::string, size_t> seen_;         // hash -> index in its stage's list
  const Task* targetData_ = nullptr;           // the transfer's target dataset, if any
};

}  // namespace

const Task& Manifest::byHash(const std::string& hash) const {
  for (const Task& task : tasks) {
    if (task.hash == hash) return task;
  }
  throw InputError("manifest", hash, "a task of this campaign");
}

std::vector<const Task*> Manifest::children(const Task& parent) const {
  std::vector<const Task*> result;
  for (const Task& task : tasks) {
    for (const std::string& hash : task.parents) {
      if (hash == parent.hash) result.push_back(&task);
    }
  }
  return result;
}

nlohmann::json Manifest::toJson(const Task& task) const {
  return {{"stage", stageName(task.stage)},
          {"hash", task.hash},
          {"run_dir", task.runDir},
          {"state_dir", task.stateDir},
          {"parents", task.parents},
          {"command", task.command},
          {"resources",
           {{"ranks", task.resources.ranks},
            {"threads", task.resources.threads},
            {"gpus", task.resources.gpus},
            {"time", task.resources.time},
            {"mem", task.resources.mem}}},
          {"labels", task.labels},
          {"config", task.config}};
}

Manifest expand(const CampaignSpec& spec, const std::string& root, const std::string& binDir) {
  return Expander(spec, root, binDir).run();
}

void writeManifestFile(const Manifest& manifest, const std::string& root) {
  std::filesystem::create_directories(root);
  // Other mu-campaign processes may merge into this root at the same moment: one at a time.
  const FileLock lock(root + "/manifest.lock");
  std::string lines;
  std::set<std::string> written;
  for (const Task& task : manifest.tasks) {
    lines += manifest.toJson(task).dump() + "\n";
    written.insert(task.id());
  }
  // Several specs may share a root (and their shared stages): the root's manifest keeps every
  // task expanded into it, so `status` and `report` without a spec see them all. The earlier
  // tasks go after the new ones, in their old order: a task's parents then still come first.
  if (std::filesystem::exists(root + "/manifest.jsonl")) {
    try {
      const Manifest earlier = readManifestFile(root);
      for (const Task& task : earlier.tasks) {
        if (written.count(task.id()) == 0) lines += earlier.toJson(task).dump() + "\n";
      }
    } catch (const InputError& error) {
      // One this version cannot read (damaged, or older): the spec at hand still gets its own.
      std::fprintf(stderr, "mu-campaign: warning: %s; it now lists this spec's tasks only\n",
                   error.what());
    }
  }
  writeFileAtomically(root + "/manifest.jsonl", lines);
}

Manifest readManifestFile(const std::string& root) {
  const std::string path = root + "/manifest.jsonl";
  std::ifstream in(path);
  if (!in) throw InputError(path, "file", "a manifest written by mu-campaign (or give the spec)");
  Manifest manifest;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    try {
      const nlohmann::json json = nlohmann::json::parse(line);
      Task task;
      task.stage = parseStage(json.at("stage").get<std::string>()).value();
      task.hash = json.at("hash").get<std::string>();
      task.runDir = json.at("run_dir").get<std::string>();
      task.stateDir = json.at("state_dir").get<std::string>();
      task.parents = json.at("parents").get<std::vector<std::string>>();
      task.command = json.at("command").get<std::vector<std::string>>();
      const nlohmann::json& resources = json.at("resources");
      task.resources.ranks = jsonInteger<int64_t>(resources.at("ranks"), path, "resources.ranks");
      task.resources.threads =
          jsonInteger<int64_t>(resources.at("threads"), path, "resources.threads");
      task.resources.gpus = jsonInteger<int64_t>(resources.at("gpus"), path, "resources.gpus");
      task.resources.time = resources.at("time").get<std::string>();
      task.resources.mem = resources.at("mem").get<std::string>();
      task.labels = json.at("labels");
      task.config = json.at("config");
      manifest.tasks.push_back(std::move(task));
    } catch (const std::exception& error) {
      throw InputError(path, "line " + std::to_string(number),
                       std::string("a task: ") + error.what());
    }
  }
  return manifest;
}

std::string manifestText(const Manifest& manifest) {
  std::string text;
  for (const Task& task : manifest.tasks) {
    std::string parents;
    for (const std::string& hash : task.parents) parents += (parents.empty() ? "" : ",") + hash;
    text += stageName(task.stage) + "\t" + task.hash + "\t" + task.runDir + "\t" +
            (parents.empty() ? "-" : parents) + "\t" + shellJoin(task.command) + "\n";
  }
  return text;
}

}  // namespace mu::campaign
