#pragma once
// Rank 0's progress line for long work: epoch, step, loss, images/s and ETA, at most every few
// seconds, on stderr (stdout stays for results).

#include <chrono>
#include <cstdint>
#include <string>

namespace mu {

class ProgressReporter {
 public:
  ProgressReporter(std::string label, bool enabled, double intervalSeconds = 10.0);

  // Call after each step; prints when the interval has passed or at the epoch's last step.
  void step(int64_t epoch, int64_t epochs, int64_t step, int64_t stepsPerEpoch, int64_t images,
            double loss, int64_t stepsLeftInRun);
  void resetEpoch();

 private:
  std::string label_;
  bool enabled_;
  double intervalSeconds_;
  std::chrono::steady_clock::time_point epochStart_;
  std::chrono::steady_clock::time_point lastPrint_;
  int64_t imagesThisEpoch_ = 0;
  int64_t stepsThisEpoch_ = 0;
};

// "1h02m", "4m12s", "37s".
std::string formatDuration(double seconds);

}  // namespace mu
