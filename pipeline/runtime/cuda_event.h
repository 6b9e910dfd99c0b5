#pragma once
// Ordering between CUDA streams without blocking the host: work on one stream records an event,
// another stream waits for it. The gradient all-reduce runs on its own stream and must start
// only after backward wrote the bucket, and the optimizer must read the bucket only after the
// all-reduce: both are one record and one wait.

#include <cuda_runtime_api.h>

namespace mu {

class CudaEvent {
 public:
  // A timing-free event (cheaper to record and wait on) on the current device.
  CudaEvent();
  ~CudaEvent();
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;

  // Marks the point in `stream` reached by the work enqueued so far.
  void record(cudaStream_t stream);
  // Work enqueued on `stream` from now on runs after the recorded point; the host does not wait.
  void makeWait(cudaStream_t stream) const;
  // Blocks the host until the recorded point is reached.
  void synchronize() const;
  cudaEvent_t handle() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

// `waiter` runs its later work after everything enqueued on `producer` so far.
void streamWaitsFor(cudaStream_t waiter, cudaStream_t producer, CudaEvent& event);

}  // namespace mu
