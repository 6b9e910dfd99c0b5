#include "pipeline/unlearning/iterative_method.h"

#include <torch/torch.h>

#include <utility>

#include "pipeline/base/error.h"
#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/masks/masks.h"
#include "pipeline/unlearning/unlearn_clock.h"

namespace mu {

using nlohmann::json;

void IterativeOptions::registerOptions(OptionTable& table, const std::string& prefix) {
  table.add(prefix + "-epochs", &epochs, prefix + ": unlearning epochs")
      .add(prefix + "-lr", &lr, prefix + ": SGD learning rate")
      .add(prefix + "-momentum", &momentum, prefix + ": SGD momentum (dampening 0)")
      .add(prefix + "-weight-decay", &weightDecay, prefix + ": weight decay on every parameter")
      .add(prefix + "-milestones", &milestones,
           prefix + ": MultiStep epochs where the lr is multiplied by 0.1, comma-separated");
}

void IterativeOptions::validate(const std::string& prefix) const {
  const std::string option = "--" + prefix + "-";
  if (epochs < 1) throw InputError(option + "epochs", "value", "at least 1 epoch");
  if (!(lr > 0)) throw InputError(option + "lr", "value", "a positive learning rate");
  if (!(momentum >= 0 && momentum < 1)) {
    throw InputError(option + "momentum", "value", "a momentum in [0, 1)");
  }
  if (!(weightDecay >= 0)) throw InputError(option + "weight-decay", "value", "a decay >= 0");
  parseMilestones(milestones, option + "milestones");
}

LrScheduleOptions IterativeOptions::scheduleOptions(const std::string& prefix) const {
  LrScheduleOptions schedule;
  schedule.kind = "multistep";
  schedule.baseLr = lr;
  schedule.milestones = parseMilestones(milestones, "--" + prefix + "-milestones");
  schedule.gamma = 0.1;
  schedule.totalEpochs = epochs;
  return schedule;
}

IterativeMethod::IterativeMethod(std::string name, std::string title, IterativeOptions defaults,
                                 std::string prefix)
    : name_(std::move(name)),
      title_(std::move(title)),
      prefix_(prefix.empty() ? name_ : std::move(prefix)),
      options_(std::move(defaults)) {}

void IterativeMethod::registerOptions(OptionTable& table) {
  options_.registerOptions(table, prefix_);
  registerMethodOptions(table);
}

void IterativeMethod::validate() const {
  options_.validate(prefix_);
  validateMethodOptions();
}

SampleSet IterativeMethod::samplesOf(const UnlearnContext& context,
                                     const std::vector<int64_t>& ids) {
  return SampleSet{context.train.source, context.train.labels, ids, context.augment, context.order};
}

UnlearnOutcome IterativeMethod::run(UnlearnContext& context) {
  validate();
  const ResumePoint& resume = context.resume;
  if (resume.epoch < 0 || resume.step < 0 || resume.epoch > options_.epochs) {
    throw InputError(name_ + " resume point", "epoch",
                     "an epoch in 0.." + std::to_string(options_.epochs) + ", got " +
                         std::to_string(resume.epoch));
  }
  UnlearnClock clock;
  Classifier& model = context.model;
  Communicator& comm = context.comm;
  // One model on every rank with its pruned weights exactly zero; MaskedSgd keeps them zero.
  applyMasks(model, context.masks);
  broadcastParametersAndBuffers(model, comm, 0);
  MaskedSgd sgd(namedParameterList(model), {options_.lr, options_.momentum, options_.weightDecay},
                context.masks);
  sgd.setMomentum(resume.momentum);
  const LrSchedule schedule(options_.scheduleOptions(prefix_));
  GradientBucketer buckets(model.parameters());
  TrainingLoop loop(model, comm, sgd, buckets, schedule, makeLoss(context));
  loop.setLearningRateOption("--" + prefix_ + "-lr");

  auto report = [&](int64_t nextEpoch, int64_t nextStep, bool epochEnded, bool stopped,
                    json metrics) {
    if (!context.saveProgress) return;
    const ProgressReport progress{nextEpoch, nextStep,           epochEnded,     stopped,
                                  &sgd,      std::move(metrics), clock.seconds()};
    clock.excluded([&] { context.saveProgress(progress); });
  };

  UnlearnOutcome outcome;
  outcome.summary["epochs"] = json::array();
  int64_t epoch = resume.epoch;
  for (; epoch < options_.epochs; ++epoch) {
    json metrics = {{"epoch", epoch + 1}};
    beginEpoch(epoch, metrics);
    const SampleSet samples = epochSamples(context, epoch);
    if (samples.rows.empty()) {
      throw InputError(name_, "samples", "a non-empty set of samples to train on");
    }
    const int64_t steps =
        TrainingLoop::stepsPerEpoch(static_cast<int64_t>(samples.rows.size()), context.batchSize);
    const EpochSettings settings{epoch, options_.epochs, epoch == resume.epoch ? resume.step : 0,
                                 context.batchSize, context.seed};
    const EpochOutcome done = loop.runEpoch(
        samples, settings,
        [&](int64_t, int64_t nextStep) {
          const int64_t every = context.checkpointEverySteps;
          if (every > 0 && nextStep < steps && (epoch * steps + nextStep) % every == 0) {
            report(epoch, nextStep, false, false, json::object());
          }
        },
        context.progress);
    const double samplesRun = static_cast<double>(std::max<int64_t>(done.samples, 1));
    metrics["lr"] = sgd.lr();
    metrics["loss"] = done.lossSum / samplesRun;  // cross-entropy on the epoch's own labels
    metrics["accuracy"] = 100.0 * static_cast<double>(done.correct) / samplesRun;
    metrics["samples"] = done.samples;
    metrics["seconds"] = done.seconds;
    if (done.stopped) {
      report(epoch, done.nextStep, false, true, metrics);
      outcome.stopped = true;
      break;
    }
    outcome.summary["epochs"].push_back(metrics);
    report(epoch + 1, 0, true, false, metrics);
  }
  outcome.epochsDone = epoch;
  outcome.seconds = comm.allReduceMax(clock.seconds());
  return outcome;
}

}  // namespace mu
