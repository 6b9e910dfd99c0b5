#pragma once
// Where a training step's time goes, phase by phase: what bench_train_step --profile prints, so
// that a change to the step is judged by the phase it targets. Laps are host clock readings: on
// a CPU every operation has finished when it returns, so they time the work itself; on a GPU
// the loop synchronizes the device before each lap while profiling, which removes the overlap
// it would measure (profile CPU steps; time GPU epochs whole).

#include <array>
#include <chrono>
#include <cstdint>

namespace mu {

enum class StepPhase : int {
  kData,         // the next batch (augmentation, conversion, copy to the device) and its labels
  kForward,      // the model's forward pass and the loss
  kBackward,     // backward, and the epoch's loss and accuracy sums
  kGradientSum,  // the gradient buckets' sums over ranks
  kOptimizer,    // zeroing the gradients and the masked SGD step
};
constexpr int kStepPhaseCount = 5;
const char* stepPhaseName(StepPhase phase);

class StepProfile {
 public:
  void add(StepPhase phase, double seconds) { seconds_[static_cast<size_t>(phase)] += seconds; }
  double seconds(StepPhase phase) const { return seconds_[static_cast<size_t>(phase)]; }
  double totalSeconds() const;
  void countStep() { ++steps_; }
  int64_t steps() const { return steps_; }
  void reset() { *this = StepProfile(); }

 private:
  std::array<double, kStepPhaseCount> seconds_{};
  int64_t steps_ = 0;
};

// Adds the time since the previous lap to a phase; does nothing (not even read the clock) when
// no profile is attached, so the unprofiled loop pays one branch per phase.
class PhaseLaps {
 public:
  explicit PhaseLaps(StepProfile* profile);
  void lap(StepPhase phase);

 private:
  StepProfile* profile_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace mu
