#pragma once
// PyTorch state dicts as files: what torch.save wrote (a model's state_dict(), or the reference's
// <method>checkpoint.pth.tar that keeps it under "state_dict" beside the optimiser state, epoch
// and results) and what torch.load + load_state_dict read back.

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

#include "pipeline/checkpoint/torch_pickle.h"

namespace mu {

struct TorchStateDictFile {
  StateDict entries;
  bool nested = false;  // found under the top-level "state_dict" key
  PickleValuePtr root;  // the whole object, for its other entries ("epoch", ...)
};

// The state dict in the torch.save file `path`: the top-level dict, or its "state_dict" entry
// when there is one (whose siblings are ignored, whatever they hold). A "module." prefix
// (nn.DataParallel) is removed from every name. InputError naming the file and the key for an
// entry that is not a tensor, a name given twice, or a file holding no dict.
TorchStateDictFile readTorchStateDict(const std::string& path);

// Writes `entries` as a plain dict name -> tensor, the format of torch.save, which torch.load
// reads; through a temporary file renamed into place, so `path` is complete or untouched.
void writeTorchStateDict(const std::string& path, const StateDict& entries);

}  // namespace mu
