#pragma once
// Accuracy and mean loss of a model on a list of samples, spread over the ranks: each rank scores
// a contiguous slice without augmentation, in eval mode, and the counts are summed.

#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "pipeline/data/sample_source.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/inference/inference_model.h"
#include "pipeline/models/classifier.h"

namespace mu {

struct Accuracy {
  int64_t correct = 0;
  int64_t total = 0;
  double lossSum = 0;

  double percent() const { return total ? 100.0 * static_cast<double>(correct) / total : 0.0; }
  double meanLoss() const { return total ? lossSum / static_cast<double>(total) : 0.0; }
};

// The inference loop every evaluation shares: positions [begin, end) of `rows` (sample ids of
// `images`) in batches of `batchSize`, in the evaluation view, each batch placed where the model
// is (device, memory format). `visit(first, batchRows, logits)` sees positions
// [first, first + batchRows.size()), their rows and their logits on that device.
using EvaluationBatchVisitor = std::function<void(
    int64_t first, const std::vector<int64_t>& batchRows, const torch::Tensor& logits)>;
void forEachEvaluationBatch(InferenceModel& model, const SampleSource& images,
                            const std::vector<int64_t>& rows, int64_t begin, int64_t end,
                            int64_t batchSize, const EvaluationBatchVisitor& visit);

// `rows` index `images` and `labels` (int64 [N]).
Accuracy evaluateAccuracy(InferenceModel& model, const SampleSource& images,
                          const torch::Tensor& labels, const std::vector<int64_t>& rows,
                          Communicator& comm, int64_t batchSize = 512);
// The same through an inference copy of `model` made for this one pass.
Accuracy evaluateAccuracy(Classifier& model, const SampleSource& images,
                          const torch::Tensor& labels, const std::vector<int64_t>& rows,
                          Communicator& comm, int64_t batchSize = 512);

}  // namespace mu
