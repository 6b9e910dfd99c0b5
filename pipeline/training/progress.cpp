#include "pipeline/training/progress.h"

#include <cstdio>

namespace mu {

std::string formatDuration(double seconds) {
  const auto total = static_cast<int64_t>(seconds + 0.5);
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof(text), "%lldh%02lldm", static_cast<long long>(total / 3600),
                  static_cast<long long>(total % 3600 / 60));
  } else if (total >= 60) {
    std::snprintf(text, sizeof(text), "%lldm%02llds", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  } else {
    std::snprintf(text, sizeof(text), "%llds", static_cast<long long>(total));
  }
  return text;
}

ProgressReporter::ProgressReporter(std::string label, bool enabled, double intervalSeconds)
    : label_(std::move(label)), enabled_(enabled), intervalSeconds_(intervalSeconds) {
  resetEpoch();
}

void ProgressReporter::resetEpoch() {
  epochStart_ = lastPrint_ = std::chrono::steady_clock::now();
  imagesThisEpoch_ = 0;
  stepsThisEpoch_ = 0;
}

void ProgressReporter::step(int64_t epoch, int64_t epochs, int64_t step, int64_t stepsPerEpoch,
                            int64_t images, double loss, int64_t stepsLeftInRun) {
  imagesThisEpoch_ += images;
  ++stepsThisEpoch_;
  const auto now = std::chrono::steady_clock::now();
  const bool lastStep = step + 1 == stepsPerEpoch;
  if (!enabled_ ||
      (!lastStep && std::chrono::duration<double>(now - lastPrint_).count() < intervalSeconds_)) {
    return;
  }
  lastPrint_ = now;
  const double elapsed = std::chrono::duration<double>(now - epochStart_).count();
  const double imagesPerSecond = elapsed > 0 ? static_cast<double>(imagesThisEpoch_) / elapsed : 0;
  const double secondsPerStep = elapsed / static_cast<double>(stepsThisEpoch_);
  std::fprintf(stderr, "[%s] epoch %lld/%lld step %lld/%lld loss %.4f %.0f img/s ETA %s\n",
               label_.c_str(), static_cast<long long>(epoch + 1), static_cast<long long>(epochs),
               static_cast<long long>(step + 1), static_cast<long long>(stepsPerEpoch), loss,
               imagesPerSecond,
               formatDuration(secondsPerStep * static_cast<double>(stepsLeftInRun)).c_str());
}

}  // namespace mu
