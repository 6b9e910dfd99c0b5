#include "pipeline/unlearning/methods/fisher_forgetting.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "pipeline/base/error.h"
#include "pipeline/base/seed_mixing.h"
#include "pipeline/base/stop_signal.h"
#include "pipeline/masks/masks.h"
#include "pipeline/unlearning/reference_protocol.h"
#include "pipeline/unlearning/unlearn_clock.h"
#include "pipeline/unlearning/unlearning_method.h"

namespace mu {

torch::Tensor fisherDiagonal(const StatisticsPass& pass, const std::vector<int64_t>& rows,
                             int64_t batchSize, ProgressReporter& progress) {
  namespace F = torch::nn::functional;
  pass.model.eval();
  const auto sampleCount = static_cast<int64_t>(rows.size());
  const int64_t batches = (sampleCount + batchSize - 1) / batchSize;
  const int ranks = pass.comm.size();
  const int64_t rounds = (batches + ranks - 1) / ranks;
  torch::Tensor fisher = pass.layout.zeros();
  std::vector<torch::Tensor> fisherOf = pass.layout.unflatten(fisher);
  progress.resetEpoch();
  for (int64_t round = 0; round < rounds; ++round) {
    if (pass.comm.anyTrue(stopRequested())) return {};
    const int64_t batch = round * ranks + pass.comm.rank();
    double meanLoss = 0;
    if (batch < batches) {
      const std::vector<int64_t> batchRows =
          rowRange(rows, batch * batchSize, std::min(sampleCount, (batch + 1) * batchSize));
      const torch::Tensor images = statisticsImages(pass.train, batchRows, pass.augment, pass.seed,
                                                    pass.epoch, pass.device());
      const torch::Tensor logits = pass.model.forward(images);
      const torch::Tensor probabilities = torch::softmax(logits.detach(), 1);
      const int64_t classes = logits.size(1);
      for (int64_t label = 0; label < classes; ++label) {
        const torch::Tensor target =
            torch::full({logits.size(0)}, label, torch::dtype(torch::kInt64).device(pass.device()));
        const std::vector<torch::Tensor> gradients =
            pass.layout.gradients(F::cross_entropy(logits, target), label + 1 < classes);
        const double weight = probabilities.select(1, label).mean().item<double>();
        for (size_t index = 0; index < gradients.size(); ++index) {
          fisherOf[index].addcmul_(gradients[index], gradients[index], weight);
        }
      }
      torch::NoGradGuard noGrad;
      meanLoss = F::cross_entropy(logits, statisticsLabels(pass.train, batchRows, pass.device()))
                     .item<double>();
    }
    const int64_t firstRow = round * ranks * batchSize;
    progress.step(0, 1, round, rounds, std::min(sampleCount - firstRow, ranks * batchSize),
                  meanLoss, rounds - round - 1);
  }
  pass.comm.allReduceSum(fisher);
  return fisher.div_(static_cast<double>(std::max<int64_t>(batches, 1)));
}

FisherPosterior fisherPosterior(const torch::Tensor& theta, const torch::Tensor& fisher,
                                double alpha, int64_t numClasses,
                                const std::vector<int64_t>& forgottenClasses) {
  const bool classifierShaped = theta.dim() >= 1 && theta.size(0) == numClasses;
  torch::Tensor variance = (1.0 / (fisher + 1e-8)).clamp_max(1e3);
  if (classifierShaped) variance = variance.clamp_max(1e2);
  variance = variance * alpha;
  if (theta.dim() > 1) variance = variance.mean(1, true).expand_as(theta).clone();
  torch::Tensor mean = theta.detach().clone();
  for (const int64_t forgotten : classifierShaped ? forgottenClasses : std::vector<int64_t>{}) {
    mean.select(0, forgotten).fill_(0);
    variance.select(0, forgotten).fill_(1e-4);
  }
  if (classifierShaped || theta.dim() == 1) variance = variance * 10;
  return {mean, variance};
}

namespace {

// Separates FF's noise from the other users of the run seed.
constexpr uint64_t kFisherNoiseStream = 0x46462d6e6f697365ULL;  // "FF-noise"

class FisherForgetting final : public UnlearningMethod {
 public:
  std::string name() const override { return "ff"; }
  std::string title() const override { return "FF"; }
  bool iterative() const override { return false; }

  void registerOptions(OptionTable& table) override {
    table.add("ff-alpha", &alpha_, "ff: variance scale (old run.py: 3e-8; the CLI's 0.2 is wrong)")
        .add("ff-batch-size", &batchSize_, "ff: batch of the Fisher estimate (reference: 32)")
        .addFlag("ff-augment", &augment_,
                 "ff: Fisher statistics on augmented images (the reference without --no-aug)");
  }

  void validate() const override {
    if (!(alpha_ >= 0)) throw InputError("--ff-alpha", "value", "a variance scale >= 0");
    if (batchSize_ < 1) throw InputError("--ff-batch-size", "value", "at least 1");
  }

  UnlearnOutcome run(UnlearnContext& context) override {
    validate();
    const std::vector<int64_t>& retain = context.forget.retainIds;
    if (retain.empty()) throw InputError("ff", "retain set", "at least one retain sample");
    UnlearnClock clock;
    const ParameterLayout layout(context.model, context.masks);
    const StatisticsPass pass =
        beginStatisticsPass(context, layout, augment_ || context.referenceProtocol);
    UnlearnOutcome outcome;
    const torch::Tensor fisher = fisherDiagonal(pass, retain, batchSize_, context.progress);
    if (!fisher.defined()) {
      outcome.stopped = true;  // the model is unchanged: a rerun starts over
    } else {
      addNoise(context, layout, fisher);
      outcome.summary["zeroed_classifier_rows"] = zeroedRows(context);
      outcome.summary["fisher_batches"] =
          (static_cast<int64_t>(retain.size()) + batchSize_ - 1) / batchSize_;
      outcome.summary["fisher_mean"] = fisher.mean().item<double>();
      outcome.summary["augmented_statistics"] = augment_ || context.referenceProtocol;
    }
    outcome.seconds = context.comm.allReduceMax(clock.seconds());
    return outcome;
  }

 private:
  // theta = mean + sqrt(var) * eps. The same seed on every rank gives every rank the same model;
  // the masks then zero the pruned weights again (their noise never reaches the forward pass in
  // the reference either).
  void addNoise(UnlearnContext& context, const ParameterLayout& layout,
                const torch::Tensor& fisher) const {
    const std::vector<int64_t> forgottenClasses = zeroedRows(context);
    at::Generator generator =
        at::detail::createCPUGenerator(mixSeed(context.seed, {kFisherNoiseStream}));
    const std::vector<torch::Tensor> fisherOf = layout.unflatten(fisher);
    torch::NoGradGuard noGrad;
    for (size_t index = 0; index < layout.count(); ++index) {
      torch::Tensor parameter = layout.parameter(index);
      const FisherPosterior posterior = fisherPosterior(parameter, fisherOf[index], alpha_,
                                                        context.numClasses(), forgottenClasses);
      const torch::Tensor noise =
          torch::randn(parameter.sizes(), generator, torch::kFloat32).to(parameter.device());
      parameter.copy_(posterior.mean + posterior.variance.sqrt() * noise);
    }
    applyMasks(context.model, context.masks);
  }

  // The classifier rows set to mean 0, variance 1e-4: every forgotten class when whole classes
  // are forgotten; the reference's own rule under its protocol (reference_protocol.h).
  static std::vector<int64_t> zeroedRows(const UnlearnContext& context) {
    if (context.referenceProtocol) {
      return referenceFisherZeroedRows(context.forget, context.numClasses());
    }
    return context.forget.wholeClass ? context.forget.request.forgetClasses.classes()
                                     : std::vector<int64_t>{};
  }

  double alpha_ = 3e-8;
  int64_t batchSize_ = 32;
  bool augment_ = false;
};

}  // namespace

std::unique_ptr<UnlearningMethod> makeFisherForgettingMethod() {
  return std::make_unique<FisherForgetting>();
}

}  // namespace mu
