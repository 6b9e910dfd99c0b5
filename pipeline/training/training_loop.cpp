#include "pipeline/training/training_loop.h"

#include <torch/cuda.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/base/stop_signal.h"
#include "pipeline/data/batch_on_device.h"
#include "pipeline/data/epoch_sampler.h"
#include "pipeline/distributed/device.h"

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
      device_(model.parameters().front().device()),
      lossSum_(torch::zeros({}, torch::TensorOptions(device_).dtype(torch::kFloat64))),
      correct_(torch::zeros({}, torch::TensorOptions(device_).dtype(torch::kInt64))),
      gradientNormMax_(torch::zeros({}, torch::TensorOptions(device_).dtype(torch::kFloat32))) {
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

void TrainingLoop::enableCudaGraphs() {
#ifdef MU_HAVE_TORCH_CUDA
  if (!device_.is_cuda()) {
    throw std::invalid_argument("TrainingLoop: CUDA graphs need the model on a CUDA device");
  }
  stepGraph_ = makeCudaStepGraph(device_);
#else
  throw SystemError("--cuda-graphs: this build has no CUDA LibTorch");
#endif
}

void TrainingLoop::computeStep(const torch::Tensor& images, const torch::Tensor& labels,
                               int64_t globalBatchSize, PhaseLaps& laps) {
  buckets_.zeroGradients();
  lap(laps, StepPhase::kOptimizer);
  if (images.defined()) {
    torch::Tensor logits;
    {
      const AutocastScope autocast(autocast_);
      logits = model_.forward(images);
    }
    logits = logits.to(torch::kFloat32);  // the loss in fp32 whatever autocast computed in
    const torch::Tensor loss = loss_(logits, labels, globalBatchSize);
    lap(laps, StepPhase::kForward);
    loss.backward();
    torch::NoGradGuard noGrad;
    lossSum_.add_(torch::nn::functional::cross_entropy(
        logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)));
    correct_.add_(logits.argmax(1).eq(labels).sum());
    lap(laps, StepPhase::kBackward);
  }
  // The loss is already divided by the global batch: the buckets only sum.
  buckets_.allReduceAverage(comm_, 1.0);
  // In place, and maximum propagates NaN: a recorded step graph updates this very tensor, and a
  // non-finite norm stays visible until the loop reads it.
  gradientNormMax_.copy_(torch::maximum(gradientNormMax_, buckets_.gradientNorm()));
  lap(laps, StepPhase::kGradientSum);
  sgd_.step();
  lap(laps, StepPhase::kOptimizer);
}

void TrainingLoop::lap(PhaseLaps& laps, StepPhase phase) const {
  if (profile_ == nullptr) return;
  if (device_.is_cuda()) torch::cuda::synchronize();
  laps.lap(phase);
}

BatchPlacement TrainingLoop::batchPlacement() {
  return {device_, usesChannelsLast(model_)};
}

int64_t TrainingLoop::stepsPerEpoch(int64_t samples, int64_t globalBatch) {
  return (samples + globalBatch - 1) / globalBatch;
}

void TrainingLoop::throwDiverged(const std::string& what, const EpochSettings& settings,
                                 int64_t step, int64_t steps, double lr) const {
  char text[160];
  std::snprintf(text, sizeof text, "epoch %lld, step %lld of %lld (learning rate %g)",
                static_cast<long long>(settings.epoch + 1), static_cast<long long>(step + 1),
                static_cast<long long>(steps), lr);
  throw DivergedError("the " + what + " became non-finite by " + text +
                      "; nothing was saved after it, so the last checkpoint is the last good "
                      "state. The run diverged: lower " +
                      lrOption_ + " (or check the data and the starting model)");
}

EpochOutcome TrainingLoop::runEpoch(
    const SampleSet& data, const EpochSettings& settings,
    const std::function<void(int64_t epoch, int64_t nextStep)>& afterStep,
    ProgressReporter& progress) {
  const auto start = std::chrono::steady_clock::now();
  const auto sampleCount = static_cast<int64_t>(data.rows.size());
  EpochSampler sampler(sampleCount, settings.globalBatch, settings.seed, comm_.rank(), comm_.size(),
                       true, data.order);
  const std::vector<int64_t> order = sampler.epochOrder(settings.epoch);
  const int64_t steps = sampler.batchesPerEpoch();
  model_.train(!evalMode_);
  progress.resetEpoch();
  const BatchPlacement placement = batchPlacement();

  EpochOutcome outcome;
  // The sums stay on the model's device. A GPU's are read only now and then: reading one per
  // step would make the host wait for every step to finish instead of preparing the next batch.
  const bool onDevice = !device_.is_cpu();
  lossSum_.zero_();
  correct_.zero_();
  gradientNormMax_.zero_();
  double localLoss = 0;
  // The rows of this rank's slice of every step still to run: the stream decodes ahead of them.
  std::vector<std::vector<int64_t>> stepRows;
  for (int64_t step = settings.startStep; step < steps; ++step) {
    std::vector<int64_t> rows;
    for (int64_t position : sampler.rankSlice(order, step)) {
      rows.push_back(data.rows[static_cast<size_t>(position)]);
    }
    stepRows.push_back(std::move(rows));
  }
  std::vector<std::vector<int64_t>> plan;
  for (const std::vector<int64_t>& rows : stepRows) {
    if (!rows.empty()) plan.push_back(rows);
  }
  const std::unique_ptr<BatchStream> batches = data.images->stream(
      std::move(plan), {data.augment, settings.seed, settings.epoch}, placement);
  int64_t step = settings.startStep;
  for (; step < steps; ++step) {
    // One tiny collective per step lets every rank stop at the same boundary.
    if (comm_.anyTrue(stopRequested())) {
      outcome.stopped = true;
      break;
    }
    PhaseLaps laps(profile_);
    const std::vector<int64_t>& rows = stepRows[static_cast<size_t>(step - settings.startStep)];
    const double lr = schedule_.lrAt(settings.epoch, step, steps);
    sgd_.setLr(lr);
    const int64_t globalBatchSize = sampler.globalBatchSize(step);
    if (rows.empty()) {
      // Nothing to compute here, but every rank joins the gradient sums and steps.
      computeStep(torch::Tensor(), torch::Tensor(), globalBatchSize, laps);
    } else {
      const torch::Tensor images = batches->next();
      const torch::Tensor labels = makeLabelBatch(data.labels, rows, device_);
      lap(laps, StepPhase::kData);
      const StepGraph::StepBody body = [&](const torch::Tensor& stepImages,
                                           const torch::Tensor& stepLabels) {
        computeStep(stepImages, stepLabels, globalBatchSize, laps);
      };
      // The step bakes in the rate (SGD) and the global batch the loss divides by; on one rank
      // the last batch of an uneven split may keep the usual shape under a smaller global batch.
      const std::vector<double> hostConstants = {lr, static_cast<double>(globalBatchSize)};
      if (!stepGraph_ || !stepGraph_->run(images, labels, hostConstants, body)) {
        body(images, labels);
      }
    }
    if (profile_ != nullptr) profile_->countStep();
    ++outcome.steps;
    outcome.samples += globalBatchSize;
    // The progress line's loss: a GPU's may be stale by up to kDeviceReadEverySteps steps.
    if (!onDevice || step + 1 == steps || outcome.steps % kDeviceReadEverySteps == 0) {
      localLoss = lossSum_.item<double>();
      // The weights just stepped on a non-finite loss or gradient: stop before anything saves
      // them. (GA's loss grows on purpose; only NaN and infinity stop it.)
      if (!std::isfinite(localLoss)) throwDiverged("training loss", settings, step, steps, lr);
      if (!std::isfinite(gradientNormMax_.item<double>())) {
        throwDiverged("gradient norm", settings, step, steps, lr);
      }
    }
    progress.step(
        settings.epoch, settings.epochs, step, steps, globalBatchSize,
        localLoss / std::max<double>(1.0, static_cast<double>(outcome.samples) / comm_.size()),
        (settings.epochs - settings.epoch - 1) * steps + (steps - step - 1));
    afterStep(settings.epoch, step + 1);
  }
  outcome.nextStep = step;
  outcome.lossSum = comm_.allReduceSum(lossSum_.item<double>());
  outcome.correct = comm_.allReduceSum(correct_.item<int64_t>());
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

}  // namespace mu
