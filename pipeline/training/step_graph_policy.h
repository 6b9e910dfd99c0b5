#pragma once
// When a training step may replay a recorded CUDA graph (step_graph.h), as pure bookkeeping
// over the steps' keys, so that the CUDA executor stays a thin shell and the rules are tested
// where no GPU is.

#include <cstdint>
#include <optional>
#include <vector>

namespace mu {

// What a recording bakes in: the batch shapes and the host values the step uses as constants.
struct StepGraphKey {
  std::vector<int64_t> imageSizes;
  std::vector<int64_t> labelSizes;
  std::vector<double> hostConstants;
  bool operator==(const StepGraphKey& other) const;
  bool operator!=(const StepGraphKey& other) const { return !(*this == other); }
};

enum class StepGraphAction {
  kEager,            // run the step as usual
  kRecordAndReplay,  // (re-)record the step, then replay it (recording alone runs nothing)
  kReplay,           // replay the recording
};

class StepGraphPolicy {
 public:
  // Eager steps before the first recording: momentum buffers, gradient buckets and cuDNN's
  // algorithm choice settle within two; PyTorch's guidance for whole-step capture is three.
  static constexpr int kEagerStepsFirst = 3;

  // The action for the next step, whose key is `key`. A key that differs from the recording's
  // runs eagerly until it has held for two steps running, then is recorded: a milestone's new
  // rate costs one eager step, a per-step warm-up ramp stays eager throughout, and an odd short
  // last batch never replaces the recording of the full ones.
  StepGraphAction next(const StepGraphKey& key);

 private:
  int eagerStepsLeft_ = kEagerStepsFirst;
  std::optional<StepGraphKey> previous_;
  std::optional<StepGraphKey> recorded_;
};

}  // namespace mu
