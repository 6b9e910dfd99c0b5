#pragma once
// The state of torch's default CPU generator as bytes, so that a resumed run draws the same random
// numbers (dropout, random pruning scores, initialisation) as an uninterrupted one. The bytes are
// what Python's torch.get_rng_state() returns, so torch.set_rng_state() accepts them too.

#include <cstdint>
#include <vector>

namespace mu {

std::vector<uint8_t> captureCpuRngState();

// Throws std::invalid_argument when `state` is not a CPU generator state of this LibTorch.
void restoreCpuRngState(const std::vector<uint8_t>& state);

// The size in bytes of a CPU generator state, to check a stored one before anything is restored.
size_t cpuRngStateSize();

}  // namespace mu
