#include "pipeline/training/evaluation.h"

#include <torch/torch.h>

#include <algorithm>

#include "pipeline/augment.h"
#include "pipeline/distributed/device.h"
#include "pipeline/epoch_sampler.h"

namespace mu {

Accuracy evaluateAccuracy(Classifier& model, const torch::Tensor& images,
                          const torch::Tensor& labels, const std::vector<int64_t>& rows,
                          Communicator& comm, int64_t batchSize) {
  torch::NoGradGuard noGrad;
  const bool wasTraining = model.is_training();
  model.eval();
  // Batches go where the model is, in its memory format (placeModel); the counts come back.
  const torch::Device device = model.parameters().front().device();
  const BatchPlacement placement{device, usesChannelsLast(model)};
  const auto [begin, end] =
      EpochSampler::sliceBounds(static_cast<int64_t>(rows.size()), comm.rank(), comm.size());
  Accuracy local;
  for (int64_t first = begin; first < end; first += batchSize) {
    const int64_t last = std::min(end, first + batchSize);
    const std::vector<int64_t> batchRows(rows.begin() + first, rows.begin() + last);
    const torch::Tensor logits = model.forward(makeImageBatch(images, batchRows, placement));
    const torch::Tensor target = toDevice(labels.index_select(0, torch::tensor(batchRows)), device);
    local.correct += logits.argmax(1).eq(target).sum().item<int64_t>();
    local.lossSum +=
        torch::nn::functional::cross_entropy(
            logits, target, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
            .item<double>();
    local.total += last - first;
  }
  model.train(wasTraining);
  Accuracy total;
  total.correct = comm.allReduceSum(local.correct);
  total.total = comm.allReduceSum(local.total);
  total.lossSum = comm.allReduceSum(local.lossSum);
  return total;
}

}  // namespace mu
