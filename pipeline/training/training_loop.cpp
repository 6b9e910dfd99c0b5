#include "pipeline/training/training_loop.h"

#include <torch/torch.h>

#include <chrono>

#include "pipeline/distributed/device.h"
#include "pipeline/epoch_sampler.h"
#include "pipeline/training/stop_signal.h"

namespace mu {
namespace {

// How often a GPU epoch reads its running loss back for the progress line.
constexpr int64_t kDeviceReadEverySteps = 50;

}  // namespace

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
      loss_(std::move(loss)),
      device_(model.parameters().front().device()) {
  // Only a backend whose collectives run beside the computation (NCCL on its own stream) gains
  // from starting bucket sums inside backward; host backends keep the plain sequence.
  if (comm.overlapsWithCompute()) buckets.enableOverlap(comm);
}

void TrainingLoop::setAutocast(AutocastOptions options) {
  if (options.enabled && !device_.is_cuda()) {
    throw std::invalid_argument("TrainingLoop: bf16 autocast needs the model on a CUDA device");
  }
  autocast_ = options;
}

BatchPlacement TrainingLoop::batchPlacement() {
  return {device_, usesChannelsLast(model_)};
}

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
  const BatchPlacement placement = batchPlacement();

  EpochOutcome outcome;
  // On a GPU the sums stay on the device: reading one per step would make the host wait for
  // every step to finish instead of preparing the next batch meanwhile.
  const bool onDevice = !device_.is_cpu();
  torch::Tensor deviceLoss = torch::zeros({}, torch::TensorOptions(device_).dtype(torch::kFloat64));
  torch::Tensor deviceCorrect =
      torch::zeros({}, torch::TensorOptions(device_).dtype(torch::kInt64));
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
      const torch::Tensor images = makeImageBatch(data.images, rows, rows, data.augment,
                                                  settings.seed, settings.epoch, placement);
      const torch::Tensor labels =
          toDevice(data.labels.index_select(0, torch::tensor(rows)), device_);
      torch::Tensor logits;
      {
        const AutocastScope autocast(autocast_);
        logits = model_.forward(images);
      }
      logits = logits.to(torch::kFloat32);  // the loss in fp32 whatever autocast computed in
      const torch::Tensor loss = loss_(logits, labels, globalBatchSize);
      loss.backward();
      {
        torch::NoGradGuard noGrad;
        const torch::Tensor stepLoss = torch::nn::functional::cross_entropy(
            logits, labels,
            torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
        const torch::Tensor stepCorrect = logits.argmax(1).eq(labels).sum();
        if (onDevice) {
          deviceLoss.add_(stepLoss);
          deviceCorrect.add_(stepCorrect);
        } else {
          localLoss += stepLoss.item<double>();
          localCorrect += stepCorrect.item<int64_t>();
        }
      }
    }
    // The loss is already divided by the global batch: the buckets only sum.
    buckets_.allReduceAverage(comm_, 1.0);
    sgd_.step();
    ++outcome.steps;
    outcome.samples += globalBatchSize;
    // The device sums are read now and then for the progress line (a stale loss between reads).
    if (onDevice && (step + 1 == steps || outcome.steps % kDeviceReadEverySteps == 0)) {
      localLoss = deviceLoss.item<double>();
    }
    progress.step(
        settings.epoch, settings.epochs, step, steps, globalBatchSize,
        localLoss / std::max<double>(1.0, static_cast<double>(outcome.samples) / comm_.size()),
        (settings.epochs - settings.epoch - 1) * steps + (steps - step - 1));
    afterStep(settings.epoch, step + 1);
  }
  outcome.nextStep = step;
  if (onDevice) {
    localLoss = deviceLoss.item<double>();
    localCorrect = deviceCorrect.item<int64_t>();
  }
  outcome.lossSum = comm_.allReduceSum(localLoss);
  outcome.correct = comm_.allReduceSum(localCorrect);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace mu
