#include "pipeline/training/training_loop.h"

#include <torch/torch.h>

#include <chrono>

#include "pipeline/epoch_sampler.h"
#include "pipeline/training/stop_signal.h"

namespace mu {

LossFunction crossEntropyLoss() {
  return [](const torch::Tensor& logits, const torch::Tensor& labels, int64_t globalBatchSize) {
    return torch::nn::functional::cross_entropy(
               logits, labels,
               torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)) /
           static_cast<double>(globalBatchSize);
  };
}

TrainingLoop::TrainingLoop(Classifier& model, Communicator& comm, MaskedSgd& sgd,
                           GradientBucketer& buckets, const LrSchedule& schedule, LossFunction loss)
    : model_(model),
      comm_(comm),
      sgd_(sgd),
      buckets_(buckets),
      schedule_(schedule),
      loss_(std::move(loss)) {}

int64_t TrainingLoop::stepsPerEpoch(int64_t samples, int64_t globalBatch) {
  return (samples + globalBatch - 1) / globalBatch;
}

EpochOutcome TrainingLoop::runEpoch(
    const SampleSet& data, const EpochSettings& settings,
    const std::function<void(int64_t epoch, int64_t nextStep)>& afterStep,
    ProgressReporter& progress) {
  const auto start = std::chrono::steady_clock::now();
  const auto sampleCount = static_cast<int64_t>(data.rows.size());
  EpochSampler sampler(sampleCount, settings.globalBatch, settings.seed, comm_.rank(),
                       comm_.size());
  const std::vector<int64_t> order = sampler.epochOrder(settings.epoch);
  const int64_t steps = sampler.batchesPerEpoch();
  model_.train();
  progress.resetEpoch();

  EpochOutcome outcome;
  double localLoss = 0;
  int64_t localCorrect = 0;
  int64_t step = settings.startStep;
  for (; step < steps; ++step) {
    // One tiny collective per step lets every rank stop at the same boundary.
    if (comm_.anyTrue(stopRequested())) {
      outcome.stopped = true;
      break;
    }
    std::vector<int64_t> rows;
    for (int64_t position : sampler.rankSlice(order, step)) {
      rows.push_back(data.rows[static_cast<size_t>(position)]);
    }
    sgd_.setLr(schedule_.lrAt(settings.epoch, step, steps));
    sgd_.zeroGrad();
    const int64_t globalBatchSize = sampler.globalBatchSize(step);
    if (!rows.empty()) {
      const torch::Tensor images =
          makeImageBatch(data.images, rows, rows, data.augment, settings.seed, settings.epoch);
      const torch::Tensor labels = data.labels.index_select(0, torch::tensor(rows));
      const torch::Tensor logits = model_.forward(images);
      const torch::Tensor loss = loss_(logits, labels, globalBatchSize);
      loss.backward();
      {
        torch::NoGradGuard noGrad;
        localLoss += torch::nn::functional::cross_entropy(
                         logits, labels,
                         torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                         .item<double>();
        localCorrect += logits.argmax(1).eq(labels).sum().item<int64_t>();
      }
    }
    // The loss is already divided by the global batch: the buckets only sum.
    buckets_.allReduceAverage(comm_, 1.0);
    sgd_.step();
    ++outcome.steps;
    outcome.samples += globalBatchSize;
    progress.step(
        settings.epoch, settings.epochs, step, steps, globalBatchSize,
        localLoss / std::max<double>(1.0, static_cast<double>(outcome.samples) / comm_.size()),
        (settings.epochs - settings.epoch - 1) * steps + (steps - step - 1));
    afterStep(settings.epoch, step + 1);
  }
  outcome.nextStep = step;
  outcome.lossSum = comm_.allReduceSum(localLoss);
  outcome.correct = comm_.allReduceSum(localCorrect);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace mu
