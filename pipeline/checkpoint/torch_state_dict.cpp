#include "pipeline/checkpoint/torch_state_dict.h"

#include <set>

#include "pipeline/base/error.h"
#include "pipeline/io/atomic_output.h"

namespace mu {

TorchStateDictFile readTorchStateDict(const std::string& path) {
  TorchStateDictFile file;
  file.root = readTorchSave(path);
  if (file.root->kind != PickleValue::Kind::kDict) {
    throw InputError(path, "top level",
                     "a dict of tensors (a state_dict) or a dict with a 'state_dict' entry; got " +
                         file.root->describe());
  }
  PickleValuePtr dict = file.root;
  if (PickleValuePtr nested = file.root->find("state_dict")) {
    if (nested->kind != PickleValue::Kind::kDict) {
      throw InputError(path, "state_dict", "a dict of tensors; got " + nested->describe());
    }
    dict = nested;
    file.nested = true;
  }
  const std::string prefix = "module.";
  std::set<std::string> seen;
  for (const auto& [key, value] : dict->entries) {
    if (key->kind != PickleValue::Kind::kString) {
      throw InputError(path, "key of type " + key->describe(), "string keys (parameter names)");
    }
    const std::string where = file.nested ? "state_dict['" + key->text + "']" : key->text;
    if (value->kind != PickleValue::Kind::kTensor) {
      throw InputError(path, where, "a tensor; got " + value->describe());
    }
    std::string name =
        key->text.rfind(prefix, 0) == 0 ? key->text.substr(prefix.size()) : key->text;
    if (!seen.insert(name).second) {
      throw InputError(path, where, "each parameter once (with and without 'module.')");
    }
    file.entries.emplace_back(std::move(name), value->tensor);
  }
  return file;
}

void writeTorchStateDict(const std::string& path, const StateDict& entries) {
  AtomicFile output(path);
  writeTorchSave(output.path(), entries);
  output.commit();
}

}  // namespace mu
