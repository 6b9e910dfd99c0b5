#include "pipeline/campaign/slurm_script.h"

#include <algorithm>
#include <regex>

#include "pipeline/base/error.h"
#include "pipeline/campaign/shell_quote.h"
#include "pipeline/campaign/task_state.h"

namespace mu::campaign {

namespace {

void replaceAll(std::string& text, const std::string& placeholder, const std::string& value) {
  for (size_t at = text.find(placeholder); at != std::string::npos;
       at = text.find(placeholder, at + value.size())) {
    text.replace(at, placeholder.size(), value);
  }
}

// A value for an #SBATCH line: sbatch splits those lines itself, so only plain words pass.
std::string directiveValue(const std::string& value, const std::string& what) {
  static const std::regex plain(R"(^[A-Za-z0-9_.,:=+%@/{}-]+$)");
  if (!std::regex_match(value, plain)) {
    throw InputError("site file", what,
                     "a single word of letters, digits and _.,:=+%@/-, got '" + value + "'");
  }
  return value;
}

std::string sbatchLines(const SlurmArray& array, const SlurmScriptContext& context) {
  const Resources& resources = array.tasks.front()->resources;
  const SlurmSite& site = context.site;
  std::vector<std::string> flags{"--nodes=1",
                                 "--ntasks=" + std::to_string(resources.ranks),
                                 "--cpus-per-task=" + std::to_string(resources.threads),
                                 "--time=" + resources.time,
                                 "--requeue",
                                 "--open-mode=append",  // a requeued run adds to its log
                                 "--kill-on-invalid-dep=yes"};
  if (!resources.mem.empty()) flags.push_back("--mem=" + resources.mem);
  if (resources.gpus > 0) {
    std::string gpu = site.gpuFlag;
    replaceAll(gpu, "{gpus}", std::to_string(resources.gpus));
    flags.push_back(directiveValue(gpu, "gpu_flag"));
  }
  // The warning comes early enough for a checkpoint, but never before the job could start.
  const int64_t lead = std::min(site.signalSeconds, resources.timeSeconds() / 2);
  if (lead > 0) flags.push_back("--signal=B:USR1@" + std::to_string(lead));
  if (!site.partition.empty())
    flags.push_back("--partition=" + directiveValue(site.partition, "partition"));
  if (!site.account.empty())
    flags.push_back("--account=" + directiveValue(site.account, "account"));
  if (!site.qos.empty()) flags.push_back("--qos=" + directiveValue(site.qos, "qos"));
  for (const std::string& flag : site.sbatchFlags)
    flags.push_back(directiveValue(flag, "sbatch_flags"));
  std::string lines;
  for (const std::string& flag : flags) lines += "#SBATCH " + flag + "\n";
  lines.pop_back();
  return lines;
}

std::string setupLines(const SlurmSite& site) {
  std::string lines;
  for (const std::string& module : site.modules)
    lines += "module load " + shellQuote(module) + "\n";
  for (const auto& [name, value] : site.environment) {
    lines += "export " + name + "=" + shellQuote(value) + "\n";
  }
  if (!lines.empty()) lines.pop_back();
  return lines;
}

std::string taskTable(const SlurmArray& array) {
  std::string table;
  for (size_t i = 0; i < array.tasks.size(); ++i) {
    const Task& task = *array.tasks[i];
    table += "  " + std::to_string(array.indices[i]) + ")\n";
    table += "    task_hash=" + shellQuote(task.hash) + "\n";
    table += "    run_dir=" + shellQuote(task.runDir) + "\n";
    table += "    done_file=" + shellQuote(task.doneFile()) + "\n";
    // The markers the local runner writes too (runs/run_folder.h names them for both).
    const runs::TaskStateFolder state = stateFolder(task);
    table += "    state_dir=" + shellQuote(state.dir()) + "\n";
    table += "    running_marker=" + shellQuote(state.running()) + "\n";
    table += "    failed_marker=" + shellQuote(state.failed()) + "\n";
    table += "    attempts_file=" + shellQuote(state.attempts()) + "\n";
    table += "    stage_command=(" + shellJoin(task.command) + ")\n";
    table += "    ;;\n";
  }
  table.pop_back();
  return table;
}

}  // namespace

std::string jobName(const SlurmArray& array, const std::string& campaignName) {
  std::string name = campaignName + "-" + array.name;
  std::replace_if(
      name.begin(), name.end(),
      [](char c) {
        return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
      },
      '_');
  return name;
}

std::string renderArrayScript(const SlurmArray& array, const SlurmScriptContext& context) {
  const Resources& resources = array.tasks.front()->resources;
  std::string script = context.templateText;
  replaceAll(script, "@SBATCH@", sbatchLines(array, context));
  replaceAll(script, "@SETUP@", setupLines(context.site));
  replaceAll(script, "@TASKS@", taskTable(array));
  replaceAll(script, "@STAGE@", shellQuote(stageName(array.stage)));
  replaceAll(script, "@LOG_DIR@", shellQuote(context.logDir));
  replaceAll(script, "@RANKS@", std::to_string(resources.ranks));
  replaceAll(script, "@THREADS@", std::to_string(resources.threads));
  return script;
}

std::vector<std::string> sbatchArguments(const SlurmArray& array, const SlurmScriptContext& context,
                                         const std::string& dependency) {
  std::vector<std::string> arguments{"--parsable",
                                     "--job-name=" + jobName(array, context.campaignName),
                                     "--output=" + context.logDir + "/%x_%A_%a.out",
                                     "--array=" + arrayRange(array, context.site.throttle)};
  if (!dependency.empty()) arguments.push_back("--dependency=" + dependency);
  return arguments;
}

}  // namespace mu::campaign
