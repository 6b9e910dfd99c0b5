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
#include "pipeline/cli/command_line.h"
#include "pipeline/distributed/communicator.h"
#include "pipeline/distributed/device.h"
#include "pipeline/distributed/gradient_communicator.h"
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/models/model_registry.h"
#include "pipeline/runtime/mpi_runtime.h"

namespace {

struct Settings : mu::bench::TrainingBenchSettings {
  std::string comm = "none";
  std::string amp = "none";
  std::string gradCompression = "none";
  bool channelsLast = false;  // values, not flags: gpu_check.sh passes "--channels-last 1"
  bool cudnnBenchmark = false;
  bool cudaGraphs = false;

  Settings() {
    batch = 256;
    steps = 40;
    threads = 4;
  }
  void registerOptions(mu::OptionTable& table) {
    TrainingBenchSettings::registerOptions(table);
    table.addChoice("comm", &comm, {"none", "nccl"}, "bucket sums: none, or NCCL on this rank")
        .addChoice("amp", &amp, {"none", "bf16"}, "bf16 autocast of the forward pass")
        .addChoice("grad-compression", &gradCompression, {"none", "bf16"},
                   "buckets all-reduced as bf16")
        .add("channels-last", &channelsLast, "NHWC weights and batches (0 or 1)")
        .add("cudnn-benchmark", &cudnnBenchmark, "cuDNN autotuning (0 or 1)")
        .add("cuda-graphs", &cudaGraphs, "replay each step as a CUDA graph (0 or 1)");
  }
};

int run(mu::MpiRuntime& runtime, const Settings& settings) {
  torch::set_num_threads(static_cast<int>(settings.threads));
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
  const double rate =
      bench.imagesPerSecond(static_cast<int>(settings.rounds), [] { torch::cuda::synchronize(); });
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
  Settings settings;
  mu::OptionTable table;
  settings.registerOptions(table);
  return mu::runWithOptions({"bench_gpu_train", "usage: bench_gpu_train [options]", {}}, table,
                            argc, argv, [&] {
                              mu::MpiRuntime runtime(argc, argv);
                              return run(runtime, settings);
                            });
}
