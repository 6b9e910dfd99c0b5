#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>

#include <stdexcept>
#include <vector>

#include "pipeline/training/step_graph.h"
#include "pipeline/training/step_graph_policy.h"

namespace mu {
namespace {

class CudaStepGraph final : public StepGraph {
 public:
  explicit CudaStepGraph(torch::Device device) : device_(device) {
    if (!device.is_cuda() || !device.has_index()) {
      throw std::invalid_argument("CUDA graphs: need an indexed CUDA device, got " + device.str());
    }
  }

  bool run(const torch::Tensor& images, const torch::Tensor& labels,
           const std::vector<double>& hostConstants, const StepBody& body) override {
    const StepGraphAction action =
        policy_.next({images.sizes().vec(), labels.sizes().vec(), hostConstants});
    if (action == StepGraphAction::kEager) return false;
    if (action == StepGraphAction::kRecordAndReplay) record(images, labels, body);
    // Inputs go into the recording's own tensors, in the order of the caller's stream.
    staticImages_.copy_(images);
    staticLabels_.copy_(labels);
    graph_->replay();
    return true;
  }

 private:
  void record(const torch::Tensor& images, const torch::Tensor& labels, const StepBody& body) {
    graph_.reset();  // frees the previous recording's memory pool first
    // The recording's own inputs, which run() fills before every replay (this first one too).
    staticImages_ = torch::empty_like(images);  // keeps the memory format (channels-last)
    staticLabels_ = torch::empty_like(labels);
    // Recording needs a stream of its own (never the default one); it starts after everything
    // the caller's stream has queued, and the caller's stream continues after it.
    const c10::cuda::CUDAStream caller = c10::cuda::getCurrentCUDAStream(device_.index());
    const c10::cuda::CUDAStream recording =
        c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device_.index());
    at::cuda::CUDAEvent callerReady;
    callerReady.record(caller);
    callerReady.block(recording);
    {
      const c10::cuda::CUDAStreamGuard onRecording(recording);
      auto graph = std::make_unique<at::cuda::CUDAGraph>();
      graph->capture_begin();
      body(staticImages_, staticLabels_);
      graph->capture_end();
      graph_ = std::move(graph);
    }
    at::cuda::CUDAEvent recorded;
    recorded.record(recording);
    recorded.block(caller);
  }

  torch::Device device_;
  StepGraphPolicy policy_;
  std::unique_ptr<at::cuda::CUDAGraph> graph_;
  torch::Tensor staticImages_;
  torch::Tensor staticLabels_;
};

}  // namespace

std::unique_ptr<StepGraph> makeCudaStepGraph(torch::Device device) {
  return std::make_unique<CudaStepGraph>(device);
}

}  // namespace mu
