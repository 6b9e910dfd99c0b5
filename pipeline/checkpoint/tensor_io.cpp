#include "pipeline/checkpoint/tensor_io.h"

#include <torch/torch.h>

#include <algorithm>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/io/hdf5_file.h"

namespace mu {
namespace {

// The element types a checkpoint may hold: everything our models use (float32 weights, int64
// batch counters) and the obvious neighbours.
constexpr std::pair<torch::ScalarType, const char*> kSupportedTypes[] = {
    {torch::kFloat, "float32"}, {torch::kDouble, "float64"}, {torch::kInt, "int32"},
    {torch::kLong, "int64"},    {torch::kByte, "uint8"},
};

// LibTorch's own name ("ComplexFloat"); operator<< is found by argument-dependent lookup in every
// LibTorch version, wherever ScalarType itself is declared.
std::string torchTypeName(torch::ScalarType type) {
  std::ostringstream name;
  name << type;
  return name.str();
}

// Calls fn(T{}) with the C++ element type of `type`, so one templated body serves every type.
template <typename Fn>
void withElementType(torch::ScalarType type, Fn&& fn) {
  switch (type) {
    case torch::kFloat:
      return fn(float{});
    case torch::kDouble:
      return fn(double{});
    case torch::kInt:
      return fn(int32_t{});
    case torch::kLong:
      return fn(int64_t{});
    case torch::kByte:
      return fn(uint8_t{});
    default:
      throw std::invalid_argument("tensors of element type " + torchTypeName(type) +
                                  " cannot be stored in HDF5");
  }
}

}  // namespace

std::string elementTypeName(torch::ScalarType type) {
  for (const auto& [scalarType, name] : kSupportedTypes) {
    if (scalarType == type) return name;
  }
  return torchTypeName(type);
}

std::string shapeText(c10::IntArrayRef shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

void writeTensor(Hdf5File& file, const std::string& name, const torch::Tensor& tensor) {
  const torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
  const std::vector<hsize_t> shape(cpu.sizes().begin(), cpu.sizes().end());
  withElementType(cpu.scalar_type(), [&](auto zero) {
    using T = decltype(zero);
    file.writeDataset<T>(name, cpu.data_ptr<T>(), shape);
  });
}

torch::Tensor readTensor(const Hdf5File& file, const std::string& name) {
  const std::string stored = file.datasetElementType(name);
  const auto* match = std::find_if(std::begin(kSupportedTypes), std::end(kSupportedTypes),
                                   [&](const auto& entry) { return stored == entry.second; });
  if (match == std::end(kSupportedTypes)) {
    throw InputError(file.path(), name, "element type " + stored + " is not supported");
  }
  const std::vector<hsize_t> storedShape = file.datasetShape(name);
  const std::vector<int64_t> shape(storedShape.begin(), storedShape.end());
  torch::Tensor tensor = torch::empty(shape, torch::TensorOptions().dtype(match->first));
  withElementType(match->first, [&](auto zero) {
    using T = decltype(zero);
    file.readDataset<T>(name, tensor.data_ptr<T>(), static_cast<size_t>(tensor.numel()));
  });
  return tensor;
}

}  // namespace mu
