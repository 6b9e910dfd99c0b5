// mu-campaign: expands a campaign spec into stage tasks and runs them locally or on Slurm, reports
// where each task stands, and aggregates the evaluations into the paper's tables. It only builds
// the stage programs' command lines; see README "Campaigns".

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "pipeline/atomic_output.h"
#include "pipeline/campaign/local_runner.h"
#include "pipeline/campaign/manifest.h"
#include "pipeline/campaign/report.h"
#include "pipeline/campaign/slurm_submit.h"
#include "pipeline/campaign/task_state.h"
#include "pipeline/campaign/text_file.h"
#include "pipeline/error.h"

namespace {

namespace fs = std::filesystem;
using namespace mu::campaign;

constexpr const char* kUsage = R"(usage:
  mu-campaign expand SPEC.json --root DIR            print the manifest (and write DIR/manifest.jsonl)
  mu-campaign status [SPEC.json] --root DIR          done / running / failed / pending per task
  mu-campaign run SPEC.json --root DIR [--parallel N] [--cores N]
                                                     run every task here, each with mpirun
  mu-campaign slurm SPEC.json --root DIR --site SITE.json [--dry-run] [--templates DIR]
                                                     submit job arrays with sbatch
  mu-campaign report --root DIR [SPEC.json] [--out DIR]
                                                     Markdown + CSV tables and an SVG plot
Common: --bin DIR (the stage programs; default: this program's folder).
Exit codes: 0 done, 1 a task failed, 2 bad input, 75 interrupted (rerun to resume).
)";

struct Arguments {
  std::string command;
  std::string spec;
  std::map<std::string, std::string> values;  // --name value
  bool dryRun = false;
  std::string value(const std::string& name, const std::string& fallback = "") const {
    const auto found = values.find(name);
    return found == values.end() ? fallback : found->second;
  }
};

Arguments parseArguments(int argc, char** argv) {
  if (argc < 2)
    throw mu::InputError("command line", "subcommand", "one of expand, status, run, slurm, report");
  Arguments arguments;
  arguments.command = argv[1];
  static const std::vector<std::string> valued{"--root",      "--parallel", "--cores", "--site",
                                               "--templates", "--out",      "--bin"};
  for (int i = 2; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--dry-run") {
      arguments.dryRun = true;
    } else if (std::find(valued.begin(), valued.end(), word) != valued.end()) {
      if (i + 1 >= argc) throw mu::InputError("command line", word, "a value");
      arguments.values[word.substr(2)] = argv[++i];
    } else if (word.rfind("--", 0) != 0 && arguments.spec.empty()) {
      arguments.spec = word;
    } else {
      throw mu::InputError("command line", word, "a known option (see --help)");
    }
  }
  if (arguments.value("root").empty())
    throw mu::InputError("command line", "--root", "the campaign's run tree");
  return arguments;
}

std::string executableDir() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? "." : self.parent_path().string();
}

int positiveInteger(const Arguments& arguments, const std::string& name) {
  const std::string text = arguments.value(name, "0");
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    throw mu::InputError("command line", "--" + name, "a non-negative integer, got '" + text + "'");
  }
  return std::stoi(text);
}

// The manifest from the spec (and written to ROOT once `check` accepted the spec), or the one a
// previous command wrote.
Manifest loadManifest(const Arguments& arguments, CampaignSpec* spec, bool specRequired,
                      const std::function<void(const CampaignSpec&)>& check = {}) {
  const std::string root = arguments.value("root");
  if (arguments.spec.empty()) {
    if (specRequired) throw mu::InputError("command line", "SPEC.json", "the campaign spec");
    return readManifestFile(root);
  }
  CampaignSpec parsed = readSpec(arguments.spec);
  const Manifest manifest = expand(parsed, fs::absolute(root).lexically_normal().string(),
                                   arguments.value("bin", executableDir()));
  if (check) check(parsed);
  writeManifestFile(manifest, root);
  if (spec) *spec = std::move(parsed);
  return manifest;
}

int commandStatus(const Manifest& manifest) {
  std::map<TaskState, int> counts;
  for (const Task& task : manifest.tasks) {
    const TaskStatus status = taskStatus(task);
    ++counts[status.state];
    std::printf("%-8s %-9s %s  %s%s\n", stateName(status.state).c_str(),
                stageName(task.stage).c_str(), task.hash.c_str(), task.runDir.c_str(),
                status.detail.empty() ? "" : ("  (" + status.detail + ")").c_str());
  }
  std::printf("%d done, %d running, %d failed, %d pending of %zu tasks\n", counts[TaskState::Done],
              counts[TaskState::Running], counts[TaskState::Failed], counts[TaskState::Pending],
              manifest.tasks.size());
  return counts[TaskState::Failed] > 0 ? 1 : 0;
}

int commandReport(const Arguments& arguments) {
  const std::string root = arguments.value("root");
  if (!arguments.spec.empty()) loadManifest(arguments, nullptr, true);  // labels for the tables
  const std::vector<ReportRow> rows = aggregate(collectEvaluations(root));
  const std::string out = arguments.value("out", root + "/report");
  fs::create_directories(out);
  const std::string markdown = markdownTable(rows);
  mu::writeFileAtomically(out + "/table.md", markdown);
  mu::writeFileAtomically(out + "/table.csv", csvTable(rows));
  mu::writeFileAtomically(out + "/metrics.svg", svgPlot(rows));
  std::cout << markdown << "\n(also " << out << "/table.csv and " << out << "/metrics.svg)"
            << std::endl;
  return rows.empty() ? 1 : 0;
}

int commandSlurm(const Arguments& arguments) {
  if (arguments.value("site").empty())
    throw mu::InputError("command line", "--site", "a site file (see Slurm/site.example.json)");
  SlurmScriptContext context;
  context.site = readSlurmSite(arguments.value("site"));
  // Requests the site cannot meet are refused before anything is written or submitted.
  CampaignSpec spec;
  const Manifest manifest = loadManifest(arguments, &spec, true, [&](const CampaignSpec& parsed) {
    checkSiteLimits(parsed, context.site);
  });
  const std::string templates = arguments.value("templates", MU_SLURM_TEMPLATE_DIR);
  const std::string templatePath = templates + "/stage.sbatch.in";
  context.templateText = readTextFile(templatePath);
  context.campaignName = spec.name;
  const std::string root = fs::absolute(arguments.value("root")).lexically_normal().string();
  context.logDir = root + "/slurm/logs";
  SlurmSubmitOptions options;
  options.root = root;
  options.dryRun = arguments.dryRun;
  submitToSlurm(manifest, context, options, std::cout);
  return 0;
}

int dispatch(int argc, char** argv) {
  if (argc >= 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  const Arguments arguments = parseArguments(argc, argv);
  if (arguments.command == "expand") {
    std::cout << manifestText(loadManifest(arguments, nullptr, true));
    return 0;
  }
  if (arguments.command == "status") return commandStatus(loadManifest(arguments, nullptr, false));
  if (arguments.command == "run") {
    CampaignSpec spec;
    const Manifest manifest = loadManifest(arguments, &spec, true);
    LocalRunOptions options;
    options.parallel = positiveInteger(arguments, "parallel");
    options.cores = positiveInteger(arguments, "cores");
    return runLocal(spec, manifest, options, std::cout);
  }
  if (arguments.command == "slurm") return commandSlurm(arguments);
  if (arguments.command == "report") return commandReport(arguments);
  throw mu::InputError("command line", arguments.command,
                       "one of expand, status, run, slurm, report");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return dispatch(argc, argv);
  } catch (const mu::InputError& error) {
    std::fprintf(stderr, "mu-campaign: %s\n", error.what());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "mu-campaign: error: %s\n", error.what());
    return 1;
  }
}
