#pragma once
// The reference's iterative unlearning wrapper (docs/reference-behaviour.md §6.1), shared by
// retrain, FT, GA, l1-sparse and RL: SGD (momentum 0.9, weight decay 5e-4 on every parameter) under
// the masks, MultiStep milestones 91,136 stepped per epoch, one epoch at a time through the
// data-parallel TrainingLoop. A method only says which samples an epoch runs over and what its loss
// is.

#include <cstdint>
#include <string>

#include "pipeline/training/lr_schedule.h"
#include "pipeline/training/training_loop.h"
#include "pipeline/unlearning/unlearning_method.h"

namespace mu {

// The optimiser and schedule options every iterative method has, each under its own prefix
// ("--ft-epochs", "--ga-lr", ...), so that one method's values never leak into another's.
struct IterativeOptions {
  int64_t epochs = 10;
  double lr = 0.01;
  double momentum = 0.9;
  double weightDecay = 5e-4;
  std::string milestones = "91,136";

  void registerOptions(OptionTable& table, const std::string& prefix);
  void validate(const std::string& prefix) const;
  LrScheduleOptions scheduleOptions(const std::string& prefix) const;
};

class IterativeMethod : public UnlearningMethod {
 public:
  std::string name() const override { return name_; }
  std::string title() const override { return title_; }
  void registerOptions(OptionTable& table) override;
  void validate() const override;
  bool iterative() const override { return true; }
  UnlearnOutcome run(UnlearnContext& context) override;

  const IterativeOptions& iterativeOptions() const { return options_; }

 protected:
  // `defaults` are the reference's values; the options are --<prefix>-epochs, ... with the name
  // as the prefix unless `prefix` says otherwise.
  IterativeMethod(std::string name, std::string title, IterativeOptions defaults,
                  std::string prefix = "");

  const std::string& prefix() const { return prefix_; }
  std::string option(const std::string& suffix) const { return prefix_ + "-" + suffix; }

  // The method's own options beyond the optimiser's, and their checks.
  virtual void registerMethodOptions(OptionTable&) {}
  virtual void validateMethodOptions() const {}
  // The rows (and labels) epoch `epoch` trains on. Must be the same on every rank.
  virtual SampleSet epochSamples(const UnlearnContext& context, int64_t epoch) const = 0;
  // The per-rank loss (TrainingLoop's contract: a sum over the slice divided by the global batch).
  virtual LossFunction makeLoss(UnlearnContext& context) = 0;
  // Called before each epoch runs (also the resumed one); `metrics` gets extra per-epoch facts.
  virtual void beginEpoch(int64_t /*epoch*/, nlohmann::json& /*metrics*/) {}

  // The training split's rows `ids` with their own labels and the stage's augmentation.
  static SampleSet samplesOf(const UnlearnContext& context, const std::vector<int64_t>& ids);

 private:
  std::string name_;
  std::string title_;
  std::string prefix_;
  IterativeOptions options_;
};

}  // namespace mu
