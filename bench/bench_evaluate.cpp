// Seconds for mu-evaluate's work on a Fashion-MNIST-sized problem: a resnet20s on 1x28x28 images,
// D_tr = 50 000 training samples (class 0 forgotten, class-wise), 5 000 validation and 10 000
// test samples; inference on all of them, then the ten SVC attacks (MIA-Efficacy and the
// training-privacy MIA, five features each). One process; torch's threads are the machine's.
// Images are random and the model untrained, so its outputs barely vary between samples and the
// attacks are cheaper than on a trained model (bench_svc times the attack's hard case: overlapping
// member and non-member confidences). `bench_evaluate --train-samples N` scales D_tr to N;
// --smoke is --train-samples 500 (seconds, for CI's bench_smoke_test).

#include <torch/torch.h>

#include <cstdio>
#include <numeric>

#include "bench/bench_timing.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/evaluation/evaluation_report.h"
#include "pipeline/models/model_registry.h"

namespace {

int run(int64_t trainSamples) {
  const int64_t valSamples = trainSamples / 10;
  const int64_t testSamples = trainSamples / 5;
  torch::manual_seed(0);
  mu::LoadedSplit train;
  train.images = torch::randint(0, 256, {trainSamples + valSamples, 1, 28, 28}, torch::kUInt8);
  train.labels = torch::randint(0, 10, {trainSamples + valSamples}, torch::kLong);
  train.source = std::make_shared<mu::InMemorySource>(train.images);
  mu::LoadedSplit test;
  test.images = torch::randint(0, 256, {testSamples, 1, 28, 28}, torch::kUInt8);
  test.labels = torch::randint(0, 10, {testSamples}, torch::kLong);
  test.source = std::make_shared<mu::InMemorySource>(test.images);

  mu::ForgetSet set;
  set.dataset = "fashion-mnist";
  set.wholeClass = true;
  set.request.forgetClasses = mu::ClassList(0);
  for (int64_t id = 0; id < trainSamples; ++id)
    (train.labels[id].item<int64_t>() == 0 ? set.forgetIds : set.retainIds).push_back(id);
  set.valIds.resize(static_cast<size_t>(valSamples));
  std::iota(set.valIds.begin(), set.valIds.end(), trainSamples);

  std::shared_ptr<mu::Classifier> model =
      mu::makeModel({"resnet20s", 10, 1, false, {0.2860}, {0.3530}});
  mu::SingleProcessCommunicator comm;
  mu::EvaluationMetrics metrics;
  const double total = mu::bench::secondsOf(
      [&] { metrics = mu::evaluateModel(*model, train, test, set, comm, {}); });
  std::printf(
      "D_f %lld, D_r %lld, D_te %lld, D_val %lld on %d threads: inference %.2f s, ten SVC "
      "attacks %.2f s (MIA-Efficacy %.2f%%)\n",
      static_cast<long long>(metrics.sizes.forget), static_cast<long long>(metrics.sizes.retain),
      static_cast<long long>(metrics.sizes.test), static_cast<long long>(metrics.sizes.val),
      torch::get_num_threads(), metrics.inferenceSeconds, metrics.attackSeconds,
      100.0 * metrics.mia.efficacy.confidence);
  std::printf("SUMMARY bench_evaluate train=%lld total_s=%.2f inference_s=%.2f attacks_s=%.2f\n",
              static_cast<long long>(trainSamples), total, metrics.inferenceSeconds,
              metrics.attackSeconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t trainSamples = 50000;
  bool smoke = false;
  mu::OptionTable table;
  table.add("train-samples", &trainSamples, "training samples (D_tr); val and test scale with it")
      .addFlag("smoke", &smoke, "--train-samples 500: seconds (CI's bench_smoke_test)");
  return mu::runWithOptions(
      {"bench_evaluate", "usage: bench_evaluate [--train-samples N] [--smoke]", {}}, table, argc,
      argv, [&] { return run(smoke ? 500 : trainSamples); });
}
