// Images/s of our training loop on one GPU (ResNet-18 for CIFAR shapes by default): batch
// assembly and its pinned copy, forward (optionally bf16 autocast), backward, the gradient
// buckets, masked SGD. The C++ side of bench/gpu_check.sh. `--comm nccl` sums the buckets over
// NCCL on this one rank, overlapped with backward; `--comm none` has no communicator at all, so
// the two rates show what communication costs. Prints one RESULT line (median over rounds).
//
//   bench_gpu_train [--arch resnet18] [--batch 256] [--steps 40] [--rounds 3] [--comm none|nccl]
//                   [--amp none|bf16] [--grad-compression none|bf16] [--channels-last 0|1]
//                   [--cudnn-benchmark 0|1] [--cuda-graphs 0|1] [--threads 4]

#include <torch/cuda.h>
#include <torch/torch.h>

#include <cstdio>
#include <memory>
#include <string>

#include "bench/training_bench.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/device.h"
#include "pipeline/distributed/gradient_communicator.h"
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/distributed/mpi_runtime.h"
#include "pipeline/models/model_registry.h"

namespace {

struct Settings {
  std::string arch = "resnet18";
  int64_t batch = 256;
  int64_t steps = 40;
  int rounds = 3;
  std::string comm = "none";
  std::string amp = "none";
  std::string gradCompression = "none";
  bool channelsLast = false;
  bool cudnnBenchmark = false;
  bool cudaGraphs = false;
  int threads = 4;
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
    else if (name == "--steps")
      settings.steps = std::stoll(value);
    else if (name == "--rounds")
      settings.rounds = std::stoi(value);
    else if (name == "--comm")
      settings.comm = value;
    else if (name == "--amp")
      settings.amp = value;
    else if (name == "--grad-compression")
      settings.gradCompression = value;
    else if (name == "--channels-last")
      settings.channelsLast = value == "1";
    else if (name == "--cudnn-benchmark")
      settings.cudnnBenchmark = value == "1";
    else if (name == "--cuda-graphs")
      settings.cudaGraphs = value == "1";
    else if (name == "--threads")
      settings.threads = std::stoi(value);
    else
      throw std::invalid_argument("unknown option " + name);
  }
  if (settings.comm != "none" && settings.comm != "nccl") {
    throw std::invalid_argument("--comm: expected none or nccl");
  }
  return settings;
}

int run(mu::MpiRuntime& runtime, const Settings& settings) {
  torch::set_num_threads(settings.threads);
  const torch::Device device = mu::resolveDevice("cuda", runtime.world());
  mu::setCudnnBenchmark(settings.cudnnBenchmark);
  torch::manual_seed(0);
  auto model = mu::makeModel({settings.arch, 10, 3, false, {}, {}});
  mu::placeModel(*model, device, settings.channelsLast);

  mu::MpiCommunicator world(runtime.world());
  mu::SingleProcessCommunicator single;
  std::unique_ptr<mu::Communicator> nccl;
  if (settings.comm == "nccl") {
    nccl = mu::makeDeviceCommunicator(world, device, settings.gradCompression);
  }
  mu::Communicator& comm = nccl ? *nccl : static_cast<mu::Communicator&>(single);

  mu::bench::TrainingBench bench(model, comm, settings.batch, settings.steps);
  bench.loop().setAutocast({settings.amp == "bf16"});
  if (settings.cudaGraphs) bench.loop().enableCudaGraphs();
  const double rate = bench.imagesPerSecond(settings.rounds, [] { torch::cuda::synchronize(); });
  std::printf(
      "RESULT libtorch-cpp-gpu arch=%s batch=%lld comm=%s amp=%s grad_compression=%s "
      "channels_last=%d cudnn_benchmark=%d cuda_graphs=%d step_ms=%.3f images_per_second=%.1f\n",
      settings.arch.c_str(), static_cast<long long>(settings.batch),
      nccl ? nccl->backendName().c_str() : "none", settings.amp.c_str(),
      settings.gradCompression.c_str(), settings.channelsLast ? 1 : 0,
      settings.cudnnBenchmark ? 1 : 0, settings.cudaGraphs ? 1 : 0,
      1000.0 * static_cast<double>(settings.batch) / rate, rate);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  mu::MpiRuntime runtime(argc, argv);
  try {
    return run(runtime, parse(argc, argv));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_gpu_train: error: %s\n", error.what());
    return 1;
  }
}
