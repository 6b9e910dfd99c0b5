#pragma once
// A training step recorded once as a CUDA graph and replayed (--cuda-graphs): forward, backward,
// the gradient sums and the optimizer step then cost one launch instead of several hundred, so
// the host no longer paces a GPU whose kernels are short (small images, big GPUs). Replays run
// the recorded kernels on the same memory, so the numbers are those of eager steps.
//
// What a recording bakes in, it is keyed on: the batch shapes and the host values the step holds
// as constants (the learning rate in the SGD step, the global batch size the loss divides by).
// StepGraphPolicy (step_graph_policy.h) decides, step by step, between eager, recording and
// replaying. The step body must keep no other host value that changes between steps (mu-train's
// cross-entropy step qualifies; l1-sparse's decaying penalty would not).

#include <torch/types.h>

#include <functional>
#include <memory>
#include <vector>

namespace mu {

class StepGraph {
 public:
  // The step's device work on its inputs (images and labels already on the device).
  using StepBody = std::function<void(const torch::Tensor& images, const torch::Tensor& labels)>;

  virtual ~StepGraph() = default;
  // Runs one step: by replaying the recording when the shapes and `hostConstants` (every host
  // value `body` uses) match it, recording it first when due, and returning true; or returning
  // false, and then the caller runs `body` eagerly itself.
  virtual bool run(const torch::Tensor& images, const torch::Tensor& labels,
                   const std::vector<double>& hostConstants, const StepBody& body) = 0;
};

#ifdef MU_HAVE_TORCH_CUDA
// For a model on the CUDA device `device`.
std::unique_ptr<StepGraph> makeCudaStepGraph(torch::Device device);
#endif

}  // namespace mu
