#include "pipeline/campaign/progress_line.h"

#include <cmath>
#include <cstdio>
#include <ostream>

namespace mu::campaign {

ProgressLine::ProgressLine(size_t total, std::ostream& out)
    : total_(total), out_(out), start_(std::chrono::steady_clock::now()) {}

void ProgressLine::skipped() {
  ++done_;
  ++doneBefore_;
}

void ProgressLine::started(const std::string& id, int64_t ranks, int64_t threads) {
  ++running_;
  out_ << "start   " << id << " (" << ranks << " rank(s) x " << threads << " thread(s))\n";
  print();
}

void ProgressLine::finished(const std::string& id, double seconds) {
  --running_;
  ++done_;
  out_ << "done    " << id << " in " << formatDuration(seconds) << "\n";
  print();
}

void ProgressLine::interrupted(const std::string& id) {
  --running_;
  out_ << "stopped " << id << " after a checkpoint; rerun the campaign to resume it\n";
  print();
}

void ProgressLine::failed(const std::string& id, int exitCode, const std::string& log) {
  --running_;
  ++failed_;
  out_ << "FAILED  " << id << " (exit code " << exitCode << "), log: " << log << "\n";
  print();
}

void ProgressLine::waiting(const std::string& id, const std::string& who) {
  ++running_;
  out_ << "wait    " << id << ": " << who << " runs it\n";
  print();
}

void ProgressLine::released(const std::string& id) {
  --running_;
  out_ << "free    " << id << ": stopped where it ran; it may start here\n";
}

void ProgressLine::blocked(const std::string& id) {
  ++blocked_;
  out_ << "skip    " << id << ": a task it needs failed\n";
}

void ProgressLine::print() {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  out_ << "[" << done_ << "/" << total_ << " done, " << running_ << " running, " << failed_
       << " failed] elapsed " << formatDuration(elapsed);
  const size_t finishedHere = done_ - doneBefore_;
  const size_t left = total_ - done_ - failed_ - blocked_;
  if (finishedHere > 0 && left > 0 && elapsed > 0) {
    // Tasks overlap: the wall time per finished task already includes the parallelism.
    out_ << ", ETA "
         << formatDuration(elapsed / static_cast<double>(finishedHere) * static_cast<double>(left));
  }
  out_ << std::endl;
}

void ProgressLine::summary() {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  out_ << "campaign: " << done_ << " of " << total_ << " tasks done (" << doneBefore_
       << " already before), " << failed_ << " failed, " << blocked_ << " not started, "
       << "wall time " << formatDuration(elapsed) << std::endl;
}

std::string formatDuration(double seconds) {
  const long total = std::lround(seconds);
  const long hours = total / 3600, minutes = total % 3600 / 60, rest = total % 60;
  char text[32];
  if (hours > 0) {
    std::snprintf(text, sizeof(text), "%ldh%02ldm", hours, minutes);
  } else if (minutes > 0) {
    std::snprintf(text, sizeof(text), "%ldm%02lds", minutes, rest);
  } else {
    std::snprintf(text, sizeof(text), "%lds", rest);
  }
  return text;
}

}  // namespace mu::campaign
