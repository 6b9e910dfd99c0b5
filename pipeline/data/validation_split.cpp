#include "pipeline/data/validation_split.h"

#include <string>

#include "pipeline/base/error.h"
#include "pipeline/data/numpy_random.h"

namespace mu {

TrainValSplit makeValidationSplit(const std::vector<int32_t>& labels, int numClasses, uint32_t seed,
                                  double valFraction) {
  if (numClasses < 0) {
    throw InputError("validation split: numClasses must be non-negative, got " +
                     std::to_string(numClasses));
  }
  // Written as a negated range test so that NaN is rejected too.
  if (!(valFraction >= 0.0 && valFraction < 1.0)) {
    throw InputError("validation split: the validation fraction must be in [0, 1), got " +
                     std::to_string(valFraction));
  }

  // Bucket the ids by class in one pass; walking the ids in order keeps every bucket ascending,
  // which is the order the reference hands to choice().
  std::vector<std::vector<int64_t>> idsByClass(static_cast<size_t>(numClasses));
  for (size_t id = 0; id < labels.size(); ++id) {
    const int32_t label = labels[id];
    if (label < 0 || label >= numClasses) {
      throw InputError("validation split: sample " + std::to_string(id) + " has label " +
                       std::to_string(label) + ", expected a class in [0, " +
                       std::to_string(numClasses) + ")");
    }
    idsByClass[static_cast<size_t>(label)].push_back(static_cast<int64_t>(id));
  }

  TrainValSplit split;
  std::vector<bool> inVal(labels.size(), false);
  // One stream for all classes, consumed in class order: class c's draws depend on how many
  // draws the classes before it used, exactly as in the reference.
  NumpyRandomState rng(seed);
  for (const std::vector<int64_t>& pool : idsByClass) {
    // An empty class makes numpy permute nothing, so skipping it leaves the stream unchanged.
    if (pool.empty()) continue;
    // Python's int(fraction * n_c): the double product truncated toward zero (it is never
    // negative here). Computing it in doubles matters: 0.1 * 5000 must give exactly 500.
    const auto count = static_cast<int64_t>(valFraction * static_cast<double>(pool.size()));
    for (int64_t id : rng.choiceWithoutReplacement(pool, count)) {
      split.valIds.push_back(id);
      inVal[static_cast<size_t>(id)] = true;
    }
  }

  split.trainIds.reserve(labels.size() - split.valIds.size());
  for (size_t id = 0; id < labels.size(); ++id) {
    if (!inVal[id]) split.trainIds.push_back(static_cast<int64_t>(id));
  }
  return split;
}

void limitTrainingIds(TrainValSplit& split, int64_t limit) {
  if (limit > 0 && limit < static_cast<int64_t>(split.trainIds.size())) {
    split.trainIds.resize(static_cast<size_t>(limit));
  }
}

}  // namespace mu
