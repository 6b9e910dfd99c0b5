#include "pipeline/campaign/slurm_plan.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace mu::campaign {

namespace {

struct Placement {
  int array = -1;
  int index = -1;
};

}  // namespace

std::vector<SlurmArray> planArrays(const Manifest& manifest,
                                   const std::vector<const Task*>& submit) {
  std::vector<SlurmArray> arrays;
  std::map<std::string, Placement> placed;  // task hash -> where it runs
  std::map<Stage, int> count;
  // Group key: the parent's array and, except for evaluate and transfer, the parent's index; for
  // those, which of the parent's children of that stage this is (a transfer per mode).
  std::map<std::pair<Stage, std::tuple<int, int, int>>, int> groups;
  std::map<std::pair<std::string, Stage>, int> childrenSeen;  // (parent hash, stage) -> count
  for (const Task& task : manifest.tasks) {                   // parents come first in a manifest
    bool wanted = false;
    for (const Task* chosen : submit) wanted = wanted || chosen == &task;
    if (!wanted) continue;
    Placement parent;
    if (!task.parents.empty() && placed.count(task.parents.front())) {
      parent = placed.at(task.parents.front());
    }
    const bool corresponding =
        (task.stage == Stage::Evaluate || task.stage == Stage::Transfer) && parent.array >= 0;
    const int sibling =
        task.parents.empty() ? 0 : childrenSeen[{task.parents.front(), task.stage}]++;
    const auto key =
        std::make_pair(task.stage, std::make_tuple(parent.array, corresponding ? -1 : parent.index,
                                                   corresponding ? sibling : 0));
    auto group = groups.find(key);
    if (group == groups.end()) {
      SlurmArray array;
      array.stage = task.stage;
      array.name = stageName(task.stage) + "-" + std::to_string(count[task.stage]++);
      array.dependsOn = parent.array;
      array.parentIndex = corresponding ? -1 : parent.index;
      arrays.push_back(array);
      group = groups.emplace(key, static_cast<int>(arrays.size()) - 1).first;
    }
    SlurmArray& array = arrays[static_cast<size_t>(group->second)];
    for (size_t other = 1; other < task.parents.size(); ++other) {
      const auto placedParent = placed.find(task.parents[other]);
      if (placedParent == placed.end()) continue;  // done already
      const int otherArray = placedParent->second.array;
      if (std::find(array.alsoAfter.begin(), array.alsoAfter.end(), otherArray) ==
          array.alsoAfter.end()) {
        array.alsoAfter.push_back(otherArray);
      }
    }
    const int index = corresponding ? parent.index : static_cast<int>(array.tasks.size());
    array.tasks.push_back(&task);
    array.indices.push_back(index);
    placed[task.hash] = {group->second, index};
  }
  return arrays;
}

std::string dependencyFlag(const SlurmArray& array, const std::string& parentJob) {
  if (array.parentIndex < 0) return "aftercorr:" + parentJob;
  return "afterok:" + parentJob + "_" + std::to_string(array.parentIndex);
}

std::string dependencyFlags(const SlurmArray& array, const std::vector<std::string>& jobIds) {
  std::string flags;
  if (array.dependsOn >= 0)
    flags = dependencyFlag(array, jobIds.at(static_cast<size_t>(array.dependsOn)));
  for (const int other : array.alsoAfter) {
    flags += (flags.empty() ? "" : ",") + std::string("afterok:") +
             jobIds.at(static_cast<size_t>(other));
  }
  return flags;
}

std::string arrayRange(const SlurmArray& array, int64_t throttle) {
  bool contiguous = true;
  for (size_t i = 0; i < array.indices.size(); ++i) {
    contiguous = contiguous && array.indices[i] == static_cast<int>(i);
  }
  std::string range;
  if (contiguous) {
    range = "0-" + std::to_string(array.indices.size() - 1);
  } else {
    for (int index : array.indices) range += (range.empty() ? "" : ",") + std::to_string(index);
  }
  if (throttle > 0) range += "%" + std::to_string(throttle);
  return range;
}

}  // namespace mu::campaign
