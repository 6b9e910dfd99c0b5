#pragma once
// Renders one job array's sbatch script from the template Slurm/stage.sbatch.in: #SBATCH lines
// for the stage's resources and the site's settings, the site's modules and environment, and a
// table from array index to run folder and stage command. Values from the spec and the site go
// into the body shell-quoted; #SBATCH lines (which sbatch, not the shell, reads) only get values
// checked to be single plain words.

#include <string>
#include <vector>

#include "pipeline/campaign/slurm_plan.h"
#include "pipeline/campaign/slurm_site.h"

namespace mu::campaign {

struct SlurmScriptContext {
  std::string templateText;  // contents of Slurm/stage.sbatch.in
  std::string campaignName;
  std::string logDir;  // ROOT/slurm/logs
  SlurmSite site;
};

std::string renderArrayScript(const SlurmArray& array, const SlurmScriptContext& context);

// sbatch's arguments before the script: --parsable, name, logs, array range and `dependency`
// (empty: none).
std::vector<std::string> sbatchArguments(const SlurmArray& array, const SlurmScriptContext& context,
                                         const std::string& dependency);

// The job name of an array: "<campaign>-<stage>-<n>" with anything but [A-Za-z0-9_.-] as '_'.
std::string jobName(const SlurmArray& array, const std::string& campaignName);

}  // namespace mu::campaign
