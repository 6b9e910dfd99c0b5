#pragma once
// Which Slurm job arrays a submission needs and how they depend on each other.
//
// Dependencies are per task, not per stage: a train task waits only for its own data task, a
// prune or unlearn task only for its own parent. Slurm cannot give each element of one array its
// own dependency, so the tasks of a stage are grouped into one array per parent task ("the
// children of prune/abc") that waits with afterok:<parent array>_<parent index>; an evaluate
// array mirrors its unlearn array index for index and waits with aftercorr:<unlearn array>, so
// each evaluation starts when its own unlearning ends. Tasks already done are left out, and so is
// every dependency on them.

#include <string>
#include <vector>

#include "pipeline/campaign/manifest.h"

namespace mu::campaign {

struct SlurmArray {
  std::string name;  // "<stage>-<n>": the script's and the job's name
  Stage stage = Stage::Data;
  std::vector<const Task*> tasks;
  std::vector<int> indices;  // array index of each task
  // The array (index into the plan) this one waits for, or -1, and how.
  int dependsOn = -1;
  int parentIndex = -1;  // afterok:<job>_<parentIndex>; -1 with dependsOn: aftercorr:<job>
};

// `submit` tells which tasks to submit (not done, not running); arrays come parents first.
std::vector<SlurmArray> planArrays(const Manifest& manifest,
                                   const std::vector<const Task*>& submit);

// "afterok:<job>_<index>" or "aftercorr:<job>" for `array`, given the parent's job id.
std::string dependencyFlag(const SlurmArray& array, const std::string& parentJob);

// "0-3" or "0,2,5" (then "%throttle" when throttle > 0).
std::string arrayRange(const SlurmArray& array, int64_t throttle);

}  // namespace mu::campaign
