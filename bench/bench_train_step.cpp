// Images/s of training steps through our training loop (batch assembly, forward, backward, the
// gradient buckets, masked SGD) on one process, on random images: the C++ side of
// bench/compare_train_step.sh. Prints one "RESULT" line with the median over rounds.
//
//   bench_train_step [--arch resnet18] [--batch 128] [--threads 2] [--steps 6] [--rounds 3]

#include <torch/torch.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "bench/training_bench.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/models/model_registry.h"

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
  mu::SingleProcessCommunicator comm;
  mu::bench::TrainingBench bench(mu::makeModel(spec), comm, settings.batch, settings.steps,
                                 settings.channels, settings.size);
  const double rate = bench.imagesPerSecond(settings.rounds);
  std::printf("RESULT libtorch-cpp arch=%s batch=%lld threads=%d images_per_second=%.2f\n",
              settings.arch.c_str(), static_cast<long long>(settings.batch), settings.threads,
              rate);
  return 0;
}
