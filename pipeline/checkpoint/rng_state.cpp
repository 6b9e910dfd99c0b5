#include "pipeline/checkpoint/rng_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace mu {
namespace {

// A handle sharing the default generator's implementation, whose mutex every user must hold.
at::Generator defaultCpuGenerator() {
  return at::detail::getDefaultCPUGenerator();
}

}  // namespace

std::vector<uint8_t> captureCpuRngState() {
  at::Generator generator = defaultCpuGenerator();
  torch::Tensor state;
  {
    std::lock_guard<std::mutex> lock(generator.mutex());
    state = generator.get_state();
  }
  const uint8_t* bytes = state.data_ptr<uint8_t>();
  return std::vector<uint8_t>(bytes, bytes + state.numel());
}

size_t cpuRngStateSize() {
  return captureCpuRngState().size();
}

void restoreCpuRngState(const std::vector<uint8_t>& state) {
  if (state.size() != cpuRngStateSize()) {
    throw std::invalid_argument("a torch CPU generator state has " +
                                std::to_string(cpuRngStateSize()) + " bytes, not " +
                                std::to_string(state.size()));
  }
  // set_state() only reads the tensor; from_blob needs a non-const pointer.
  const torch::Tensor tensor = torch::from_blob(
      const_cast<uint8_t*>(state.data()), {static_cast<int64_t>(state.size())}, torch::kUInt8);
  at::Generator generator = defaultCpuGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(tensor);
}

}  // namespace mu
