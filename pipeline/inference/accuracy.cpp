#include "pipeline/inference/accuracy.h"

#include <torch/torch.h>

#include <algorithm>

#include "pipeline/data/augment.h"
#include "pipeline/data/batch_on_device.h"
#include "pipeline/data/epoch_sampler.h"
#include "pipeline/distributed/device.h"

namespace mu {

void forEachEvaluationBatch(InferenceModel& model, const SampleSource& images,
                            const std::vector<int64_t>& rows, int64_t begin, int64_t end,
                            int64_t batchSize, const EvaluationBatchVisitor& visit) {
  const BatchPlacement placement{model.device(), model.channelsLast()};
  std::vector<std::vector<int64_t>> plan;
  for (int64_t first = begin; first < end; first += batchSize) {
    const int64_t last = std::min(end, first + batchSize);
    plan.emplace_back(rows.begin() + first, rows.begin() + last);
  }
  const std::unique_ptr<BatchStream> batches = images.stream(plan, BatchRecipe{}, placement);
  for (size_t b = 0; b < plan.size(); ++b) {
    visit(begin + static_cast<int64_t>(b) * batchSize, plan[b], model.forward(batches->next()));
  }
}

Accuracy evaluateAccuracy(Classifier& model, const SampleSource& images,
                          const torch::Tensor& labels, const std::vector<int64_t>& rows,
                          Communicator& comm, int64_t batchSize) {
  InferenceModel inference(model);
  return evaluateAccuracy(inference, images, labels, rows, comm, batchSize);
}

Accuracy evaluateAccuracy(InferenceModel& model, const SampleSource& images,
                          const torch::Tensor& labels, const std::vector<int64_t>& rows,
                          Communicator& comm, int64_t batchSize) {
  const torch::Device device = model.device();
  const auto [begin, end] =
      EpochSampler::sliceBounds(static_cast<int64_t>(rows.size()), comm.rank(), comm.size());
  // Summed on the device and read once: a read per batch would make a GPU wait for the host to
  // build every next batch. (A float64 sum of the float32 batch sums, as a host double's was.)
  torch::Tensor correct = torch::zeros({}, torch::TensorOptions(device).dtype(torch::kInt64));
  torch::Tensor lossSum = torch::zeros({}, torch::TensorOptions(device).dtype(torch::kFloat64));
  int64_t localTotal = 0;
  forEachEvaluationBatch(
      model, images, rows, begin, end, batchSize,
      [&](int64_t, const std::vector<int64_t>& batchRows, const torch::Tensor& logits) {
        const torch::Tensor target = makeLabelBatch(labels, batchRows, device);
        correct.add_(logits.argmax(1).eq(target).sum());
        lossSum.add_(torch::nn::functional::cross_entropy(
            logits, target,
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)));
        localTotal += static_cast<int64_t>(batchRows.size());
      });
  Accuracy total;
  total.correct = comm.allReduceSum(correct.item<int64_t>());
  total.total = comm.allReduceSum(localTotal);
  total.lossSum = comm.allReduceSum(lossSum.item<double>());
  return total;
}

}  // namespace mu
