#include "pipeline/runtime/cuda_event.h"

#include "pipeline/runtime/cuda_check.h"

namespace mu {

CudaEvent::CudaEvent() {
  checkCuda(cudaEventCreateWithFlags(&event_, cudaEventDisableTiming), "cudaEventCreateWithFlags");
}

CudaEvent::~CudaEvent() {
  // A destructor cannot report; a failed destroy only leaks the event.
  if (event_ != nullptr) cudaEventDestroy(event_);
}

void CudaEvent::record(cudaStream_t stream) {
  checkCuda(cudaEventRecord(event_, stream), "cudaEventRecord");
}

void CudaEvent::makeWait(cudaStream_t stream) const {
  checkCuda(cudaStreamWaitEvent(stream, event_, 0), "cudaStreamWaitEvent");
}

void CudaEvent::synchronize() const {
  checkCuda(cudaEventSynchronize(event_), "cudaEventSynchronize");
}

void streamWaitsFor(cudaStream_t waiter, cudaStream_t producer, CudaEvent& event) {
  event.record(producer);
  event.makeWait(waiter);
}

}  // namespace mu
