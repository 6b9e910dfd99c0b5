#include "pipeline/campaign/slurm_submit.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "pipeline/base/error.h"
#include "pipeline/campaign/process.h"
#include "pipeline/campaign/shell_quote.h"
#include "pipeline/campaign/task_state.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/json_file.h"
#include "pipeline/io/text_file.h"

namespace mu::campaign {

namespace fs = std::filesystem;

namespace {

// A running marker written by a Slurm job whose job squeue no longer knows is stale.
bool stillQueued(const Task& task) {
  nlohmann::json marker;
  try {
    marker = readJsonFile(runningMarker(task));
  } catch (const std::exception&) {
    return true;
  }
  const std::string job = stringField(marker, "job");
  if (job.empty()) return true;  // a local runner's task: taskStatus() checked its pid
  const ProcessResult queue = captureProgram({"squeue", "-h", "-o", "%i", "-j", job});
  return queue.exitCode == 0 && !queue.output.empty();
}

std::vector<const Task*> tasksToSubmit(const Manifest& manifest, bool dryRun) {
  std::vector<const Task*> submit;
  for (const Task& task : manifest.tasks) {
    const TaskStatus status = taskStatus(task);
    if (status.state == TaskState::Done) continue;
    if (status.state == TaskState::Running) {
      if (dryRun) continue;  // a dry run only shows what the rest would look like
      if (stillQueued(task)) {
        throw InputError(task.runDir, stageName(task.stage),
                         "not running (" + status.detail + "); wait for it or scancel it first");
      }
    }
    submit.push_back(&task);
  }
  return submit;
}

std::string parseJobId(const ProcessResult& result, const std::vector<std::string>& command) {
  std::string id = result.output.substr(0, result.output.find_first_of(";\n"));
  if (result.exitCode != 0 || id.empty() ||
      id.find_first_not_of("0123456789") != std::string::npos) {
    throw SystemError("sbatch failed (exit code " + std::to_string(result.exitCode) +
                      "): " + shellJoin(command));
  }
  return id;
}

long long unixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int submitToSlurm(const Manifest& manifest, const SlurmScriptContext& context,
                  const SlurmSubmitOptions& options, std::ostream& out) {
  const std::vector<SlurmArray> arrays =
      planArrays(manifest, tasksToSubmit(manifest, options.dryRun));
  if (arrays.empty()) {
    out << "mu-campaign: every task is done; nothing to submit" << std::endl;
    return 0;
  }
  const std::string scriptDir = options.root + "/slurm";
  if (!options.dryRun) fs::create_directories(context.logDir);
  std::vector<std::string> jobIds;  // per array; in a dry run "$<name>" placeholders
  nlohmann::json record = {{"submitted", unixSeconds()}, {"arrays", nlohmann::json::array()}};
  for (const SlurmArray& array : arrays) {
    const std::string script = scriptDir + "/" + array.name + ".sbatch";
    const std::string dependency = dependencyFlags(array, jobIds);
    std::vector<std::string> command{"sbatch"};
    for (const std::string& argument : sbatchArguments(array, context, dependency)) {
      command.push_back(argument);
    }
    command.push_back(script);
    const std::string text = renderArrayScript(array, context);
    if (options.dryRun) {
      out << "# " << array.name << ": " << array.tasks.size() << " " << stageName(array.stage)
          << " task(s)\n"
          << shellJoin(command) << "\n"
          << "# ---- " << script << "\n"
          << text << "# ----\n\n";
      jobIds.push_back("<job of " + array.name + ">");
      continue;
    }
    writeFileAtomically(script, text);
    const std::string id = parseJobId(captureProgram(command), command);
    jobIds.push_back(id);
    out << "submitted " << array.name << " (" << array.tasks.size() << " " << stageName(array.stage)
        << " task(s)) as job " << id << (dependency.empty() ? "" : ", " + dependency) << std::endl;
    nlohmann::json tasks = nlohmann::json::object();
    for (size_t i = 0; i < array.tasks.size(); ++i) {
      tasks[array.tasks[i]->id()] = id + "_" + std::to_string(array.indices[i]);
    }
    record["arrays"].push_back({{"name", array.name},
                                {"job", id},
                                {"script", script},
                                {"dependency", dependency},
                                {"tasks", tasks}});
  }
  if (!options.dryRun) {
    std::ofstream(scriptDir + "/submissions.jsonl", std::ios::app) << record.dump() << "\n";
  }
  return static_cast<int>(arrays.size());
}

}  // namespace mu::campaign
