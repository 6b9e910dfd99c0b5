#include "pipeline/unlearning/methods/influence_unlearning.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "pipeline/base/error.h"
#include "pipeline/base/stop_signal.h"
#include "pipeline/data/epoch_sampler.h"
#include "pipeline/masks/masks.h"
#include "pipeline/unlearning/unlearn_clock.h"
#include "pipeline/unlearning/unlearning_method.h"

namespace mu {

torch::Tensor gradientSum(const StatisticsPass& pass, const std::vector<int64_t>& rows,
                          int64_t batchSize, ProgressReporter& progress) {
  pass.model.eval();
  const auto [begin, end] = EpochSampler::sliceBounds(static_cast<int64_t>(rows.size()),
                                                      pass.comm.rank(), pass.comm.size());
  // Every rank runs the same number of rounds (the largest slice's), so that the stop checks
  // stay collective.
  const int64_t largestSlice =
      (static_cast<int64_t>(rows.size()) + pass.comm.size() - 1) / pass.comm.size();
  const int64_t rounds = (largestSlice + batchSize - 1) / batchSize;
  torch::Tensor sum = pass.layout.zeros();
  progress.resetEpoch();
  for (int64_t round = 0; round < rounds; ++round) {
    if (pass.comm.anyTrue(stopRequested())) return {};
    const int64_t first = begin + round * batchSize;
    const int64_t last = std::min(end, first + batchSize);
    if (first < last) sum.add_(pass.gradientOfSum(rowRange(rows, first, last)));
    progress.step(0, 1, round, rounds, std::max<int64_t>(0, last - first) * pass.comm.size(), 0.0,
                  rounds - round - 1);
  }
  pass.comm.allReduceSum(sum);
  return sum;
}

torch::Tensor influenceVector(const torch::Tensor& forgetGradientSum, int64_t forgetCount,
                              const torch::Tensor& retainGradientSum, int64_t retainCount) {
  const auto total = static_cast<double>(forgetCount + retainCount);
  return forgetGradientSum / total -
         retainGradientSum *
             (static_cast<double>(forgetCount) / (total * static_cast<double>(retainCount)));
}

double woodFisherCoefficient(const std::vector<double>& g0DotG, const std::vector<double>& vDotG,
                             double woodFisherN) {
  double scale = 1;        // o = scale * g_0
  double coefficient = 0;  // k = v - coefficient * g_0
  for (size_t n = 0; n < g0DotG.size(); ++n) {
    const double t = scale * g0DotG[n];
    const double kDotG = vDotG[n] - coefficient * g0DotG[n];
    coefficient += kDotG / (woodFisherN + t) * scale;  // k uses o before o's update
    scale -= t / (woodFisherN + t) * scale;
  }
  return coefficient;
}

int64_t woodFisherSampleCount(int64_t retainCount, int64_t woodFisherN) {
  return std::min(retainCount, woodFisherN + 2);
}

torch::Tensor woodFisherDirection(const StatisticsPass& pass, const torch::Tensor& v,
                                  const std::vector<int64_t>& retainRows, int64_t woodFisherN,
                                  ProgressReporter& progress) {
  pass.model.eval();
  const int64_t samples =
      woodFisherSampleCount(static_cast<int64_t>(retainRows.size()), woodFisherN);
  auto gradientOf = [&](int64_t n) {
    return pass.gradientOfSum({retainRows[static_cast<size_t>(n)]});
  };
  const torch::Tensor g0 = gradientOf(0);  // every rank: the direction k moves along
  const torch::Tensor g0Double = g0.to(torch::kFloat64);
  const torch::Tensor vDouble = v.to(torch::kFloat64);
  // Dot products of samples 1..samples-1, each as a float pair (high part, remainder): only one
  // rank fills a sample's entries and the others add zeros, so the sum over ranks is exact and
  // the recursion sees ~48-bit values, the same on every rank count.
  torch::Tensor dots = torch::zeros({4, std::max<int64_t>(samples - 1, 0)}, torch::kFloat32);
  auto entries = dots.accessor<float, 2>();
  auto store = [&](int64_t row, int64_t column, double value) {
    const auto high = static_cast<float>(value);
    entries[row][column] = high;
    entries[row + 1][column] = static_cast<float>(value - static_cast<double>(high));
  };
  const int ranks = pass.comm.size();
  const int64_t rounds = (samples - 1 + ranks - 1) / ranks;
  progress.resetEpoch();
  for (int64_t round = 0; round < rounds; ++round) {
    if (pass.comm.anyTrue(stopRequested())) return {};
    const int64_t n = 1 + round * ranks + pass.comm.rank();
    if (n < samples) {
      const torch::Tensor gradient = gradientOf(n).to(torch::kFloat64);
      store(0, n - 1, g0Double.dot(gradient).item<double>());
      store(2, n - 1, vDouble.dot(gradient).item<double>());
    }
    progress.step(0, 1, round, rounds, ranks, 0.0, rounds - round - 1);
  }
  pass.comm.allReduceSum(dots);
  const torch::Tensor exact = dots.to(torch::kFloat64);
  const torch::Tensor g0DotG = (exact[0] + exact[1]).contiguous();
  const torch::Tensor vDotG = (exact[2] + exact[3]).contiguous();
  const double coefficient = woodFisherCoefficient(
      std::vector<double>(g0DotG.data_ptr<double>(), g0DotG.data_ptr<double>() + g0DotG.numel()),
      std::vector<double>(vDotG.data_ptr<double>(), vDotG.data_ptr<double>() + vDotG.numel()),
      static_cast<double>(woodFisherN));
  return v - g0 * coefficient;
}

namespace {

class InfluenceUnlearning final : public UnlearningMethod {
 public:
  std::string name() const override { return "iu"; }
  std::string title() const override { return "IU"; }
  bool iterative() const override { return false; }

  void registerOptions(OptionTable& table) override {
    table.add("iu-alpha", &alpha_, "iu: step size of theta += alpha * k (old run.py: 1)")
        .add("iu-woodfisher-samples", &woodFisherN_,
             "iu: N_w of the WoodFisher recursion, which reads N_w + 2 retain samples")
        .addFlag("iu-augment", &augment_,
                 "iu: gradients of augmented images (the reference without --no-aug)");
  }

  void validate() const override {
    if (!std::isfinite(alpha_)) throw InputError("--iu-alpha", "value", "a finite step size");
    if (woodFisherN_ < 1) throw InputError("--iu-woodfisher-samples", "value", "at least 1");
  }

  UnlearnOutcome run(UnlearnContext& context) override {
    validate();
    const std::vector<int64_t>& forget = context.forget.forgetIds;
    const std::vector<int64_t>& retain = context.forget.retainIds;
    if (forget.empty() || retain.empty()) {
      throw InputError("iu", "forget/retain sets", "at least one sample in each");
    }
    UnlearnClock clock;
    const ParameterLayout layout(context.model, context.masks);
    const StatisticsPass pass =
        beginStatisticsPass(context, layout, augment_ || context.referenceProtocol);
    const int64_t batch =
        std::max<int64_t>(1, (context.batchSize + context.comm.size() - 1) / context.comm.size());
    UnlearnOutcome outcome;
    torch::Tensor direction;
    const torch::Tensor forgetSum = gradientSum(pass, forget, batch, context.progress);
    // Three passes over the data (D_f, D_r, then D_r one by one), each with its own draw of
    // augmentations when augmenting, as the reference's three DataLoaders.
    const StatisticsPass retainPass = pass.nextPass();
    const torch::Tensor retainSum = forgetSum.defined()
                                        ? gradientSum(retainPass, retain, batch, context.progress)
                                        : torch::Tensor();
    if (retainSum.defined()) {
      const torch::Tensor v = influenceVector(forgetSum, static_cast<int64_t>(forget.size()),
                                              retainSum, static_cast<int64_t>(retain.size()));
      direction =
          woodFisherDirection(retainPass.nextPass(), v, retain, woodFisherN_, context.progress);
      outcome.summary["v_norm"] = v.norm().item<double>();
    }
    if (!direction.defined()) {
      outcome.stopped = true;  // the model is unchanged: a rerun starts over
    } else {
      step(context, layout, direction);
      outcome.summary["k_norm"] = direction.norm().item<double>();
      outcome.summary["woodfisher_samples"] =
          woodFisherSampleCount(static_cast<int64_t>(retain.size()), woodFisherN_);
      outcome.summary["augmented_statistics"] = augment_ || context.referenceProtocol;
    }
    outcome.seconds = context.comm.allReduceMax(clock.seconds());
    return outcome;
  }

 private:
  // theta += alpha * k, slice by slice; pruned entries of k are 0 (masked gradients), and the
  // masks are applied once more so that they stay exactly 0.
  void step(UnlearnContext& context, const ParameterLayout& layout,
            const torch::Tensor& direction) const {
    const std::vector<torch::Tensor> directionOf = layout.unflatten(direction);
    torch::NoGradGuard noGrad;
    for (size_t index = 0; index < layout.count(); ++index) {
      torch::Tensor parameter = layout.parameter(index);
      parameter.add_(directionOf[index].to(parameter.dtype()), alpha_);
    }
    applyMasks(context.model, context.masks);
  }

  double alpha_ = 1.0;
  int64_t woodFisherN_ = 1000;
  bool augment_ = false;
};

}  // namespace

std::unique_ptr<UnlearningMethod> makeInfluenceUnlearningMethod() {
  return std::make_unique<InfluenceUnlearning>();
}

}  // namespace mu
