#include "pipeline/runtime/nccl_watchdog.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "pipeline/runtime/cuda_check.h"

namespace mu {
namespace {

// How often the thread looks: a lost peer is noticed within this much after the timeout.
constexpr std::chrono::seconds kPollInterval{1};
constexpr int64_t kDefaultTimeoutSeconds = 300;

}  // namespace

std::chrono::seconds ncclTimeout() {
  const char* text = std::getenv("MU_NCCL_TIMEOUT_S");
  if (text != nullptr) {
    char* end = nullptr;
    const long long seconds = std::strtoll(text, &end, 10);
    if (end != text && *end == '\0' && seconds > 0) return std::chrono::seconds(seconds);
  }
  return std::chrono::seconds(kDefaultTimeoutSeconds);
}

NcclWatchdog::NcclWatchdog(ncclComm_t comm, int rank, int device, std::chrono::seconds timeout)
    : comm_(comm), rank_(rank), device_(device), timeout_(timeout), thread_([this] { watch(); }) {}

NcclWatchdog::~NcclWatchdog() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  for (const Pending& pending : pending_) cudaEventDestroy(pending.done);
}

void NcclWatchdog::track(cudaStream_t stream, const char* what) {
  Pending pending;
  checkCuda(cudaEventCreateWithFlags(&pending.done, cudaEventDisableTiming),
            "cudaEventCreateWithFlags");
  checkCuda(cudaEventRecord(pending.done, stream), "cudaEventRecord");
  pending.enqueued = std::chrono::steady_clock::now();
  pending.what = what;
  const std::lock_guard<std::mutex> lock(mutex_);
  pending.sequence = ++enqueued_;
  pending_.push_back(pending);
}

void NcclWatchdog::waitForAll() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!pending_.empty()) {
    if (cudaEventQuery(pending_.front().done) == cudaErrorNotReady) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      lock.lock();
      continue;
    }
    cudaEventDestroy(pending_.front().done);
    pending_.pop_front();
  }
}

void NcclWatchdog::watch() {
  // Events are queried on the device they were recorded on; this thread starts on device 0.
  if (cudaSetDevice(device_) != cudaSuccess) return;  // the collectives themselves will report
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, kPollInterval, [this] { return stopping_; })) {
    while (!pending_.empty()) {
      const cudaError_t state = cudaEventQuery(pending_.front().done);
      if (state == cudaErrorNotReady) break;
      if (state != cudaSuccess) giveUp(&pending_.front(), cudaGetErrorString(state));
      cudaEventDestroy(pending_.front().done);
      pending_.pop_front();
    }
    ncclResult_t asyncError = ncclSuccess;
    if (ncclCommGetAsyncError(comm_, &asyncError) == ncclSuccess && asyncError != ncclSuccess &&
        asyncError != ncclInProgress) {
      giveUp(pending_.empty() ? nullptr : &pending_.front(), ncclGetErrorString(asyncError));
    }
    if (!pending_.empty() &&
        std::chrono::steady_clock::now() - pending_.front().enqueued > timeout_) {
      giveUp(&pending_.front(),
             "not finished after " + std::to_string(timeout_.count()) + " s (MU_NCCL_TIMEOUT_S)");
    }
  }
}

void NcclWatchdog::giveUp(const Pending* stuck, const std::string& reason) const {
  const std::string collective =
      stuck == nullptr ? std::string("the NCCL communicator")
                       : std::string(stuck->what) + " #" + std::to_string(stuck->sequence);
  std::fprintf(stderr,
               "rank %d: error: %s on CUDA device %d: %s: a peer rank was lost or stopped (the "
               "launcher's or that rank's own message names it); ending this rank. Rerun the same "
               "command to resume from the last checkpoint.\n",
               rank_, collective.c_str(), device_, reason.c_str());
  std::fflush(stderr);
  std::fflush(stdout);
  // Not ncclCommAbort or MPI_Abort: the first may itself wait on the stuck kernels, the second is
  // the main thread's to call (MPI_THREAD_FUNNELED). Ending the process frees this rank's GPU
  // context, kernels included, and the launcher ends the others on a non-zero exit.
  std::_Exit(1);
}

}  // namespace mu
