#pragma once
// Reads and writes what Python's torch.save writes (the zip format, torch >= 1.6): a pickle program
// (<archive>/data.pkl) whose tensors point at raw storages (<archive>/data/<key>). LibTorch's own
// torch::pickle_load cannot read ordinary state dicts: it lacks the SETITEM opcode that Python
// uses for one-entry dicts and refuses the OrderedDict with `_metadata` that state_dict()
// returns. This reader runs the pickle opcodes itself and understands only what checkpoints need
// (containers, numbers, strings, tensors); any other Python object (a numpy scalar in a results
// dict, an argparse Namespace) becomes an opaque value that can be skipped but not used.
// Writing is ours too: LibTorch's torch::pickle_save tags its dicts with
// torch.jit._pickle.restore_type_tag, which torch.load(weights_only=True), the default of
// torch >= 2.6, refuses.

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mu {

// Tensors by PyTorch name, in file order.
using StateDict = std::vector<std::pair<std::string, torch::Tensor>>;

struct PickleValue;
using PickleValuePtr = std::shared_ptr<PickleValue>;

struct PickleValue {
  // kList holds lists and tuples alike; kOpaque is an object of another Python class, named in
  // `text` ("numpy.core.multiarray.scalar").
  enum class Kind { kNone, kBool, kInt, kFloat, kString, kBytes, kTensor, kList, kDict, kOpaque };
  Kind kind = Kind::kNone;
  int64_t integer = 0;  // kBool, kInt
  double number = 0;    // kFloat
  std::string text;     // kString, kBytes, kOpaque
  torch::Tensor tensor;
  std::vector<PickleValuePtr> items;                               // kList
  std::vector<std::pair<PickleValuePtr, PickleValuePtr>> entries;  // kDict, in file order

  // The entry under string key `key` of a dict, or nullptr.
  PickleValuePtr find(const std::string& key) const;
  // "dict", "tensor", "numpy.core.multiarray.scalar", ... for error messages.
  std::string describe() const;
};

// The object torch.save stored in `path`, tensors on the CPU. InputError naming the file for
// anything else: a legacy (pre-1.6, non-zip) file, a damaged archive, an unknown opcode.
PickleValuePtr readTorchSave(const std::string& path);

// Writes `entries` to `path` as torch.save writes a dict name -> tensor (a plain dict, tensors on
// the CPU, little-endian as on every machine LibTorch runs on), which torch.load reads with or
// without weights_only. Writes `path` directly: callers wanting atomicity pass a temporary name.
void writeTorchSave(const std::string& path, const StateDict& entries);

}  // namespace mu
