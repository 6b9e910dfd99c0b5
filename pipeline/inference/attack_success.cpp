#include "pipeline/inference/attack_success.h"

#include <torch/torch.h>

#include <vector>

#include "pipeline/inference/accuracy.h"

namespace mu {

AttackSuccess attackSuccess(InferenceModel& model, const LoadedSplit& test,
                            const Poisoning& poisoning, Communicator& comm, int64_t batchSize) {
  const LoadedSplit triggered = triggerAll(test, poisoning);
  const int64_t target = poisoning.options.target;
  const torch::Tensor trueLabels = test.labels.to(torch::kInt64).contiguous();
  const int64_t* label = trueLabels.data_ptr<int64_t>();
  std::vector<int64_t> targetRows;
  std::vector<int64_t> otherRows;
  for (int64_t row = 0; row < trueLabels.numel(); ++row) {
    (label[row] == target ? targetRows : otherRows).push_back(row);
  }
  // Success is the target predicted, so every image is scored against the target label.
  const torch::Tensor targetLabels = torch::full_like(trueLabels, target);
  const Accuracy others =
      evaluateAccuracy(model, *triggered.source, targetLabels, otherRows, comm, batchSize);
  const Accuracy ofTarget =
      evaluateAccuracy(model, *triggered.source, targetLabels, targetRows, comm, batchSize);
  AttackSuccess success;
  success.nonTargetPercent = others.percent();
  const int64_t total = others.total + ofTarget.total;
  success.allPercent =
      total ? 100.0 * static_cast<double>(others.correct + ofTarget.correct) / total : 0.0;
  return success;
}

}  // namespace mu
