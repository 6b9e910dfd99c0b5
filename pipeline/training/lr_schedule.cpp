#include "pipeline/training/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "pipeline/base/error.h"
#include "pipeline/cli/value_text.h"

namespace mu {

LrSchedule::LrSchedule(LrScheduleOptions options) : options_(std::move(options)) {
  if (options_.kind != "multistep" && options_.kind != "cosine" && options_.kind != "constant") {
    throw InputError("--lr-schedule", "value",
                     "expected multistep, cosine or constant, got '" + options_.kind + "'");
  }
  if (!(options_.baseLr > 0)) throw InputError("--lr", "value", "expected a positive number");
  if (options_.warmupEpochs < 0) throw InputError("--warmup-epochs", "value", "expected >= 0");
  if (options_.epochOffset < 0) throw InputError("--rewind-epoch", "value", "expected >= 0");
}

double LrSchedule::epochLr(int64_t runEpoch) const {
  const int64_t epoch = runEpoch + options_.epochOffset;
  const double base = options_.baseLr;
  if (options_.kind == "constant") return base;
  if (options_.kind == "multistep") {
    const auto passed = std::count_if(options_.milestones.begin(), options_.milestones.end(),
                                      [epoch](int64_t milestone) { return milestone <= epoch; });
    return base * std::pow(options_.gamma, static_cast<double>(passed));
  }
  // Cosine with warm-up, the reference's LambdaLR for ImageNet.
  const int64_t warmup = options_.warmupEpochs;
  if (epoch < warmup) return base * static_cast<double>(epoch + 1) / static_cast<double>(warmup);
  const double span = static_cast<double>(std::max<int64_t>(1, options_.totalEpochs - warmup));
  return base * 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(epoch - warmup) / span));
}

double LrSchedule::lrAt(int64_t runEpoch, int64_t step, int64_t stepsPerEpoch) const {
  const int64_t epoch = runEpoch + options_.epochOffset;
  if (epoch < options_.warmupEpochs && stepsPerEpoch > 0) {
    const double progress = static_cast<double>(epoch * stepsPerEpoch + step + 1) /
                            static_cast<double>(options_.warmupEpochs * stepsPerEpoch);
    return options_.baseLr * std::min(1.0, progress);
  }
  return epochLr(runEpoch);
}

std::vector<int64_t> parseMilestones(const std::string& text, const std::string& option) {
  const std::optional<std::vector<int64_t>> milestones = integerList(text);
  if (!milestones || std::any_of(milestones->begin(), milestones->end(),
                                 [](int64_t epoch) { return epoch < 0; })) {
    throw InputError(option, "value",
                     "expected comma-separated epochs like 91,136, got '" + text + "'");
  }
  return *milestones;
}

}  // namespace mu
