#pragma once
// `mu-campaign slurm`: plans the arrays of the tasks still to run, renders their scripts into
// ROOT/slurm/ and submits them in order with `sbatch --parsable`, each with the dependency on
// the job id its parent array got; the ids go to ROOT/slurm/submissions.jsonl. A dry run prints
// the sbatch command lines and scripts and changes nothing.

#include <iosfwd>
#include <string>

#include "pipeline/campaign/manifest.h"
#include "pipeline/campaign/slurm_script.h"

namespace mu::campaign {

struct SlurmSubmitOptions {
  std::string root;
  bool dryRun = false;
};

// Returns the number of arrays submitted (or printed).
int submitToSlurm(const Manifest& manifest, const SlurmScriptContext& context,
                  const SlurmSubmitOptions& options, std::ostream& out);

}  // namespace mu::campaign
