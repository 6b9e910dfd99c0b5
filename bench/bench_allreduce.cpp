// Gradient all-reduce throughput, run as `mpirun -np 2 bench_allreduce`: the bucketed
// GradientBucketer::allReduceAverage (copies into and out of the buckets included) against one
// raw MPI_Allreduce of the same bytes in one flat buffer, for ResNet-18-sized gradients.
// Bus bandwidth (busbw = 2 (n - 1) / n * bytes / time, as nccl-tests report it) is what the
// links carry per rank, comparable across rank counts; the target is ours / raw >= 0.9.
// --smoke: one warm-up and one timed round (seconds, for CI's bench_smoke_test).

#include <mpi.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench/bench_timing.h"
#include "pipeline/cli/command_line.h"
#include "pipeline/distributed/gradient_buckets.h"
#include "pipeline/distributed/mpi_communicator.h"
#include "pipeline/runtime/mpi_check.h"
#include "pipeline/runtime/mpi_runtime.h"

namespace mu {
namespace {

constexpr double kTargetRatio = 0.9;

// Untimed rounds, then timed ones.
struct Rounds {
  int warmup = 3;
  int iterations = 20;
};

// CIFAR ResNet-18 (3x3 stem, 10 classes), parameter shapes in registration order: 62 tensors,
// 11,173,962 floats. BatchNorm weights and biases are the many tiny ones bucketing exists for.
std::vector<std::vector<int64_t>> resnet18Shapes() {
  std::vector<std::vector<int64_t>> shapes;
  auto conv = [&shapes](int64_t out, int64_t in, int64_t kernel) {
    shapes.push_back({out, in, kernel, kernel});
  };
  auto batchNorm = [&shapes](int64_t channels) {
    shapes.push_back({channels});
    shapes.push_back({channels});
  };
  conv(64, 3, 3);
  batchNorm(64);
  int64_t in = 64;
  for (const int64_t width : {64, 128, 256, 512}) {
    for (int block = 0; block < 2; ++block) {
      conv(width, in, 3);
      batchNorm(width);
      conv(width, width, 3);
      batchNorm(width);
      if (in != width) {  // the projection shortcut of a stage's first block
        conv(width, in, 1);
        batchNorm(width);
      }
      in = width;
    }
  }
  shapes.push_back({10, 512});
  shapes.push_back({10});
  return shapes;
}

// One thing to time; every rank runs the same steps in the same order.
struct Variant {
  Variant(std::string label, std::function<void()> work)
      : name(std::move(label)), step(std::move(work)) {}
  std::string name;
  std::function<void()> step;
  std::vector<double> seconds;  // per round, the slowest rank's time
};

// Runs the variants round-robin, the warm-up rounds untimed then the timed ones: on a shared,
// loaded machine, interleaving exposes every variant to the same background load, where timing
// them one after another would compare different moments.
void timeInterleaved(Communicator& comm, std::vector<Variant>& variants, const Rounds& rounds) {
  for (int round = 0; round < rounds.warmup + rounds.iterations; ++round) {
    for (Variant& variant : variants) {
      comm.barrier();
      const double seconds = comm.allReduceMax(bench::secondsOf(variant.step));  // the slowest
      if (round >= rounds.warmup) variant.seconds.push_back(seconds);
    }
  }
}

struct Figures {
  double seconds;
  double algbw;  // GB/s: bytes / time
  double busbw;  // GB/s: 2 (n - 1) / n * bytes / time
};

Figures figuresFor(double seconds, int64_t bytes, int ranks) {
  const double algbw = static_cast<double>(bytes) / seconds / 1e9;
  return {seconds, algbw, algbw * 2.0 * (ranks - 1) / ranks};
}

int run(int argc, char** argv, const Rounds& rounds) {
  MpiRuntime runtime(argc, argv);
  MpiCommunicator comm(runtime.world());
  // One rank per core share: LibTorch's copies must not fight the other ranks for cores.
  const int threads =
      std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / runtime.localSize());
  torch::set_num_threads(threads);

  // Each bucketed variant gets parameters of its own: gradients become views of their bucketer's
  // buffers, and two bucketers sharing parameters would keep re-pointing (and copying) them.
  torch::manual_seed(static_cast<uint64_t>(comm.rank()));
  auto makeParameters = [] {
    std::vector<torch::Tensor> parameters;
    for (const auto& shape : resnet18Shapes()) {
      parameters.push_back(torch::zeros(shape).requires_grad_());
      parameters.back().mutable_grad() = torch::randn(shape);
    }
    return parameters;
  };
  int64_t floats = 0;
  for (const auto& parameter : makeParameters()) floats += parameter.numel();
  const int64_t bytes = floats * 4;
  const int n = comm.size();
  // Divisor 1, as mu-train uses it (each rank's loss is already divided by the global batch).
  // Repeated sums double the values each round, which stays far from overflow in 23 rounds (the
  // default; more rounds would need a reset).
  const double divisor = 1.0;

  std::vector<Variant> variants;
  torch::Tensor flat = torch::zeros({floats});  // zeros: repeated sums stay finite
  float* flatData = flat.data_ptr<float>();
  variants.emplace_back("raw MPI_Allreduce, one buffer", [&] {
    checkMpi(MPI_Allreduce(MPI_IN_PLACE, flatData, static_cast<int>(floats), MPI_FLOAT, MPI_SUM,
                           comm.comm()),
             "MPI_Allreduce");
  });
  std::vector<std::unique_ptr<GradientBucketer>> bucketers;
  size_t defaultVariant = 0;
  for (const int64_t mebibytes : {1, 4, 25}) {
    bucketers.push_back(std::make_unique<GradientBucketer>(makeParameters(), mebibytes << 20));
    GradientBucketer& bucketer = *bucketers.back();
    if (mebibytes << 20 == GradientBucketer::kDefaultCapacityBytes) {
      defaultVariant = variants.size();
    }
    variants.emplace_back(
        "bucketed " + std::to_string(mebibytes) + " MiB (" +
            std::to_string(bucketer.bucketCount()) + " buckets)",
        [&bucketer, &comm, divisor] { bucketer.allReduceAverage(comm, divisor); });
  }
  // What the bucketing itself costs: no communication at all.
  SingleProcessCommunicator local;
  bucketers.push_back(std::make_unique<GradientBucketer>(makeParameters()));
  GradientBucketer& copies = *bucketers.back();
  variants.emplace_back("4 MiB bucket overhead only (no MPI)",
                        [&copies, &local, divisor] { copies.allReduceAverage(local, divisor); });

  timeInterleaved(comm, variants, rounds);
  if (comm.rank() != 0) return 0;

  std::printf("bench_allreduce: %d ranks (%s), %d LibTorch threads per rank\n", n,
              comm.backendName().c_str(), threads);
  std::printf(
      "  ResNet-18 gradients: %zu tensors, %lld floats, %.2f MB; median of %d "
      "interleaved rounds after %d warm-up\n",
      resnet18Shapes().size(), static_cast<long long>(floats), static_cast<double>(bytes) / 1e6,
      rounds.iterations, rounds.warmup);
  const double rawSeconds = bench::median(variants.front().seconds);
  for (const Variant& variant : variants) {
    const Figures figures = figuresFor(bench::median(variant.seconds), bytes, n);
    std::printf("  %-34s %8.2f ms  algbw %6.2f GB/s  busbw %6.2f GB/s  ours/raw %.3f\n",
                variant.name.c_str(), figures.seconds * 1e3, figures.algbw, figures.busbw,
                rawSeconds / figures.seconds);
  }
  const Figures raw = figuresFor(rawSeconds, bytes, n);
  const Figures ours = figuresFor(bench::median(variants[defaultVariant].seconds), bytes, n);
  const double ratio = rawSeconds / ours.seconds;
  std::printf(
      "SUMMARY bench_allreduce ranks=%d bytes=%lld raw_busbw=%.2fGB/s "
      "bucketed_4MiB_busbw=%.2fGB/s ratio=%.3f target>=%.2f %s\n",
      n, static_cast<long long>(bytes), raw.busbw, ours.busbw, ratio, kTargetRatio,
      ratio >= kTargetRatio ? "MET" : "NOT MET");
  return 0;
}

}  // namespace
}  // namespace mu

int main(int argc, char** argv) {
  bool smoke = false;
  mu::OptionTable table;
  table.addFlag("smoke", &smoke, "one warm-up and one timed round (CI's bench_smoke_test)");
  return mu::runWithOptions(
      {"bench_allreduce", "usage: mpirun -np N bench_allreduce [--smoke]", {}}, table, argc, argv,
      [&] {
        try {
          return mu::run(argc, argv, smoke ? mu::Rounds{1, 1} : mu::Rounds{});
        } catch (const std::exception& error) {
          // A rank that fails must not leave the others in a collective.
          mu::MpiRuntime::abortAll(error.what());
        }
      });
}
