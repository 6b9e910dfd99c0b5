#include "pipeline/evaluation/model_predictions.h"

#include <torch/torch.h>

#include <algorithm>

#include "pipeline/data/epoch_sampler.h"
#include "pipeline/inference/accuracy.h"

namespace mu {

ScoredSamples scoreSamples(InferenceModel& model, const SampleSource& images,
                           const torch::Tensor& labels, const std::vector<int64_t>& rows,
                           Communicator& comm, int64_t batchSize) {
  const auto count = static_cast<int64_t>(rows.size());
  const int64_t batches = (count + batchSize - 1) / batchSize;
  const auto [firstBatch, endBatch] = EpochSampler::sliceBounds(batches, comm.rank(), comm.size());

  // The class count comes from the model, so an empty list still has a well-formed [0, C].
  int64_t classes = 0;
  torch::Tensor probabilities;  // on the host, [count, C]
  int64_t correct = 0;
  forEachEvaluationBatch(
      model, images, rows, firstBatch * batchSize, std::min(count, endBatch * batchSize), batchSize,
      [&](int64_t first, const std::vector<int64_t>& batchRows, const torch::Tensor& deviceLogits) {
        const torch::Tensor logits = deviceLogits.to(torch::kCPU);
        if (!probabilities.defined()) {
          classes = logits.size(1);
          probabilities = torch::zeros({count, classes}, torch::kFloat);
        }
        const torch::Tensor target = labels.index_select(0, torch::tensor(batchRows));
        correct += logits.argmax(1).eq(target).sum().item<int64_t>();
        probabilities.slice(0, first, first + static_cast<int64_t>(batchRows.size()))
            .copy_(torch::softmax(logits.to(torch::kFloat), 1));
      });

  // Ranks without a batch learn C from the others.
  classes = static_cast<int64_t>(comm.allReduceMax(static_cast<double>(classes)));
  if (!probabilities.defined()) probabilities = torch::zeros({count, classes}, torch::kFloat);
  if (comm.size() > 1) comm.allReduceSum(probabilities);

  ScoredSamples scored;
  scored.predictions.probabilities = probabilities;
  scored.predictions.labels =
      labels.index_select(0, torch::tensor(rows, torch::kLong)).to(torch::kLong);
  scored.accuracy.correct = comm.allReduceSum(correct);
  scored.accuracy.total = count;
  return scored;
}

}  // namespace mu
