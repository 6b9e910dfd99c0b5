// Images/s of training steps through our training loop (batch assembly, forward, backward, the
// gradient buckets, masked SGD) on one process, on random images: the C++ side of
// bench/compare_train_step.sh. Prints one "RESULT" line with the median over rounds (the script
// reads it) and a "summary:" line.
//
//   bench_train_step [--arch resnet18] [--batch 128] [--threads 2] [--steps 6] [--rounds 3]
//                    [--channels-last] [--profile] [--smoke] (--help)
// --profile: instead of images/s, each phase's milliseconds per step (data, forward, backward,
//            gradient sums, optimizer) over the rounds' steps.
// --channels-last: NHWC weights and batches (a GPU option of the stages, measured here on CPU).
// --smoke: batch 8, one step, one round (seconds, for CI's bench_smoke_test).

#include <torch/torch.h>

#include <cstdio>
#include <string>

#include "bench/training_bench.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/device.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/training/step_profile.h"

namespace {

struct Settings : mu::bench::TrainingBenchSettings {
  int64_t channels = 3;
  int64_t size = 32;
  bool smoke = false;
  bool profile = false;
  bool channelsLast = false;

  void registerOptions(mu::OptionTable& table) {
    TrainingBenchSettings::registerOptions(table);
    table.add("channels", &channels, "image channels")
        .add("size", &size, "image side in pixels")
        .addFlag("profile", &profile, "print each phase's milliseconds per step instead")
        .addFlag("channels-last", &channelsLast, "NHWC weights and batches")
        .addFlag("smoke", &smoke,
                 "batch 8, one step, one round, overriding those options (CI's bench_smoke_test)");
  }
  void applySmoke() {
    if (!smoke) return;
    batch = 8;
    steps = 1;
    rounds = 1;
  }
};

void printProfile(const Settings& settings, const mu::StepProfile& profile) {
  const double steps = static_cast<double>(profile.steps());
  const double total = profile.totalSeconds();
  std::string shares;
  for (int index = 0; index < mu::kStepPhaseCount; ++index) {
    const auto phase = static_cast<mu::StepPhase>(index);
    const double seconds = profile.seconds(phase);
    std::printf("PHASE %s ms_per_step=%.2f share=%.3f\n", mu::stepPhaseName(phase),
                1e3 * seconds / steps, seconds / total);
    char part[64];
    std::snprintf(part, sizeof part, "%s%s %.1f ms", index == 0 ? "" : ", ",
                  mu::stepPhaseName(phase), 1e3 * seconds / steps);
    shares += part;
  }
  std::printf(
      "summary: %s train step profile, batch %lld, %lld threads, %.0f steps: %.1f ms per "
      "step (%s)\n",
      settings.arch.c_str(), static_cast<long long>(settings.batch),
      static_cast<long long>(settings.threads), steps, 1e3 * total / steps, shares.c_str());
}

int run(const Settings& settings) {
  torch::set_num_threads(static_cast<int>(settings.threads));
  torch::manual_seed(0);
  const int channels = static_cast<int>(settings.channels);
  mu::ModelSpec spec{settings.arch, 10, channels, false, {}, {}};
  if (channels != 3) {
    spec.mean.assign(static_cast<size_t>(channels), 0.5);
    spec.std.assign(static_cast<size_t>(channels), 0.25);
  }
  mu::SingleProcessCommunicator comm;
  std::shared_ptr<mu::Classifier> model = mu::makeModel(spec);
  mu::placeModel(*model, torch::kCPU, settings.channelsLast);
  mu::bench::TrainingBench bench(model, comm, settings.batch, settings.steps, channels,
                                 static_cast<int>(settings.size));
  if (settings.profile) {
    printProfile(settings, bench.profile(static_cast<int>(settings.rounds)));
    return 0;
  }
  const double rate = bench.imagesPerSecond(static_cast<int>(settings.rounds));
  std::printf("RESULT libtorch-cpp arch=%s batch=%lld threads=%lld images_per_second=%.2f\n",
              settings.arch.c_str(), static_cast<long long>(settings.batch),
              static_cast<long long>(settings.threads), rate);
  std::printf("summary: %s train step, batch %lld, %lld threads: %.1f images/s\n",
              settings.arch.c_str(), static_cast<long long>(settings.batch),
              static_cast<long long>(settings.threads), rate);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  mu::OptionTable table;
  settings.registerOptions(table);
  return mu::runWithOptions({"bench_train_step", "usage: bench_train_step [options]", {}}, table,
                            argc, argv, [&] {
                              settings.applySmoke();
                              return run(settings);
                            });
}
