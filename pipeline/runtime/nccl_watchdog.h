#pragma once
// A lost peer must not hang an NCCL job. NCCL's kernels wait for their peers without end: a rank
// whose peer died (or whose node went away) would spin in its all-reduce, and the host with it,
// until the launcher kills it, which a launcher that lost a whole node may never do. The watchdog
// is a thread that follows every collective this rank enqueued (a CUDA event recorded after it)
// and ends the process when one stays unfinished longer than the timeout or NCCL reports an
// asynchronous error (a network peer that closed its connection): it prints one line naming the
// rank, the collective and what to do, and exits with code 1, which mpirun (and srun
// --kill-on-bad-exit) turn into the end of every other rank. Untested on a GPU here: CI compiles it
// (launch/test.sh's CUDA build); bench/gpu_check.sh runs the code path that feeds it.

#include <cuda_runtime_api.h>
#include <nccl.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace mu {

// How long one collective may stay unfinished: MU_NCCL_TIMEOUT_S when set to a positive number,
// otherwise 300 s. Ranks meet at every step, so a healthy collective waits for its slowest peer's
// step at most; a checkpoint write or an evaluation happens between collectives, never inside one.
std::chrono::seconds ncclTimeout();

class NcclWatchdog {
 public:
  // Watches collectives on `comm` (of world rank `rank`, on CUDA device `device`).
  NcclWatchdog(ncclComm_t comm, int rank, int device, std::chrono::seconds timeout);
  ~NcclWatchdog();
  NcclWatchdog(const NcclWatchdog&) = delete;
  NcclWatchdog& operator=(const NcclWatchdog&) = delete;

  // Call right after enqueueing a collective on `stream`; `what` names it ("ncclAllReduce").
  void track(cudaStream_t stream, const char* what);
  // Returns once every tracked collective has finished (the thread still ends the process if one
  // never does): what the communicator's destruction must wait for.
  void waitForAll();

 private:
  struct Pending {
    cudaEvent_t done = nullptr;
    std::chrono::steady_clock::time_point enqueued;
    const char* what = "";
    uint64_t sequence = 0;
  };

  void watch();
  [[noreturn]] void giveUp(const Pending* stuck, const std::string& reason) const;

  ncclComm_t comm_;
  int rank_;
  int device_;
  std::chrono::seconds timeout_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> pending_;
  uint64_t enqueued_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after every member it reads
};

}  // namespace mu
