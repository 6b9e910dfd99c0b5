// Seconds to fit and predict the SVC membership-inference attack on the MIA-Efficacy workload:
// 20 000 one-dimensional confidences (10 000 members, 10 000 non-members) whose distributions
// overlap as a trained model's train and test confidences do, then 20 000 fresh targets.
// Target: a few seconds at most (the evaluation stage runs five such attacks twice).
// `--cache-mb MB` sets libsvm's kernel cache (default: SvcSettings'), which changes only speed.
// `--points FILE` also writes the shadow set in libsvm's text format, so Debian's svm-train
// (libsvm-tools) can time the library alone on the same points:
//   svm-train -s 0 -t 2 -c 3 -g 1 -e 0.001 -h 1 -m MB FILE
// --smoke: 1 000 points, one timing (seconds, for CI's bench_smoke_test).

#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "bench/bench_timing.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/evaluation/svc_attack.h"

namespace {

// Confidences near 1 with a tail towards 0; a wider tail for non-members.
torch::Tensor confidences(int64_t n, double spread) {
  return (1 - (torch::randn({n}, torch::kDouble) * spread).abs()).clamp(0.0, 1.0).unsqueeze(1);
}

// libsvm's text format, non-members (label 0) first as SvcClassifier orders them.
void writeLibsvmText(const char* path, const torch::Tensor& members,
                     const torch::Tensor& nonMembers) {
  std::FILE* file = std::fopen(path, "w");
  if (!file) {
    std::perror(path);
    std::exit(1);
  }
  for (const auto& [label, values] : {std::pair{0, nonMembers}, std::pair{1, members}}) {
    const torch::Tensor column = values.contiguous();
    for (int64_t i = 0; i < column.size(0); ++i)
      std::fprintf(file, "%d 1:%.17g\n", label, column.data_ptr<double>()[i]);
  }
  if (std::fclose(file) != 0) {
    std::perror(path);
    std::exit(1);
  }
}

int run(const mu::SvcSettings& settings, const std::string& pointsFile, bool smoke) {
  const int64_t perSide = smoke ? 500 : 10000;
  const int repeats = smoke ? 1 : 3;
  torch::manual_seed(0);
  const torch::Tensor members = confidences(perSide, 0.15);
  const torch::Tensor nonMembers = confidences(perSide, 0.35);
  const torch::Tensor targetMembers = confidences(perSide, 0.15);
  const torch::Tensor targetNonMembers = confidences(perSide, 0.35);
  if (!pointsFile.empty()) writeLibsvmText(pointsFile.c_str(), members, nonMembers);

  double score = 0.0;
  int supportVectors = 0;
  const auto fitAndPredict = [&] {
    const mu::SvcClassifier classifier(members, nonMembers, settings);
    supportVectors = classifier.supportVectorCount();
    score = 0.5 * (classifier.fractionPredicted(targetMembers, 1) +
                   classifier.fractionPredicted(targetNonMembers, 0));
  };
  const double totalSeconds = mu::bench::medianSeconds(repeats, fitAndPredict);
  const double fitSeconds = mu::bench::medianSeconds(
      repeats, [&] { const mu::SvcClassifier fitted(members, nonMembers, settings); });
  std::printf(
      "fit+predict: median %.3f s over %d runs (fit alone %.3f s), %d support vectors, "
      "attack score %.4f\n",
      totalSeconds, repeats, fitSeconds, supportVectors, score);
  std::printf(
      "SUMMARY bench_svc points=%lld dim=1 cache_mb=%.0f fit_predict_median_s=%.3f "
      "fit_median_s=%.3f\n",
      static_cast<long long>(2 * perSide), settings.cacheMegabytes, totalSeconds, fitSeconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  mu::SvcSettings settings;
  std::string pointsFile;
  bool smoke = false;
  mu::OptionTable table;
  table.add("cache-mb", &settings.cacheMegabytes, "libsvm's kernel cache in MB (speed only)")
      .add("points", &pointsFile, "also write the shadow set for svm-train to FILE")
      .addFlag("smoke", &smoke, "1 000 points, one timing: seconds (CI's bench_smoke_test)");
  return mu::runWithOptions(
      {"bench_svc", "usage: bench_svc [--cache-mb MB] [--points FILE] [--smoke]", {}}, table, argc,
      argv, [&] { return run(settings, pointsFile, smoke); });
}
