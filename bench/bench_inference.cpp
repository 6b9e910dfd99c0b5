// Inference images/s of one model on random CIFAR-shaped images (3x32x32 floats in [0,1], already
// in memory: the model's work alone), one process, torch's threads as set: the unfolded model in
// eval mode under NoGradGuard (the pipeline's path before the inference copy) against the
// inference copy (BatchNorm folded, InferenceMode) in each layout and pass size. Prints a RESULT
// line per variant (median over rounds) and a summary; bench/compare_inference.sh runs it beside
// PyTorch eager (pytorch_inference.py).

#include <torch/torch.h>

#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_timing.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/inference/inference_model.h"
#include "pipeline/models/model_registry.h"

namespace {

struct Settings {
  std::string arch = "resnet20s";
  int64_t batch = 256;
  int64_t images = 2048;
  int rounds = 5;
  int threads = 2;
  std::string variants = "all";  // all | eval | default
};

double imagesPerSecond(const Settings& settings, const torch::Tensor& images,
                       const std::function<void(const torch::Tensor&)>& forward) {
  forward(images.slice(0, 0, settings.batch));  // warm-up: oneDNN primitives, allocator
  const double seconds = mu::bench::medianSeconds(settings.rounds, [&] {
    for (int64_t first = 0; first < images.size(0); first += settings.batch) {
      forward(images.slice(0, first, first + settings.batch));
    }
  });
  return static_cast<double>(images.size(0)) / seconds;
}

int run(const Settings& settings) {
  torch::set_num_threads(settings.threads);
  torch::manual_seed(0);
  const std::shared_ptr<mu::Classifier> model =
      mu::makeModel({settings.arch, 10, 3, false, {}, {}});
  const torch::Tensor images = torch::rand({settings.images, 3, 32, 32});

  const auto report = [&](const std::string& variant, double rate) {
    std::printf("RESULT ours arch=%s variant=%s batch=%lld threads=%d images_per_s=%.1f\n",
                settings.arch.c_str(), variant.c_str(), static_cast<long long>(settings.batch),
                settings.threads, rate);
    std::fflush(stdout);
    return rate;
  };
  const double eval = report("eval", imagesPerSecond(settings, images, [&](const torch::Tensor& x) {
                               torch::NoGradGuard noGrad;
                               model->eval();
                               model->forward(x);
                             }));
  mu::InferenceModel fastest(*model);
  const double chosen = report(
      "inference", imagesPerSecond(settings, images, [&](const auto& x) { fastest.forward(x); }));
  if (settings.variants == "all") {
    for (const bool channelsLast : {false, true}) {
      for (const int64_t passRows : {int64_t{0}, int64_t{128}, int64_t{64}, int64_t{32}}) {
        mu::InferenceOptions options;
        options.channelsLast = channelsLast;
        options.maxPassRows = passRows;
        mu::InferenceModel variant(*model, options);
        report(std::string("folded") + (channelsLast ? "+channels-last" : "") +
                   (passRows ? "+passes-of-" + std::to_string(passRows) : ""),
               imagesPerSecond(settings, images, [&](const auto& x) { variant.forward(x); }));
      }
    }
  }
  std::printf(
      "summary: %s inference at batch %lld on %d threads: %.1f images/s (unfolded eval "
      "%.1f, %.2fx)\n",
      settings.arch.c_str(), static_cast<long long>(settings.batch), settings.threads, chosen, eval,
      chosen / eval);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  bool smoke = false;
  mu::OptionTable table;
  table.add("arch", &settings.arch, "architecture (resnet20s, resnet18, ...)")
      .add("batch", &settings.batch, "evaluation batch (the reference's is 256)")
      .add("images", &settings.images, "images per round")
      .add("rounds", &settings.rounds, "timed rounds (the median is reported)")
      .add("threads", &settings.threads, "torch threads")
      .addChoice("variants", &settings.variants, {"all", "chosen"},
                 "chosen: the unfolded model and the inference copy as the pipeline sets it up; "
                 "all: also every layout and pass size")
      .addFlag("smoke", &smoke, "tiny sizes, one round: seconds (CI's bench_smoke_test)");
  return mu::runWithOptions(
      {"bench_inference", "usage: bench_inference [--arch A] [--batch N] [--smoke]", {}}, table,
      argc, argv, [&] {
        if (smoke) {
          settings.batch = 8;
          settings.images = 16;
          settings.rounds = 1;
        }
        return run(settings);
      });
}
