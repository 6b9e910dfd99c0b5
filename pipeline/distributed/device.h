#pragma once
// Where this rank computes and how: `--device cpu|cuda` resolved to a torch::Device (cuda: the
// GPU of the node-local rank), models and batches moved there, and the speed options
// (channels-last, and on a GPU cuDNN autotuning and bf16 autocast).

#include <mpi.h>
#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>

namespace mu {

// "cpu" -> CPU. "cuda" -> cuda:d with d = node-local rank (in `comm`) % visible devices, made
// the current device of this thread. InputError for another choice; SystemError when this build
// has no CUDA LibTorch or the node has no usable GPU, saying which.
torch::Device resolveDevice(const std::string& choice, MPI_Comm comm = MPI_COMM_WORLD);

// Moves parameters and buffers to `device` and, with `channelsLast`, stores 4-D weights as NHWC
// (cuDNN's fast layout for convolutions, oneDNN's for narrow ones; the values do not change).
void placeModel(torch::nn::Module& model, torch::Device device, bool channelsLast = false);
// Whether the model's convolution weights are stored channels-last (placeModel did it).
bool usesChannelsLast(torch::nn::Module& model);

// cuDNN autotuning: picks the fastest convolution algorithms per shape on first use. Off by
// default: the choice may differ between runs, and so may the last bits of results.
void setCudnnBenchmark(bool enabled);

struct AutocastOptions {
  bool enabled = false;  // bf16 autocast on CUDA (--amp bf16)
};

// Runs the enclosed forward pass under CUDA autocast to bf16 when enabled; a no-op otherwise.
class AutocastScope {
 public:
  explicit AutocastScope(AutocastOptions options);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_ = false;
  bool wasEnabled_ = false;
  torch::ScalarType previousType_ = torch::kHalf;
};

}  // namespace mu
