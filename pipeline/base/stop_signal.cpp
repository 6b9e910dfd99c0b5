#include "pipeline/base/stop_signal.h"

#include <csignal>

namespace mu {
namespace {

volatile std::sig_atomic_t stopFlag = 0;

extern "C" void onStopSignal(int) {
  stopFlag = 1;
}

}  // namespace

void installStopSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
}

bool stopRequested() {
  return stopFlag != 0;
}

void requestStop() {
  stopFlag = 1;
}

}  // namespace mu
