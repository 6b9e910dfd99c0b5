#pragma once
// Learning-rate schedules of the reference (docs/reference-behaviour.md §1.4, §1.5, §4.2):
// MultiStep (x gamma at each milestone epoch) and cosine with warm-up, both stepped per epoch, plus
// the per-iteration linear warm-up that the reference's train() applies during the first
// `warmupEpochs` epochs.

#include <cstdint>
#include <string>
#include <vector>

namespace mu {

struct LrScheduleOptions {
  std::string kind = "multistep";  // "multistep" | "cosine" | "constant"
  double baseLr = 0.1;
  std::vector<int64_t> milestones{91, 136};
  double gamma = 0.1;
  int64_t totalEpochs = 182;  // cosine period
  int64_t warmupEpochs = 0;
  // Learning-rate rewinding (docs/reference-behaviour.md §5.3): a retraining round that rewinds to
  // epoch R steps its scheduler R times first, so its epoch e runs at the schedule's epoch e + R.
  int64_t epochOffset = 0;
};

class LrSchedule {
 public:
  explicit LrSchedule(LrScheduleOptions options);

  // The learning rate of iteration `step` (0-based) of the run's `epoch` (0-based; the schedule
  // is evaluated at epoch + epochOffset).
  double lrAt(int64_t epoch, int64_t step, int64_t stepsPerEpoch) const;
  // The per-epoch value alone (what PyTorch's scheduler would hold during `epoch`).
  double epochLr(int64_t epoch) const;

 private:
  LrScheduleOptions options_;
};

// Parses "91,136" (empty = no milestones); throws InputError naming `option` on bad text.
std::vector<int64_t> parseMilestones(const std::string& text, const std::string& option);

}  // namespace mu
