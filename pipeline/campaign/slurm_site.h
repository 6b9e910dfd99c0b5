#pragma once
// A cluster's settings for `mu-campaign slurm`, from a small JSON site file (see
// Slurm/site.example.json), so the job templates never need editing: partition, account, extra
// sbatch flags, modules, environment, how GPUs are requested, the array throttle, the warning
// signal's lead time, and the node limits that requests are checked against before submitting.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/campaign/spec.h"

namespace mu::campaign {

struct SlurmSite {
  std::string partition;
  std::string account;
  std::string qos;
  std::vector<std::string> sbatchFlags;  // each one word, e.g. "--constraint=a100"
  std::vector<std::string> modules;      // `module load` each, in order
  std::map<std::string, std::string> environment;
  std::string gpuFlag = "--gpus-per-node={gpus}";  // {gpus} is replaced by the task's count
  int64_t throttle = 0;                            // most array tasks at once (0: no limit)
  int64_t signalSeconds = 300;                     // USR1 this long before the time limit
  int64_t cpusPerNode = 0;  // limits checked before submitting (0: unchecked)
  int64_t gpusPerNode = 0;
};

SlurmSite readSlurmSite(const std::string& path);

// Throws InputError naming resources.<stage>.<field> for a request the site cannot satisfy.
void checkSiteLimits(const CampaignSpec& spec, const SlurmSite& site);

}  // namespace mu::campaign
