// Images/s of training steps through our training loop (batch assembly, forward, backward, the
// gradient buckets, masked SGD) on one process, on random images: the C++ side of
// bench/compare_train_step.sh. Prints one "RESULT" line with the median over rounds.
//
//   bench_train_step [--arch resnet18] [--batch 128] [--threads 2] [--steps 6] [--rounds 3]

#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "bench/bench_timing.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/training/training_loop.h"

namespace {

struct Settings {
  std::string arch = "resnet18";
  int64_t batch = 128;
  int threads = 2;
  int64_t steps = 6;
  int rounds = 3;
  int channels = 3;
  int size = 32;
};

Settings parse(int argc, char** argv) {
  Settings settings;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--arch")
      settings.arch = value;
    else if (name == "--batch")
      settings.batch = std::stoll(value);
    else if (name == "--threads")
      settings.threads = std::stoi(value);
    else if (name == "--steps")
      settings.steps = std::stoll(value);
    else if (name == "--rounds")
      settings.rounds = std::stoi(value);
    else if (name == "--channels")
      settings.channels = std::stoi(value);
    else if (name == "--size")
      settings.size = std::stoi(value);
    else
      throw std::invalid_argument("unknown option " + name);
  }
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  const Settings settings = parse(argc, argv);
  torch::set_num_threads(settings.threads);
  torch::manual_seed(0);
  mu::ModelSpec spec{settings.arch, 10, settings.channels, false, {}, {}};
  if (settings.channels != 3) {
    spec.mean.assign(static_cast<size_t>(settings.channels), 0.5);
    spec.std.assign(static_cast<size_t>(settings.channels), 0.25);
  }
  auto model = mu::makeModel(spec);
  mu::MaskedSgd sgd(mu::namedParameterList(*model), {0.1, 0.9, 5e-4});
  mu::SingleProcessCommunicator comm;
  mu::GradientBucketer buckets(model->parameters());
  const mu::LrSchedule schedule({"constant", 0.1, {}, 0.1, 1, 0});
  mu::TrainingLoop loop(*model, comm, sgd, buckets, schedule, mu::crossEntropyLoss());
  mu::ProgressReporter silent("bench", false);

  const int64_t samples = settings.batch * settings.steps;
  mu::SampleSet data;
  data.images = torch::randint(0, 256, {samples, settings.channels, settings.size, settings.size},
                               torch::kUInt8);
  data.labels = torch::randint(0, 10, {samples}, torch::kInt64);
  for (int64_t i = 0; i < samples; ++i) data.rows.push_back(i);
  data.augment = {4, true};

  auto epoch = [&](int64_t index) {
    mu::EpochSettings epochSettings{index, 1, 0, settings.batch, 1};
    loop.runEpoch(
        data, epochSettings, [](int64_t, int64_t) {}, silent);
  };
  epoch(0);  // warm-up: allocator pools, oneDNN primitives
  std::vector<double> rates;
  for (int round = 0; round < settings.rounds; ++round) {
    const double seconds = mu::bench::secondsOf([&] { epoch(round + 1); });
    rates.push_back(static_cast<double>(samples) / seconds);
  }
  std::printf("RESULT libtorch-cpp arch=%s batch=%lld threads=%d images_per_second=%.2f\n",
              settings.arch.c_str(), static_cast<long long>(settings.batch), settings.threads,
              mu::bench::median(rates));
  return 0;
}
