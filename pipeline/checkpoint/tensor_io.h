#pragma once
// Tensors as HDF5 datasets with their own shape and element type, so that h5py or any other HDF5
// reader gets exactly the values the model held.

#include <torch/types.h>

#include <string>

namespace mu {

class Hdf5File;

// Writes a CPU copy of `tensor` (any device, any strides) as dataset `name`. Element types HDF5
// has no native type for (half, bool, complex) throw std::invalid_argument.
void writeTensor(Hdf5File& file, const std::string& name, const torch::Tensor& tensor);

// Reads dataset `name` into a new CPU tensor of the stored shape and element type.
torch::Tensor readTensor(const Hdf5File& file, const std::string& name);

// numpy's spelling of an element type ("float32", "int64"), as Hdf5File reports stored types.
std::string elementTypeName(torch::ScalarType type);

// "[10, 64]"; "[]" for a scalar.
std::string shapeText(c10::IntArrayRef shape);

}  // namespace mu
