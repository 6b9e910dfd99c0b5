#pragma once
// Which Slurm job arrays a submission needs and how they depend on each other.
//
// Dependencies are per task, not per stage: a train task waits only for its own data task, a
// prune or unlearn task only for its own parent. Slurm cannot give each element of one array its
// own dependency, so the tasks of a stage are grouped into one array per parent task ("the
// children of prune/abc") that waits with afterok:<parent array>_<parent index>; an evaluate
// array mirrors its unlearn array index for index and waits with aftercorr:<unlearn array>, so
// each evaluation starts when its own unlearning ends; transfer arrays do the same with the model
// or unlearning run they start from (one array per transfer mode), and also wait for the whole
// array that converts their target dataset. Tasks already done are left out, and so is every
// dependency on them.

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
  int parentIndex = -1;        // afterok:<job>_<parentIndex>; -1 with dependsOn: aftercorr:<job>
  std::vector<int> alsoAfter;  // arrays of the tasks' other parents: afterok:<job> (all of it)
};

// `submit` tells which tasks to submit (not done, not running); arrays come parents first.
std::vector<SlurmArray> planArrays(const Manifest& manifest,
                                   const std::vector<const Task*>& submit);

// "afterok:<job>_<index>" or "aftercorr:<job>" for `array`, given the parent's job id.
std::string dependencyFlag(const SlurmArray& array, const std::string& parentJob);

// dependencyFlag and afterok:<job> of every alsoAfter array, comma-separated (Slurm: all of
// them); "" for an array that waits for nothing. `jobIds` are the plan's arrays' job ids.
std::string dependencyFlags(const SlurmArray& array, const std::vector<std::string>& jobIds);

// "0-3" or "0,2,5" (then "%throttle" when throttle > 0).
std::string arrayRange(const SlurmArray& array, int64_t throttle);

}  // namespace mu::campaign
