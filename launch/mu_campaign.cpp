// mu-campaign: expands a campaign spec into stage tasks and runs them locally or on Slurm, reports
// where each task stands, and aggregates the evaluations into the paper's tables. It only builds
// the stage programs' command lines (and asks the programs what they accept); see README
// "Campaigns".

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/campaign/catalogue.h"
#include "pipeline/campaign/local_runner.h"
#include "pipeline/campaign/manifest.h"
#include "pipeline/campaign/report.h"
#include "pipeline/campaign/slurm_submit.h"
#include "pipeline/campaign/task_state.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/io/atomic_output.h"
#include "pipeline/io/text_file.h"

namespace {

namespace fs = std::filesystem;
using namespace mu::campaign;

std::string executableDir() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? "." : self.parent_path().string();
}

// Every command's options; each command declares the ones it takes.
struct Arguments {
  std::string spec;
  std::string root;
  std::string bin = executableDir();
  int64_t parallel = 0;
  int64_t cores = 0;
  std::string site;
  std::string templates = MU_SLURM_TEMPLATE_DIR;
  bool dryRun = false;
  std::string out;

  void registerCommon(mu::OptionTable& table, const char* specHelp) {
    table.add("spec", &spec, specHelp)
        .positional("spec")
        .add("root", &root, "the campaign's run tree")
        .add("bin", &bin, "folder of the stage programs (default: this program's folder)");
  }
  std::string absoluteRoot() const {
    if (root.empty()) throw mu::InputError("command line", "--root", "the campaign's run tree");
    return fs::absolute(root).lexically_normal().string();
  }
  const Catalogue& catalogue() {
    if (!catalogue_) catalogue_ = Catalogue::fromPrograms(bin);
    return *catalogue_;
  }

 private:
  std::optional<Catalogue> catalogue_;
};

// The manifest from the spec (and written to ROOT once `check` accepted the spec), or the one a
// previous command wrote.
Manifest loadManifest(Arguments& arguments, CampaignSpec* spec, bool specRequired,
                      const std::function<void(const CampaignSpec&)>& check = {}) {
  const std::string root = arguments.absoluteRoot();
  if (arguments.spec.empty()) {
    if (specRequired) throw mu::InputError("command line", "SPEC.json", "the campaign spec");
    return readManifestFile(root);
  }
  CampaignSpec parsed = readSpec(arguments.spec, arguments.catalogue());
  const Manifest manifest = expand(parsed, root, arguments.bin);
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

int commandReport(Arguments& arguments) {
  const std::string root = arguments.absoluteRoot();
  if (!arguments.spec.empty()) loadManifest(arguments, nullptr, true);  // labels for the tables
  const std::vector<ReportRow> rows =
      aggregate(collectEvaluations(root), arguments.catalogue().methods());
  const std::string out = arguments.out.empty() ? root + "/report" : arguments.out;
  fs::create_directories(out);
  const std::string markdown = markdownTable(rows);
  mu::writeFileAtomically(out + "/table.md", markdown);
  mu::writeFileAtomically(out + "/table.csv", csvTable(rows));
  mu::writeFileAtomically(out + "/metrics.svg", svgPlot(rows));
  std::cout << markdown << "\n(also " << out << "/table.csv and " << out << "/metrics.svg)"
            << std::endl;
  return rows.empty() ? 1 : 0;
}

int commandSlurm(Arguments& arguments) {
  if (arguments.site.empty())
    throw mu::InputError("command line", "--site", "a site file (see Slurm/site.example.json)");
  SlurmScriptContext context;
  context.site = readSlurmSite(arguments.site);
  // Requests the site cannot meet are refused before anything is written or submitted.
  CampaignSpec spec;
  const Manifest manifest = loadManifest(arguments, &spec, true, [&](const CampaignSpec& parsed) {
    checkSiteLimits(parsed, context.site);
  });
  context.templateText = mu::readTextFile(arguments.templates + "/stage.sbatch.in");
  context.campaignName = spec.name;
  const std::string root = arguments.absoluteRoot();
  context.logDir = root + "/slurm/logs";
  SlurmSubmitOptions options;
  options.root = root;
  options.dryRun = arguments.dryRun;
  submitToSlurm(manifest, context, options, std::cout);
  return 0;
}

int commandRun(Arguments& arguments) {
  if (arguments.parallel < 0 || arguments.cores < 0) {
    throw mu::InputError("command line", arguments.parallel < 0 ? "--parallel" : "--cores",
                         "a non-negative integer");
  }
  CampaignSpec spec;
  const Manifest manifest = loadManifest(arguments, &spec, true);
  LocalRunOptions options;
  options.parallel = static_cast<int>(arguments.parallel);
  options.cores = static_cast<int>(arguments.cores);
  return runLocal(spec, manifest, options, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
  Arguments arguments;
  using Table = mu::OptionTable;
  using Parsed = mu::ParsedCommandLine;
  const std::vector<mu::Command> commands{
      {"expand",
       "print the manifest (and write ROOT/manifest.jsonl)",
       "usage: mu-campaign expand SPEC.json --root DIR",
       [&](Table& table) { arguments.registerCommon(table, "the campaign spec"); },
       [&](const Parsed&) {
         std::cout << manifestText(loadManifest(arguments, nullptr, true));
         return 0;
       },
       {}},
      {"status",
       "done / running / failed / pending per task",
       "usage: mu-campaign status [SPEC.json] --root DIR",
       [&](Table& table) {
         arguments.registerCommon(table, "the campaign spec (default: ROOT/manifest.jsonl)");
       },
       [&](const Parsed&) { return commandStatus(loadManifest(arguments, nullptr, false)); },
       {}},
      {"run",
       "run every task here, each with mpirun",
       "usage: mu-campaign run SPEC.json --root DIR [--parallel N] [--cores N]",
       [&](Table& table) {
         arguments.registerCommon(table, "the campaign spec");
         table.add("parallel", &arguments.parallel, "most tasks at once (0: as the cores allow)")
             .add("cores", &arguments.cores, "cores to fill (0: those this process may use)");
       },
       [&](const Parsed&) { return commandRun(arguments); },
       {}},
      {"slurm",
       "submit job arrays with sbatch",
       "usage: mu-campaign slurm SPEC.json --root DIR --site SITE.json [--dry-run] "
       "[--templates DIR]",
       [&](Table& table) {
         arguments.registerCommon(table, "the campaign spec");
         table.add("site", &arguments.site, "the cluster's site file (Slurm/site.example.json)")
             .addFlag("dry-run", &arguments.dryRun, "print the sbatch commands and scripts only")
             .add("templates", &arguments.templates, "folder of stage.sbatch.in");
       },
       [&](const Parsed&) { return commandSlurm(arguments); },
       {}},
      {"report",
       "Markdown + CSV tables and an SVG plot",
       "usage: mu-campaign report --root DIR [SPEC.json] [--out DIR]",
       [&](Table& table) {
         arguments.registerCommon(table, "the campaign spec (labels; default: the manifest)");
         table.add("out", &arguments.out, "output folder (default: ROOT/report)");
       },
       [&](const Parsed&) { return commandReport(arguments); },
       {}},
  };
  return mu::runCommands(
      "mu-campaign",
      "usage: mu-campaign <command> [SPEC.json] --root DIR [options]\n\n"
      "Expands a campaign spec into stage tasks, runs them here or on Slurm, reports where each "
      "stands\nand aggregates the evaluations into the paper's tables.\n"
      "Exit codes: 0 done, 1 a task failed, 2 bad input, 75 interrupted (rerun to resume).",
      commands, argc, argv);
}
