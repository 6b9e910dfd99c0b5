#pragma once
// Which communicator a training run's tensors travel on, from its device: on a GPU, NCCL (with
// the MPI communicator still carrying scalars and flags); on the CPU, the MPI communicator itself.

#include <torch/types.h>

#include <memory>
#include <string>

#include "pipeline/distributed/communicator.h"

namespace mu {

// `compression`: "none" | "bf16" (bf16 gradient buckets; NCCL only). Returns nullptr when `host`
// itself is the right communicator (a CPU device), so callers write
//   auto deviceComm = makeDeviceCommunicator(comm, device, "none");
//   Communicator& gradients = deviceComm ? *deviceComm : comm;
// Throws SystemError when the device needs NCCL and this build has none, InputError for bf16
// compression on the CPU or an unknown compression.
std::unique_ptr<Communicator> makeDeviceCommunicator(Communicator& host, torch::Device device,
                                                     const std::string& compression);

}  // namespace mu
