#include "pipeline/training/step_graph_policy.h"

namespace mu {

bool StepGraphKey::operator==(const StepGraphKey& other) const {
  return imageSizes == other.imageSizes && labelSizes == other.labelSizes &&
         hostConstants == other.hostConstants;
}

StepGraphAction StepGraphPolicy::next(const StepGraphKey& key) {
  const bool steady = previous_ && *previous_ == key;
  previous_ = key;
  if (eagerStepsLeft_ > 0) {
    --eagerStepsLeft_;
    return StepGraphAction::kEager;
  }
  if (recorded_ && *recorded_ == key) return StepGraphAction::kReplay;
  if (!steady) return StepGraphAction::kEager;
  recorded_ = key;
  return StepGraphAction::kRecordAndReplay;
}

}  // namespace mu
