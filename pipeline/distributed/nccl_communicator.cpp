#include "pipeline/distributed/nccl_communicator.h"

#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>

#include <stdexcept>
#include <string>

namespace mu {
namespace {

// An all-reduce enqueued on the communication stream; wait() makes the caller's current stream
// (not the host) wait for it.
class NcclPending final : public PendingCollective {
 public:
  NcclPending(at::cuda::CUDAEvent done, torch::Device device)
      : done_(std::move(done)), device_(device) {}
  void wait() override { done_.block(c10::cuda::getCurrentCUDAStream(device_.index())); }

 private:
  at::cuda::CUDAEvent done_;
  torch::Device device_;
};

}  // namespace

NcclCommunicator::NcclCommunicator(MpiCommunicator& host, torch::Device device,
                                   GradientCompression compression)
    : host_(host),
      device_(device),
      compression_(compression),
      stream_(c10::cuda::getStreamFromPool(/*isHighPriority=*/true, device.index())) {
  if (!device.is_cuda() || !device.has_index()) {
    throw std::invalid_argument("NcclCommunicator: needs an indexed CUDA device, got " +
                                device.str());
  }
  const c10::cuda::CUDAGuard guard(device_.index());
  nccl_ = std::make_unique<NcclCollectives>(host_.comm());
}

std::string NcclCommunicator::backendName() const {
  return compression_ == GradientCompression::kBFloat16 ? "nccl-bf16" : "nccl";
}

void NcclCommunicator::requireOurDevice(const torch::Tensor& tensor, const char* operation) const {
  if (tensor.device() != device_) {
    throw std::invalid_argument(std::string(operation) + ": NcclCommunicator moves tensors on " +
                                device_.str() + ", got one on " + tensor.device().str());
  }
}

std::unique_ptr<PendingCollective> NcclCommunicator::allReduceSumAsync(torch::Tensor& flatFloat32) {
  requireFlatFloat32(flatFloat32, "allReduceSumAsync");
  if (flatFloat32.device().is_cpu()) return Communicator::allReduceSumAsync(flatFloat32);
  requireOurDevice(flatFloat32, "allReduceSumAsync");
  const c10::cuda::CUDAGuard guard(device_.index());
  // The sum starts after the work already enqueued on the caller's stream (backward writing the
  // bucket) and runs on the communication stream beside whatever the caller enqueues next.
  at::cuda::CUDAEvent ready;
  ready.record(c10::cuda::getCurrentCUDAStream(device_.index()));
  ready.block(stream_);
  {
    const c10::cuda::CUDAStreamGuard onStream(stream_);
    if (compression_ == GradientCompression::kBFloat16) {
      // Made and freed on the communication stream, so the allocator reuses it safely there.
      torch::Tensor compressed = flatFloat32.to(torch::kBFloat16);
      nccl_->allReduceSum(compressed.data_ptr(), static_cast<size_t>(compressed.numel()),
                          NcclElement::kBFloat16, stream_.stream());
      flatFloat32.copy_(compressed);
    } else {
      nccl_->allReduceSum(flatFloat32.data_ptr(), static_cast<size_t>(flatFloat32.numel()),
                          NcclElement::kFloat32, stream_.stream());
    }
  }
  // The tensor's memory belongs to the caller's stream: if it were freed before the sum ends,
  // the caching allocator must not hand it out again until the communication stream is done.
  c10::cuda::CUDACachingAllocator::recordStream(flatFloat32.storage().data_ptr(), stream_);
  at::cuda::CUDAEvent done;
  done.record(stream_);
  return std::make_unique<NcclPending>(std::move(done), device_);
}

void NcclCommunicator::allReduceSum(torch::Tensor& flatFloat32) {
  requireFlatFloat32(flatFloat32, "allReduceSum");
  if (flatFloat32.device().is_cpu()) {
    host_.allReduceSum(flatFloat32);
    return;
  }
  allReduceSumAsync(flatFloat32)->wait();
}

void NcclCommunicator::broadcast(torch::Tensor& tensor, int root) {
  requireRoot(root, "broadcast");
  if (!tensor.defined()) throw std::invalid_argument("broadcast: undefined tensor");
  if (tensor.device().is_cpu()) {
    host_.broadcast(tensor, root);
    return;
  }
  requireOurDevice(tensor, "broadcast");
  const c10::cuda::CUDAGuard guard(device_.index());
  torch::NoGradGuard noGrad;  // parameters are leaves that require grad
  // By bytes, so every dtype travels the same way; a strided view goes through a contiguous copy.
  torch::Tensor buffer = tensor.is_contiguous() ? tensor : tensor.contiguous();
  const c10::cuda::CUDAStream caller = c10::cuda::getCurrentCUDAStream(device_.index());
  at::cuda::CUDAEvent ready;
  ready.record(caller);
  ready.block(stream_);
  nccl_->broadcast(buffer.data_ptr(),
                   static_cast<size_t>(buffer.numel()) * static_cast<size_t>(buffer.element_size()),
                   root, stream_.stream());
  c10::cuda::CUDACachingAllocator::recordStream(buffer.storage().data_ptr(), stream_);
  at::cuda::CUDAEvent done;
  done.record(stream_);
  done.block(caller);
  if (!buffer.is_same(tensor)) tensor.copy_(buffer);
}

void NcclCommunicator::barrier() {
  // Device work this rank enqueued finishes before the ranks meet (checkpoint writes follow).
  c10::cuda::getCurrentCUDAStream(device_.index()).synchronize();
  stream_.synchronize();
  host_.barrier();
}

}  // namespace mu
