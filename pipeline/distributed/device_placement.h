#pragma once
// Puts a stage's model on its device, the one way every stage does it (train, prune, unlearn,
// evaluate): --device resolved to this rank's device (its node-local GPU with cuda), the model
// moved there (channels-last on request), cuDNN autotuning set, and the communicator that
// tensors travel on chosen (NCCL on a GPU; the host MPI communicator itself on the CPU, which
// keeps carrying scalars and flags everywhere).

#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>

#include "pipeline/distributed/communicator.h"

namespace mu {

class OptionTable;

struct DeviceChoice {
  std::string device = "cpu";                // cpu | cuda
  bool channelsLast = false;                 // NHWC weights and batches
  bool cudnnBenchmark = false;               // GPU only: cuDNN autotuning
  std::string gradientCompression = "none";  // none | bf16 (NCCL only)
};

// Registers --device (operational: the same numbers on every device up to float rounding).
void addDeviceOption(OptionTable& table, std::string* device);
// Registers --channels-last (operational: the layout changes only the order of float sums).
void addChannelsLastOption(OptionTable& table, bool* channelsLast);
// InputError naming the option for a device other than cpu|cuda, or a GPU-only option
// (cuDNN autotuning, bf16 gradients) without --device cuda.
void validateDeviceChoice(const DeviceChoice& choice);

class DevicePlacement {
 public:
  // SystemError when the device cannot be used (no CUDA LibTorch, no GPU, no NCCL).
  DevicePlacement(torch::nn::Module& model, Communicator& host, const DeviceChoice& choice);

  torch::Device device() const { return device_; }
  // Where tensors (gradients, statistics, counts) are all-reduced.
  Communicator& comm() { return deviceComm_ ? *deviceComm_ : host_; }

 private:
  torch::Device device_;
  Communicator& host_;
  std::unique_ptr<Communicator> deviceComm_;  // null on the CPU
};

}  // namespace mu
