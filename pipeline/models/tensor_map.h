#pragma once
// Tensors by parameter name: pruning masks, momentum buffers, state to save.

#include <torch/types.h>

#include <map>
#include <string>

namespace mu {
using TensorMap = std::map<std::string, torch::Tensor>;
}  // namespace mu
