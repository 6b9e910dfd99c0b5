// An HDF5 checkpoint as the stages open it: its metadata alone (mu-checkpoint, resuming), the
// completeness check, and a full load with masks and training state into the model it names
// (tinycnn, 1 input channel, 10 classes: the seeds' model).

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/checkpoint/checkpoint.h"
#include "pipeline/models/classifier.h"
#include "pipeline/models/model_registry.h"
#include "tests/fuzz/support/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::shared_ptr<mu::Classifier> model = [] {
    mu::ModelSpec spec;
    spec.arch = "tinycnn";
    spec.numClasses = 10;
    spec.inChannels = 1;
    spec.mean = {0.5};  // any values: the checkpoint's own replace them
    spec.std = {0.25};
    return mu::makeModel(spec);
  }();
  const mu::fuzz::ScratchFolder& folder = mu::fuzz::scratch();
  folder.clear();
  const std::string path =
      folder.write("checkpoint.h5", {reinterpret_cast<const char*>(data), size});
  mu::isCompleteCheckpoint(path);  // documented never to throw
  try {
    mu::readCheckpointMeta(path);
  } catch (const mu::InputError&) {
    // A refusal naming the file and the field: what a damaged checkpoint should get.
  }
  try {
    mu::TensorMap masks;
    mu::TrainingState state;
    mu::loadCheckpoint(path, *model, &masks, &state, {"tinycnn", 10});
  } catch (const mu::InputError&) {
    // As above; the model is left as it was.
  }
  return 0;
}
