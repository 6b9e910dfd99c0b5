#include "pipeline/training/step_profile.h"

namespace mu {

const char* stepPhaseName(StepPhase phase) {
  switch (phase) {
    case StepPhase::kData:
      return "data";
    case StepPhase::kForward:
      return "forward";
    case StepPhase::kBackward:
      return "backward";
    case StepPhase::kGradientSum:
      return "gradient sums";
    case StepPhase::kOptimizer:
      return "optimizer";
  }
  return "?";
}

double StepProfile::totalSeconds() const {
  double total = 0;
  for (double seconds : seconds_) total += seconds;
  return total;
}

PhaseLaps::PhaseLaps(StepProfile* profile) : profile_(profile) {
  if (profile_ != nullptr) last_ = std::chrono::steady_clock::now();
}

void PhaseLaps::lap(StepPhase phase) {
  if (profile_ == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  profile_->add(phase, std::chrono::duration<double>(now - last_).count());
  last_ = now;
}

}  // namespace mu
