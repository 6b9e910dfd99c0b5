#pragma once
// The reference's train/validation split (docs/reference-behaviour.md §2.1): for each class in
// order, int(fraction * n_c) samples drawn without replacement on one RandomState(seed) stream form
// the validation set; the training split is every other sample in ascending order.

#include <cstdint>
#include <vector>

namespace mu {

struct TrainValSplit {
  std::vector<int64_t> trainIds;  // ascending
  std::vector<int64_t> valIds;    // in draw order (class 0's draws first)
};

// `labels[i]` is the class of sample id i. Classes without samples are skipped.
TrainValSplit makeValidationSplit(const std::vector<int32_t>& labels, int numClasses, uint32_t seed,
                                  double valFraction);

// mu-train's --train-limit N: the run trains on the first N training ids only (0: all). Stages
// that work on what a model was trained on (unlearning's D_r and D_f) cut the split the same way.
void limitTrainingIds(TrainValSplit& split, int64_t limit);

}  // namespace mu
