#pragma once
// What the local runner prints: one line per task event and a progress line (tasks done /
// total, running, failed, elapsed, ETA from the mean time of the tasks finished so far).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace mu::campaign {

class ProgressLine {
 public:
  ProgressLine(size_t total, std::ostream& out);

  void skipped();  // already done before this run
  void started(const std::string& id, int64_t ranks, int64_t threads);
  void finished(const std::string& id, double seconds);
  void interrupted(const std::string& id);
  void failed(const std::string& id, int exitCode, const std::string& log);
  void blocked(const std::string& id);  // a parent failed
  // Another process of this machine (another runner) runs the task: counted as running here
  // until it ends, then as finished or failed, or released when it stopped without ending.
  void waiting(const std::string& id, const std::string& who);
  void released(const std::string& id);
  void summary();
  bool allDone() const { return done_ == total_; }

 private:
  void print();

  size_t total_;
  std::ostream& out_;
  size_t done_ = 0, doneBefore_ = 0, running_ = 0, failed_ = 0, blocked_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// "1h02m", "3m05s", "12s".
std::string formatDuration(double seconds);

}  // namespace mu::campaign
