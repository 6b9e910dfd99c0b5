// The files that name what an unlearning run forgets: part 0 is a --forget-ids file (one train
// row id a line, '#' comments) selected against a 64-row training split; part 1 is a
// forget_set.json as evaluation and the other methods read it back.

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/data/forget_set.h"
#include "tests/fuzz/support/fuzz_input.h"

namespace {

constexpr int64_t kRows = 64;

// 64 training rows of 4 classes; ids 60-63 are the validation split's, so an id file can name
// one that is not in D_tr.
const mu::LoadedSplit& trainSplit() {
  static const mu::LoadedSplit train = [] {
    mu::LoadedSplit split;
    split.manifest.dataset = "fuzz";
    split.manifest.numClasses = 4;
    split.split = "train";
    split.labels = torch::arange(kRows, torch::kInt64).remainder(4);
    return split;
  }();
  return train;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const mu::TrainValSplit kSplit = [] {
    mu::TrainValSplit split;
    for (int64_t id = 0; id < kRows - 4; ++id) split.trainIds.push_back(id);
    split.valIds = {60, 61, 62, 63};
    return split;
  }();
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::vector<std::string_view> parts = mu::fuzz::splitParts(data, size);
  mu::ForgetRequest request;
  request.mode = "ids";
  request.idsFile = folder.write("forget_ids.txt", parts[0]);
  try {
    mu::selectForgetSet(request, trainSplit(), kSplit, 1, 0.1);
  } catch (const mu::InputError&) {
    // A refusal naming the ids file and the line or id: what a bad list should get.
  }
  if (parts.size() > 1) {
    try {
      mu::readForgetSet(folder.write("forget_set.json", parts[1]));
    } catch (const mu::InputError&) {
      // A refusal naming forget_set.json and the field.
    }
  }
  return 0;
}
