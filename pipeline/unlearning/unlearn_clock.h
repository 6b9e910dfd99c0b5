#pragma once
// The run-time efficiency clock (RTE, docs/reference-behaviour.md §7.4): the wall-clock time of the
// unlearning work itself. Time spent in a stage's progress hooks (checkpoint writing) is taken out,
// so RTE does not depend on how often a run checkpoints.

#include <chrono>

namespace mu {

class UnlearnClock {
 public:
  UnlearnClock() : start_(Clock::now()) {}

  // Seconds since construction, less the time spent inside excluded() calls.
  double seconds() const {
    return std::chrono::duration<double>(Clock::now() - start_).count() - excludedSeconds_;
  }

  // Runs `work` without counting its time.
  template <typename Work>
  void excluded(Work&& work) {
    const auto begin = Clock::now();
    work();
    excludedSeconds_ += std::chrono::duration<double>(Clock::now() - begin).count();
  }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
  double excludedSeconds_ = 0;
};

}  // namespace mu
